// A person chosen by typing a name or an id (a datalist of the people), then a button.
import { useState } from 'preact/hooks';
import { personName, type PersonSummary } from './api.ts';

interface Props {
  people: readonly PersonSummary[];
  exclude?: number;
  label: string;
  testId: string;
  onPick: (id: number) => void;
}

/** The person a text names: "Name (#id)" as the list shows it, an id, or a unique name. */
export function parsePerson(text: string, people: readonly PersonSummary[]): number | null {
  const t = text.trim();
  const m = /#(\d+)\)?$/.exec(t) ?? /^(\d+)$/.exec(t);
  if (m) return Number(m[1]); // an id: the server says when there is no such person
  const named = people.filter((p) => p.name && p.name.toLowerCase() === t.toLowerCase());
  return named.length === 1 ? named[0].id : null;
}

/** Up to {@link SUGGESTIONS} people whose name or id contains `text` (named people first): a short list, fast. */
function matches(text: string, people: readonly PersonSummary[], exclude?: number): PersonSummary[] {
  const q = text.trim().toLowerCase().replace(/^#/, '');
  const out: PersonSummary[] = [];
  for (const named of [true, false]) {
    for (const p of people) {
      if (out.length >= SUGGESTIONS) return out;
      if (p.id === exclude || (p.name !== null) !== named) continue;
      if (q === '' || personName(p).toLowerCase().includes(q) || String(p.id).startsWith(q)) out.push(p);
    }
  }
  return out;
}

const SUGGESTIONS = 30;

export function PersonPicker({ people, exclude, label, testId, onPick }: Props) {
  const [text, setText] = useState('');
  const [bad, setBad] = useState(false);
  const listId = `${testId}-list`;
  const go = () => {
    const id = parsePerson(text, people);
    setBad(id === null || id === exclude);
    if (id !== null && id !== exclude) {
      onPick(id);
      setText('');
    }
  };
  return (
    <span class="picker">
      <input list={listId} value={text} placeholder="person name or id" data-testid={`${testId}-input`} class={bad ? 'bad' : ''}
        onInput={(e) => { setText(e.currentTarget.value); setBad(false); }} onKeyDown={(e) => { if (e.key === 'Enter') go(); }} />
      <datalist id={listId}>{matches(text, people, exclude).map((p) => <option value={`${personName(p)} (#${p.id})`} />)}</datalist>
      <button type="button" onClick={go} data-testid={testId}>{label}</button>
    </span>
  );
}
