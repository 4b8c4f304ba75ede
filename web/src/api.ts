// The server's API (lib/serve/app.ts): reads with the token cookie the first page set, changes with the token
// header the page carries (a meta tag only pages holding the token are served).
const meta = document.querySelector<HTMLMetaElement>('meta[name="facecluster-token"]');
const TOKEN = meta?.content ?? '';
const HEADER = meta?.dataset.header ?? 'x-facecluster-token';

export interface PersonSummary { id: number; name: string | null; faces: number; confirmed: number; face: string | null }
export interface Group { name: 'unsorted' | 'ignored'; faces: number; face: string | null }
export interface PeopleList { store: string; faces: number; people: PersonSummary[]; groups: Group[]; corrections: number }
export interface FaceItem { id: string; status: string; photo: string; person: number }
export interface PersonSample extends PersonSummary { sample: string[] }
export type Question =
  | { kind: 'pair'; key: string; distance: number; a: PersonSample; b: PersonSample }
  | { kind: 'face'; key: string; face: string; margin: number; person: PersonSample };
export interface PhotoInfo { path: string; width: number; height: number; faces: { id: string; box: { x: number; y: number; width: number; height: number }; person: number; name: string | null; status: string }[] }

async function answer<T>(r: Response): Promise<T> {
  const data = await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }));
  if (!r.ok) throw new Error((data as { error?: string }).error ?? `${r.status}`);
  return data as T;
}

export const get = <T>(path: string): Promise<T> => fetch(path, { credentials: 'same-origin' }).then((r) => answer<T>(r));

export const post = <T = { ok: true; person?: number }>(path: string, body: unknown): Promise<T> =>
  fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', [HEADER]: TOKEN }, body: JSON.stringify(body) }).then((r) => answer<T>(r));

export const thumb = (face: string, size: 96 | 192 = 96): string => `/thumb?face=${encodeURIComponent(face)}&size=${size}`;
export const photoUrl = (path: string): string => `/image?photo=${encodeURIComponent(path)}`;
export const photoPage = (path: string): string => `/photo?path=${encodeURIComponent(path)}`;
export const personName = (p: { id: number; name: string | null }): string => p.name ?? `Person ${p.id}`;
