/**
 * The notebooks in a real Jupyter front end (issue 11): Debian's classic Jupyter Notebook server (6.4.12) and
 * headless Chromium.
 *
 * 1. Each executed notebook (`out/notebooks/`, from `npm run notebooks:run`) is opened as a user opens a notebook
 *    run elsewhere (untrusted, so classic Notebook drops SVG and sanitises HTML), and every code cell that has
 *    outputs must show them: as many visible images (`img` / `svg` with a non-zero size) as the cell has image
 *    bundles, as many visible tables as it has HTML tables, and text otherwise.
 * 2. One notebook (the committed one, no outputs) is run from the page (Kernel > Restart & Run All) with the tslab
 *    kernel, and its last cell's output is awaited: the kernel works interactively, not only under nbconvert.
 *
 * The server binds 127.0.0.1 on a free port with a random token, with temporary config, runtime and data dirs and
 * a tslab kernel spec of this checkout (JUPYTER_PATH); it serves copies of the notebooks under
 * out/jupyter-test/ (so it never writes to out/notebooks or notebooks/), and is stopped by its pid (its process
 * group, kernels included) in `after`, also when a test fails. Screenshots: test-output/jupyter-*.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/paths.ts';
import { EXECUTED_DIR, NOTEBOOK_DIR, notebookNames, readExecuted, skipUnlessExecuted, type NotebookOutput } from './_executed.ts';

const CHROMIUM = '/usr/bin/chromium';
const JUPYTER_NOTEBOOK = '/usr/bin/jupyter-notebook';
const TSLAB = join(PROJECT_ROOT, 'node_modules', '.bin', 'tslab');
/** The notebook run from the page: the quickest one that still goes through the library and draws charts. */
const RUN_FROM_PAGE = '02-embed.ipynb';
const SHOTS = join(PROJECT_ROOT, 'test-output');
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} missing (apt-get install chromium)`
  : !existsSync(JUPYTER_NOTEBOOK) ? `${JUPYTER_NOTEBOOK} missing (apt-get install jupyter-notebook)`
  : !existsSync(TSLAB) ? `${TSLAB} missing (npm ci)`
  : skipUnlessExecuted();

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;
let server: ChildProcess | undefined;
let serverLog = '';
let browser: Browser | undefined;
let base = '';
let token = '';
let temp = '';
const root = join(PROJECT_ROOT, 'out', 'jupyter-test');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function api(path: string, method = 'GET'): Promise<unknown> {
  const r = await fetch(`${base}${path}`, { method, headers: { Authorization: `token ${token}` } });
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status}`);
  return r.status === 204 ? undefined : r.json();
}

/** Stops the server by its pid: its process group (the server and its kernels), TERM then KILL. */
async function stopServer(): Promise<void> {
  const p = server;
  server = undefined;
  if (!p?.pid || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  try { process.kill(-p.pid, 'SIGTERM'); } catch { /* already gone */ }
  const timer = setTimeout(() => { try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
  await exited;
  clearTimeout(timer);
}
// Should the test process die without running `after`, leave no server behind.
const killOnExit = () => { if (server?.pid) try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ } };
process.once('exit', killOnExit);

before(async () => {
  if (skip) return;
  // The notebooks the server sees: copies of the executed ones, and a clean copy of the one run from the page
  // beside a link to the notebooks' node_modules (the library bundle), so `import * as fc from 'facecluster'` works.
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'executed'), { recursive: true });
  mkdirSync(join(root, 'run'), { recursive: true });
  for (const name of notebookNames()) copyFileSync(join(EXECUTED_DIR, name), join(root, 'executed', name));
  copyFileSync(join(NOTEBOOK_DIR, RUN_FROM_PAGE), join(root, 'run', RUN_FROM_PAGE));
  symlinkSync(join(NOTEBOOK_DIR, 'node_modules'), join(root, 'run', 'node_modules'));
  symlinkSync(join(NOTEBOOK_DIR, 'show.ts'), join(root, 'run', 'show.ts'));
  assert.ok(existsSync(join(NOTEBOOK_DIR, 'node_modules', 'facecluster', 'index.js')), 'the notebook bundle is built (npm run notebooks:run builds it)');

  // Temporary Jupyter dirs; the tslab kernel spec of this checkout in its own prefix.
  temp = mkdtempSync(join(tmpdir(), 'facecluster-jupyter-'));
  const kernels = join(temp, 'prefix');
  const install = spawnSync(TSLAB, ['install', '--python=/usr/bin/python3', `--binary=${TSLAB}`, `--prefix=${kernels}`], { encoding: 'utf8' });
  assert.equal(install.status, 0, `tslab install: ${install.stderr}`);
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: join(temp, 'config'),
    JUPYTER_RUNTIME_DIR: join(temp, 'runtime'),
    JUPYTER_DATA_DIR: join(temp, 'data'),
    JUPYTER_PATH: join(kernels, 'share', 'jupyter'),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  };
  const port = await freePort();
  token = randomBytes(24).toString('hex');
  base = `http://127.0.0.1:${port}`;
  server = spawn(JUPYTER_NOTEBOOK, [
    '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', `--notebook-dir=${root}`,
    `--NotebookApp.token=${token}`, '--NotebookApp.password=', '--MappingKernelManager.cull_idle_timeout=0',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []), // CI containers run as root
  ], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (b) => { serverLog += b; });
  server.stderr!.on('data', (b) => { serverLog += b; });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`jupyter-notebook exited with ${server.exitCode}:\n${serverLog}`);
    try {
      const specs = (await api('/api/kernelspecs')) as { kernelspecs: Record<string, unknown> };
      assert.ok(specs.kernelspecs.tslab, `the server sees the tslab kernel spec (has ${Object.keys(specs.kernelspecs).join(', ')})`);
      break;
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      if (Date.now() > deadline) throw new Error(`jupyter-notebook did not answer on ${base} within 60 s:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    await stopServer();
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
});

/** Opens a notebook page and waits until classic Notebook has rendered it (and its kernel is connected). */
async function openNotebook(path: string): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/notebooks/${path}?token=${token}`);
  await page.waitForFunction('window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded', undefined, { timeout: 60_000 });
  await page.waitForFunction('Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()', undefined, { timeout: 60_000 });
  return page;
}

