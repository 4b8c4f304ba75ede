/**
 * Test helpers: a throwaway Debian `redis-server` on 127.0.0.1 (free port, temporary folder, no
 * persistence), stopped by its pid; CLI processes whose output can be awaited line by line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/paths.ts';

export const BIN = join(PROJECT_ROOT, 'bin', 'facecluster.js');

/** Path of Debian's redis-server, or undefined when it is not installed. */
export function redisServerPath(): string | undefined {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (spawnSync(p, ['--version']).status === 0) return p;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  /** `redis://127.0.0.1:PORT` (`rediss://:PASSWORD@...` with TLS and a password). */
  url: string;
  port: number;
  pid(): number;
  /** Kills the server (SIGKILL: its data is gone, there is no persistence) and starts an empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** TLS files of a test server (PEM paths): its certificate and key, and the authority that signed them. */
export interface TestTls {
  cert: string;
  key: string;
  ca: string;
}

/**
 * Starts `redis-server` on 127.0.0.1 with a free port and a temporary folder; resolves when it accepts connections.
 * With `tls` it listens only for TLS (`url` is `rediss://`); with `password` it requires it (`url` carries it).
 */
export async function startRedis(options: { tls?: TestTls; password?: string } = {}): Promise<TestRedis> {
  const bin = redisServerPath();
  if (!bin) throw new Error('redis-server not found (apt-get install redis-server)');
  const dir = mkdtempSync(join(tmpdir(), 'fc-redis-'));
  const port = await freePort();
  let child: ChildProcess;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const listen = options.tls
        ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no']
        : ['--port', String(port)];
      const auth = options.password !== undefined ? ['--requirepass', options.password] : [];
      child = spawn(bin, [...listen, ...auth, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 15_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${out}`));
      });
    });
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    process.kill(child.pid!, signal);
    await exited;
  };
  await launch();
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : ''}127.0.0.1:${port}`,
    port,
    pid: () => child.pid!,
    async restart() {
      await kill('SIGKILL');
      await launch();
    },
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Cli {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output matches `pattern` (rejects when the process ends first). */
  waitFor(pattern: RegExp, what?: string): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (-1 when killed by a signal). */
  exited: Promise<number>;
}

/** Spawns `facecluster ...args`. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d;
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : -2))));
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, what = String(pattern)) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            listeners.delete(check);
            resolve(m);
          }
        };
        listeners.add(check);
        check();
        void exited.then((code) => {
          if (listeners.has(check)) {
            listeners.delete(check);
            reject(new Error(`facecluster ${args[0]} exited (${code}) before printing ${what}:\n${out}`));
          }
        });
      });
    },
  };
}

/** Stops a CLI process by its pid (SIGTERM, then SIGKILL after `graceMs`) and resolves with its exit code. */
export async function stopCli(c: Cli, graceMs = 20_000): Promise<number> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return c.exited;
  process.kill(c.child.pid!, 'SIGTERM');
  const timer = setTimeout(() => c.child.exitCode === null && process.kill(c.child.pid!, 'SIGKILL'), graceMs);
  const code = await c.exited;
  clearTimeout(timer);
  return code;
}

/** A throwaway certificate authority and a server certificate for 127.0.0.1 signed by it (openssl), in `dir`. */
export function makeTestTls(dir: string): TestTls {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=facecluster test CA']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext']);
  return { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: join(dir, 'ca.crt') };
}

/** Whether the openssl command is there (to make the TLS test's certificates). */
export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}
