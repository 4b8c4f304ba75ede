/**
 * The routes of `facecluster serve` (Hono). Reads go to the store's view (view.ts, lib/people `openPeople`);
 * every change is the lib/people call `facecluster people` makes (namePerson, mergePeople, moveFaces,
 * splitPerson, ignoreFaces, markDistinct: the corrections journal, under the store's people lock), so the CLI, `run`, the
 * notebooks and the browser agree.
 *
 *   GET  /, /person/:id, /group/:name, /review, /photo   the app's page (the client routes)
 *   GET  /assets/app.js, /assets/app.css                 the bundled client (web/, built by `npm run build:web`)
 *   GET  /api/people                                     people (id, name, count, representative face), groups
 *   GET  /api/person/:id, /api/group/unsorted|ignored    a person's (a group's) faces
 *   GET  /api/review                                     "same person?" questions (lib/people reviewQuestions)
 *   GET  /api/photo?path=P                               a photo's faces, boxes and people
 *   GET  /thumb?face=F&size=S, /image?photo=P            a face thumbnail, a photo (ids the store lists; else 404)
 *   POST /api/name, /api/merge, /api/move, /api/split, /api/ignore, /api/distinct
 */
import { Hono, type Context } from 'hono';
import { FaceclusterError } from '../errors.ts';
import { ignoreFaces, markDistinct, mergePeople, moveFaces, namePerson, splitPerson, type StorePeople } from '../people/people.ts';
import { reviewQuestions, type ReviewQuestions } from '../people/review.ts';
import { ImageCache, THUMBNAIL_SIZES, type ThumbnailSize } from './images.ts';
import { guard, TOKEN_HEADER } from './security.ts';
import type { StoreView, ViewCache } from './view.ts';
import type { ClientAssets } from './assets.ts';

export interface AppContext {
  storeDir: string;
  views: ViewCache;
  images: ImageCache;
  assets: ClientAssets;
  token: string;
  /** `Host` header values accepted (null: any). */
  hosts: () => readonly string[] | null;
  /** How long a change waits for another writer of the store's people, ms. */
  waitMs: number;
}

const FACES_PER_QUESTION = 6;

function personJson(view: StoreView, id: number) {
  const p = view.persons.get(id);
  const rows = view.personRows.get(id) ?? [];
  let confirmed = 0;
  for (const i of rows) if (view.people.state.status[i] === 'confirmed') confirmed++;
  return { id, name: p?.name ?? null, faces: rows.length, confirmed, face: view.representative.get(id) ?? null };
}

function facesJson(view: StoreView, rows: readonly number[]) {
  const { state, faces } = view.people;
  return rows.map((i) => ({ id: state.faceIds[i], status: state.status[i], photo: faces[i].path, person: state.personOf[i] }));
}

function sampleFaces(view: StoreView, person: number, k: number, skip?: string): string[] {
  const rep = view.representative.get(person);
  const rows = view.personRows.get(person) ?? [];
  const ids = rows.map((i) => view.people.state.faceIds[i]).filter((f) => f !== skip && f !== rep);
  const step = Math.max(1, Math.floor(ids.length / k));
  const out = rep && rep !== skip ? [rep] : [];
  for (let t = 0; t < ids.length && out.length < k; t += step) out.push(ids[t]);
  return out;
}

async function body(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/json')) throw new FaceclusterError('serve', `a change must be sent as application/json, got ${JSON.stringify(type)}.`, 'body');
  const b = await c.req.json().catch(() => undefined);
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new FaceclusterError('serve', 'the body must be a JSON object.', 'body');
  return b as Record<string, unknown>;
}