/** Lets the page grow to its content (classic Notebook scrolls inside #site) and takes a full-page screenshot. */
async function screenshot(page: Page, file: string): Promise<void> {
  await page.addStyleTag({ content: 'html, body, #site { height: auto !important; overflow: visible !important; }' });
  await page.screenshot({ path: join(SHOTS, file), fullPage: true });
}

/** Shuts down the kernels the pages started (opening a notebook starts one), so they do not pile up. */
async function shutdownKernels(): Promise<void> {
  for (const k of (await api('/api/kernels')) as { id: string }[]) await api(`/api/kernels/${k.id}`, 'DELETE');
}

/** What each code cell of the page shows: sizes of its visible images and tables, and its visible text. */
const CELL_CONTENT = `() => [...document.querySelectorAll('#notebook-container .cell.code_cell')].map((cell) => {
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const area = cell.querySelector('.output');
  const images = [...area.querySelectorAll('.output_subarea img, .output_subarea > svg, .output_svg svg')]
    .filter((e) => visible(e) && (e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0)));
  return {
    images: images.length,
    tables: [...area.querySelectorAll('.output_subarea table')].filter(visible).length,
    text: [...area.querySelectorAll('.output_subarea')].filter(visible).map((e) => e.innerText).join('').trim().length,
    errors: area.querySelectorAll('.output_error').length,
  };
})`;

const hasImage = (o: NotebookOutput) => ['image/png', 'image/svg+xml', 'image/jpeg', 'image/gif'].some((m) => o.data?.[m] !== undefined);
const hasTable = (o: NotebookOutput) => /<table/i.test(String(o.data?.['text/html'] ?? ''));

for (const name of skip ? [] : notebookNames()) {
  test(`classic Notebook in Chromium shows every output of the executed ${name}`, { skip }, async () => {
    const page = await openNotebook(`executed/${name}`);
    try {
      await page.waitForFunction(`[...document.querySelectorAll('.output_subarea img')].every((i) => i.complete)`, undefined, { timeout: 30_000 });
      const shown = (await page.evaluate(`(${CELL_CONTENT})()`)) as { images: number; tables: number; text: number; errors: number }[];
      const cells = readExecuted(name).cells.filter((c) => c.cell_type === 'code');
      assert.equal(shown.length, cells.length, 'one page cell per code cell');
      assert.equal(await page.evaluate('Jupyter.notebook.trusted'), false, 'opened as a notebook run elsewhere (untrusted)');
      const problems: string[] = [];
      cells.forEach((cell, i) => {
        const outputs = cell.outputs ?? [];
        if (outputs.length === 0) return;
        const want = { images: outputs.filter(hasImage).length, tables: outputs.filter(hasTable).length };
        const got = shown[i];
        if (got.images < want.images) problems.push(`code cell ${i}: ${got.images} visible images of ${want.images}`);
        if (got.tables < want.tables) problems.push(`code cell ${i}: ${got.tables} visible tables of ${want.tables}`);
        if (got.images + got.tables === 0 && got.text === 0) problems.push(`code cell ${i}: nothing visible`);
        if (got.errors > 0) problems.push(`code cell ${i}: an error output`);
      });
      await screenshot(page, `jupyter-${name.replace(/\.ipynb$/, '')}.png`);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await shutdownKernels();
    }
  });
}

test(`classic Notebook in Chromium runs ${RUN_FROM_PAGE} with the tslab kernel (Kernel > Restart & Run All)`, { skip }, async () => {
  const page = await openNotebook(`run/${RUN_FROM_PAGE}`);
  try {
    assert.equal(await page.evaluate('Jupyter.notebook.kernel.name'), 'tslab');
    const nCode = (await page.evaluate(`Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').length`)) as number;
    assert.equal(await page.locator('.output_subarea').count(), 0, 'the committed notebook has no outputs');
    await page.click('#kernellink');
    await page.click('#restart_run_all > a');
    await page.getByRole('button', { name: 'Restart and Run All Cells' }).click();
    // Done when every code cell has an execution count (the last one gets it when it finishes).
    await page.waitForFunction(`(() => {
      const code = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      return code.every((c) => typeof c.input_prompt_number === 'number') || document.querySelector('.output_error') !== null;
    })()`, undefined, { timeout: 300_000, polling: 1000 });
    const errors = await page.locator('.output_error').allInnerTexts();
    assert.deepEqual(errors, [], 'no cell failed');
    const shown = (await page.evaluate(`(${CELL_CONTENT})()`)) as { images: number; tables: number; text: number }[];
    assert.equal(shown.length, nCode);
    const last = shown[shown.length - 1];
    assert.ok(last.images >= 1, `the last cell's chart is drawn (${JSON.stringify(last)})`);
    assert.ok(shown.reduce((s, c) => s + c.images, 0) >= 4, 'the maps and histograms are drawn');
    await screenshot(page, `jupyter-run-${RUN_FROM_PAGE.replace(/\.ipynb$/, '')}.png`);
  } finally {
    await page.close();
    await shutdownKernels();
  }
});
