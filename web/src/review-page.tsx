// Review: the least certain decisions of the people (lib/people reviewQuestions) as "same person?" questions,
// one at a time: yes (y), no (n), skip (s). Yes to a pair merges them; no journals that they are two people.
// Yes to a face confirms it in its person; no splits it off into a person of its own.
import { useEffect, useState } from 'preact/hooks';
import { get, personName, post, thumb, type PersonSample, type Question } from './api.ts';

function Faces({ person, big }: { person: PersonSample; big?: boolean }) {
  return (
    <div class="sample">
      <a href={`/person/${person.id}`}><b>{personName(person)}</b></a> <span class="muted">{person.faces} faces</span>
      <div class="row">{person.sample.map((f) => <img src={thumb(f, big ? 192 : 96)} alt={f} title={f} width={96} height={96} />)}</div>
    </div>
  );
}

export function ReviewPage() {
  const [questions, setQuestions] = useState<Question[] | null>(null);
  const [skipped, setSkipped] = useState<Set<string>>(new Set());
  const [answered, setAnswered] = useState(0);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const load = () => get<{ pairs: Question[]; faces: Question[] }>('/api/review').then((r) => setQuestions([...r.pairs, ...r.faces]), (e: Error) => setError(e.message));
  useEffect(() => void load(), []);
  const open = (questions ?? []).filter((q) => !skipped.has(q.key));
  const q = open[0];

  const reply = async (yes: boolean | null) => {
    if (!q || busy) return;
    if (yes === null) {
      setSkipped(new Set([...skipped, q.key]));
      return;
    }
    setBusy(true); setError('');
    try {
      if (q.kind === 'pair') {
        const [into, from] = q.a.faces >= q.b.faces ? [q.a, q.b] : [q.b, q.a];
        if (yes) await post('/api/merge', { into: into.id, from: from.id });
        else await post('/api/distinct', { a: q.a.id, b: q.b.id });
      } else if (yes) await post('/api/move', { faces: [q.face], to: q.person.id });
      else await post('/api/split', { person: q.person.id, faces: [q.face] });
      setAnswered(answered + 1);
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'y') void reply(true);
      else if (e.key === 'n') void reply(false);
      else if (e.key === 's') void reply(null);
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  });

  if (error && !questions) return <p class="error">{error}</p>;
  if (!questions) return <p class="muted">Finding the least certain decisions…</p>;
  return (
    <section class="review">
      <h1>Review <span class="muted">{open.length} questions left · {answered} answered</span></h1>
      {error && <p class="error" data-testid="error">{error}</p>}
      {!q ? <p data-testid="review-done">Nothing left to check. Well done.</p> : (
        <div class="question" data-testid="question" data-key={q.key}>
          {q.kind === 'pair' ? <>
            <h2>Same person? <span class="muted">(distance {q.distance.toFixed(3)})</span></h2>
            <Faces person={q.a} /><Faces person={q.b} />
          </> : <>
            <h2>Is this face {personName(q.person)}? <span class="muted">(margin {q.margin.toFixed(3)})</span></h2>
            <div class="row"><img class="big" src={thumb(q.face, 192)} alt={q.face} title={q.face} width={192} height={192} /></div>
            <Faces person={q.person} />
          </>}
          <div class="answers">
            <button type="button" data-testid="yes" disabled={busy} onClick={() => reply(true)}>Yes <kbd>y</kbd></button>
            <button type="button" data-testid="no" disabled={busy} onClick={() => reply(false)}>No <kbd>n</kbd></button>
            <button type="button" data-testid="skip" disabled={busy} onClick={() => reply(null)}>Skip <kbd>s</kbd></button>
          </div>
        </div>
      )}
    </section>
  );
}