export function createApp(ctx: AppContext): Hono {
  const app = new Hono();
  const reviews = new WeakMap<StoreView, ReviewQuestions>();

  app.use('*', guard(ctx.token, ctx.hosts));
  app.onError((e, c) => {
    if (e instanceof FaceclusterError) {
      // A bad argument names its parameter; anything else (the store is busy, has no people) is a conflict.
      return c.json({ error: e.message }, e.param !== undefined ? 400 : 409);
    }
    return c.json({ error: `facecluster serve: ${(e as Error)?.message ?? e}` }, 500);
  });
  app.notFound((c) => c.text('not found\n', 404));

  const page = (c: Context) => {
    c.header('cache-control', 'no-store');
    c.header('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    return c.html(ctx.assets.page(ctx.token, TOKEN_HEADER));
  };
  for (const path of ['/', '/person/:id', '/group/:name', '/review', '/photo']) app.get(path, page);
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/assets/app.js', (c) => c.body(ctx.assets.js(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
  app.get('/assets/app.css', (c) => c.body(ctx.assets.css(), 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }));

  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });

  app.get('/api/people', async (c) => {
    const view = await ctx.views.get();
    const persons = view.people.state.persons.map((p) => personJson(view, p.id));
    const first = (rows: number[]) => (rows.length ? view.people.state.faceIds[rows[0]] : null);
    return c.json({
      store: ctx.storeDir,
      faces: view.people.state.faceIds.length,
      people: persons,
      groups: [
        { name: 'unsorted', faces: view.unsortedRows.length, face: first(view.unsortedRows) },
        { name: 'ignored', faces: view.ignoredRows.length, face: first(view.ignoredRows) },
      ],
      corrections: view.people.constraints.count,
    });
  });

  app.get('/api/person/:id', async (c) => {
    const view = await ctx.views.get();
    const id = Number(c.req.param('id'));
    if (!/^\d+$/.test(c.req.param('id')) || !view.persons.has(id)) return c.json({ error: `no person ${JSON.stringify(c.req.param('id'))} in this store.` }, 404);
    return c.json({ person: personJson(view, id), faces: facesJson(view, view.personRows.get(id) ?? []) });
  });

  app.get('/api/group/:name', async (c) => {
    const view = await ctx.views.get();
    const name = c.req.param('name');
    const rows = name === 'unsorted' ? view.unsortedRows : name === 'ignored' ? view.ignoredRows : undefined;
    if (!rows) return c.json({ error: `no group ${JSON.stringify(name)} (unsorted, ignored).` }, 404);
    return c.json({ group: name, faces: facesJson(view, rows) });
  });

  app.get('/api/review', async (c) => {
    const view = await ctx.views.get();
    let q = reviews.get(view);
    if (!q) reviews.set(view, (q = reviewQuestions(view.people)));
    const live = (id: number) => view.persons.has(id);
    return c.json({
      pairs: q.pairs.filter((p) => live(p.a) && live(p.b)).map((p) => ({
        kind: 'pair', key: `pair:${p.a}-${p.b}`, distance: p.distance,
        a: { ...personJson(view, p.a), sample: sampleFaces(view, p.a, FACES_PER_QUESTION) },
        b: { ...personJson(view, p.b), sample: sampleFaces(view, p.b, FACES_PER_QUESTION) },
      })),
      faces: q.faces.filter((f) => live(f.person) && view.people.state.personOf[view.faceRow.get(f.face) ?? -1] === f.person).map((f) => ({
        kind: 'face', key: `face:${f.face}`, face: f.face, margin: f.margin,
        person: { ...personJson(view, f.person), sample: sampleFaces(view, f.person, FACES_PER_QUESTION, f.face) },
      })),
    });
  });

  app.get('/api/photo', async (c) => {
    const view = await ctx.views.get();
    const path = c.req.query('path') ?? '';
    const rows = view.photoRows.get(path);
    if (!rows) return c.json({ error: 'no such photo in this store.' }, 404);
    const f0 = view.people.faces[rows[0]];
    return c.json({
      path, width: f0.imageWidth, height: f0.imageHeight,
      faces: rows.map((i) => {
        const p = view.people.state.personOf[i];
        return { id: view.people.state.faceIds[i], box: view.people.faces[i].box, person: p, name: p >= 0 ? view.persons.get(p)?.name ?? null : null, status: view.people.state.status[i] };
      }),
    });
  });

  app.get('/thumb', async (c) => {
    const view = await ctx.views.get();
    const row = view.faceRow.get(c.req.query('face') ?? '');
    const size = Number(c.req.query('size') ?? THUMBNAIL_SIZES[0]);
    if (row === undefined || !(THUMBNAIL_SIZES as readonly number[]).includes(size)) return c.text('not found\n', 404);
    const face = view.people.faces[row];
    const bytes = await ctx.images.face(face.path, face.box, size as ThumbnailSize).catch(() => undefined);
    if (!bytes) return c.text('not found\n', 404);
    return c.body(new Uint8Array(bytes), 200, { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600' });
  });

  app.get('/image', async (c) => {
    const view = await ctx.views.get();
    const path = c.req.query('photo') ?? '';
    if (!view.photoRows.has(path)) return c.text('not found\n', 404);
    const bytes = await ctx.images.photo(path).catch(() => undefined);
    if (!bytes) return c.text('not found\n', 404);
    return c.body(new Uint8Array(bytes), 200, { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600' });
  });

  const changed = async (c: Context, people: StorePeople, extra: Record<string, unknown> = {}) => {
    ctx.views.set(people);
    return c.json({ ok: true, corrections: people.constraints.count, ...extra });
  };
  const opts = () => ({ waitMs: ctx.waitMs });

  app.post('/api/name', async (c) => {
    const b = await body(c);
    const name = typeof b.name === 'string' && b.name.trim() === '' ? null : (b.name as string | null);
    return changed(c, await namePerson(ctx.storeDir, b.person as number, name, opts()));
  });
  app.post('/api/merge', async (c) => {
    const b = await body(c);
    return changed(c, await mergePeople(ctx.storeDir, b.into as number, b.from as number, opts()), { person: b.into });
  });
  app.post('/api/move', async (c) => {
    const b = await body(c);
    return changed(c, await moveFaces(ctx.storeDir, b.faces as string[], b.to as number, opts()), { person: b.to });
  });
  app.post('/api/split', async (c) => {
    const b = await body(c);
    const people = await splitPerson(ctx.storeDir, b.person as number, b.faces as string[], opts());
    return changed(c, people, { person: Math.max(...people.state.persons.map((p) => p.id)) });
  });
  app.post('/api/ignore', async (c) => {
    const b = await body(c);
    return changed(c, await ignoreFaces(ctx.storeDir, b.faces as string[], (b.reason ?? 'ignore') as 'ignore', opts()));
  });
  app.post('/api/distinct', async (c) => {
    const b = await body(c);
    return changed(c, await markDistinct(ctx.storeDir, b.a as number, b.b as number, opts()));
  });
  return app;
}
