// Photo: the whole photo with its face boxes and the people they are in.
import { useEffect, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { get, photoUrl, type PhotoInfo } from './api.ts';

export function PhotoPage() {
  const { query } = useRoute();
  const path = query.path ?? '';
  const [info, setInfo] = useState<PhotoInfo | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    get<PhotoInfo>(`/api/photo?path=${encodeURIComponent(path)}`).then(setInfo, (e: Error) => setError(e.message));
  }, [path]);
  if (error) return <p class="error">{error}</p>;
  if (!info) return <p class="muted">Loading…</p>;
  const pct = (v: number, of: number) => `${(100 * v) / of}%`;
  return (
    <section>
      <h1>{info.path} <span class="muted">{info.width}×{info.height} · {info.faces.length} faces</span></h1>
      <div class="photo" data-testid="photo" style={{ width: `min(100%, ${Math.max(info.width, 720)}px, ${(80 * info.width) / info.height}vh)` }}>
        <img src={photoUrl(info.path)} alt={info.path} />
        {info.faces.map((f) => (
          <div class={`box ${f.person >= 0 ? '' : 'none'}`} data-face={f.id} style={{ left: pct(f.box.x, info.width), top: pct(f.box.y, info.height), width: pct(f.box.width, info.width), height: pct(f.box.height, info.height) }}>
            {f.person >= 0
              ? <a href={`/person/${f.person}`}>{f.name ?? `Person ${f.person}`}</a>
              : <a href={`/group/${f.status === 'ignored' || f.status === 'not-a-face' ? 'ignored' : 'unsorted'}`}>{f.status}</a>}
          </div>
        ))}
      </div>
    </section>
  );
}
