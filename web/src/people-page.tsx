// People: a card per person (representative face, name, number of faces), the unsorted and ignored faces, search
// and sort by name.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, personName, thumb, type PeopleList, type PersonSummary } from './api.ts';
import { VirtualGrid } from './virtual-grid.tsx';

type Sort = 'faces' | 'name' | 'id';

export function PeoplePage() {
  const [list, setList] = useState<PeopleList | null>(null);
  const [error, setError] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort>('faces');
  useEffect(() => {
    get<PeopleList>('/api/people').then(setList, (e: Error) => setError(e.message));
  }, []);
  const people = useMemo(() => {
    if (!list) return [];
    const q = search.trim().toLowerCase();
    const shown = q ? list.people.filter((p) => personName(p).toLowerCase().includes(q) || String(p.id) === q) : [...list.people];
    const byName = (a: PersonSummary, b: PersonSummary) => (a.name === null ? 1 : 0) - (b.name === null ? 1 : 0) || personName(a).localeCompare(personName(b)) || a.id - b.id;
    shown.sort(sort === 'name' ? byName : sort === 'id' ? (a, b) => a.id - b.id : (a, b) => b.faces - a.faces || a.id - b.id);
    return shown;
  }, [list, search, sort]);
  if (error) return <p class="error">{error}</p>;
  if (!list) return <p class="muted">Loading the people…</p>;
  const named = list.people.filter((p) => p.name).length;
  return (
    <section>
      <div class="bar">
        <h1>People <span class="muted">{list.people.length} ({named} named) · {list.faces} faces · {list.corrections} corrections</span></h1>
        <input type="search" placeholder="Search by name or id" value={search} onInput={(e) => setSearch(e.currentTarget.value)} data-testid="search" />
        <label>Sort <select value={sort} onChange={(e) => setSort(e.currentTarget.value as Sort)} data-testid="sort">
          <option value="faces">most faces</option><option value="name">name</option><option value="id">id</option>
        </select></label>
      </div>
      <div class="groups">
        {list.groups.map((g) => (
          <a class="card group" href={`/group/${g.name}`} data-testid={`group-${g.name}`}>
            {g.face ? <img src={thumb(g.face, 192)} alt="" /> : <div class="noimg" />}
            <b>{g.name === 'unsorted' ? 'Unsorted faces' : 'Ignored faces'}</b><span class="muted">{g.faces} faces</span>
          </a>
        ))}
      </div>
      {people.length === 0 ? <p class="muted">No person matches.</p> : (
        <VirtualGrid items={people} cellWidth={156} cellHeight={196} keyOf={(p) => p.id} testId="people" render={(p) => (
          <a class="card" href={`/person/${p.id}`} data-person={p.id}>
            {p.face ? <img src={thumb(p.face, 192)} alt="" loading="lazy" /> : <div class="noimg" />}
            <b class={p.name ? '' : 'unnamed'}>{personName(p)}</b>
            <span class="muted">{p.faces} faces{p.confirmed ? ` · ${p.confirmed} confirmed` : ''}</span>
          </a>
        )} />
      )}
    </section>
  );
}
