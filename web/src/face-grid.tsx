// The faces of a person or group, selectable (click; shift-click selects a range), each with a link to its photo.
import { photoPage, thumb, type FaceItem } from './api.ts';
import { VirtualGrid } from './virtual-grid.tsx';

interface Props {
  faces: readonly FaceItem[];
  selected: ReadonlySet<string>;
  onSelect: (next: Set<string>) => void;
  anchor: { current: number };
}

export function FaceGrid({ faces, selected, onSelect, anchor }: Props) {
  const click = (e: MouseEvent, i: number) => {
    const next = new Set(selected);
    if (e.shiftKey && anchor.current >= 0) {
      const [a, b] = [Math.min(anchor.current, i), Math.max(anchor.current, i)];
      for (let k = a; k <= b; k++) next.add(faces[k].id);
    } else if (next.has(faces[i].id)) next.delete(faces[i].id);
    else next.add(faces[i].id);
    anchor.current = i;
    onSelect(next);
  };
  return (
    <VirtualGrid items={faces} cellWidth={112} cellHeight={128} keyOf={(f) => f.id} testId="faces" render={(f, i) => (
      <div class={`face${selected.has(f.id) ? ' selected' : ''}${f.status === 'confirmed' ? ' confirmed' : ''}`} data-face={f.id}>
        <button type="button" class="pick" title={f.id} aria-pressed={selected.has(f.id)} onClick={(e) => click(e as unknown as MouseEvent, i)}>
          <img src={thumb(f.id)} alt={f.id} loading="lazy" width={96} height={96} />
        </button>
        <a class="photo-link" href={photoPage(f.photo)} title={f.photo}>photo</a>
      </div>
    )} />
  );
}
