// Person (or the unsorted / ignored faces): every face, selectable; the selection moves to a person, splits off
// into a new person, is ignored or marked "not a face"; the person is renamed inline and merged with another.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { get, personName, post, type FaceItem, type PeopleList, type PersonSummary } from './api.ts';
import { FaceGrid } from './face-grid.tsx';
import { PersonPicker } from './person-picker.tsx';

interface Loaded { person: PersonSummary | null; group: string | null; faces: FaceItem[] }

export function PersonPage() {
  const { params } = useRoute();
  const id = params.id !== undefined ? Number(params.id) : null;
  const group = params.name ?? null;
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [renaming, setRenaming] = useState(false);
  const [busy, setBusy] = useState(false);
  const anchor = useRef(-1);
  const editing = useRef(false);

  const [people, setPeople] = useState<PersonSummary[]>([]);
  const load = async () => {
    // The faces first; the list of people (for the move and merge pickers) after, so it never holds up the page.
    const one = await (id !== null ? get<{ person: PersonSummary; faces: FaceItem[] }>(`/api/person/${id}`) : get<{ faces: FaceItem[] }>(`/api/group/${encodeURIComponent(group ?? '')}`));
    setData({ person: 'person' in one ? (one as { person: PersonSummary }).person : null, group, faces: one.faces });
    get<PeopleList>('/api/people').then((list) => setPeople(list.people), () => undefined);
  };
  useEffect(() => {
    setData(null); setSelected(new Set()); setError(''); setNote(''); anchor.current = -1;
    load().catch((e: Error) => setError(e.message));
  }, [params.id, params.name]);

  const act = async (what: () => Promise<{ person?: number }>, done: (r: { person?: number }) => string) => {
    setBusy(true); setError('');
    try {
      const r = await what();
      setSelected(new Set()); anchor.current = -1;
      await load();
      setNote(done(r)); // after the page shows the change
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (error && !data) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const faces = [...selected];
  const n = faces.length;
  const title = data.person ? personName(data.person) : data.group === 'unsorted' ? 'Unsorted faces' : 'Ignored faces';
  const rename = (text: string) => {
    if (!editing.current) return; // Enter saved it; the blur of the input leaving is not a second change
    editing.current = false;
    setRenaming(false);
    const name = text.trim();
    if (!data.person || name === (data.person.name ?? '')) return;
    void act(() => post('/api/name', { person: data.person!.id, name: name === '' ? null : name }), () => (name ? `Named "${name}".` : 'Name removed.'));
  };
  return (
    <section>
      <div class="bar">
        {renaming && data.person ? (
          <input class="rename" autoFocus defaultValue={data.person.name ?? ''} data-testid="rename-input" placeholder="Name"
            onKeyDown={(e) => { if (e.key === 'Enter') rename(e.currentTarget.value); if (e.key === 'Escape') { editing.current = false; setRenaming(false); } }}
            onBlur={(e) => rename(e.currentTarget.value)} />
        ) : (
          <h1 data-testid="title">{title} <span class="muted">{data.faces.length} faces{data.person?.confirmed ? ` · ${data.person.confirmed} confirmed` : ''}</span></h1>
        )}
        {data.person && !renaming && <button type="button" data-testid="rename" onClick={() => { editing.current = true; setRenaming(true); }}>Rename</button>}
        {data.person && (
          <PersonPicker people={people} exclude={data.person.id} label="Merge into this person" testId="merge"
            onPick={(other) => act(() => post('/api/merge', { into: data.person!.id, from: other }), () => `Person ${other} merged into ${personName(data.person!)}.`)} />
        )}
      </div>
      <div class={`toolbar${n ? ' active' : ''}`} data-testid="toolbar">
        <span>{n ? `${n} selected` : 'Click faces to select them (shift-click: a range).'}</span>
        {n > 0 && <>
          <PersonPicker people={people} exclude={data.person?.id} label="Move to person" testId="move"
            onPick={(to) => act(() => post('/api/move', { faces, to }), () => `${n} face${n === 1 ? '' : 's'} moved to person ${to}.`)} />
          {data.person && n < data.faces.length && (
            <button type="button" data-testid="split" disabled={busy}
              onClick={() => act(() => post('/api/split', { person: data.person!.id, faces }), (r) => `${n} face${n === 1 ? '' : 's'} split off into person ${r.person}.`)}>Split into a new person</button>
          )}
          {data.group !== 'ignored' && <>
            <button type="button" data-testid="ignore" disabled={busy} onClick={() => act(() => post('/api/ignore', { faces, reason: 'ignore' }), () => `${n} ignored.`)}>Ignore</button>
            <button type="button" data-testid="not-a-face" disabled={busy} onClick={() => act(() => post('/api/ignore', { faces, reason: 'not-a-face' }), () => `${n} marked "not a face".`)}>Not a face</button>
          </>}
          <button type="button" onClick={() => setSelected(new Set())}>Clear</button>
        </>}
      </div>
      {note && <p class="note" data-testid="note">{note}</p>}
      {error && <p class="error" data-testid="error">{error}</p>}
      {data.faces.length === 0 ? <p class="muted">No faces.</p> : <FaceGrid faces={data.faces} selected={selected} onSelect={setSelected} anchor={anchor} />}
    </section>
  );
}
