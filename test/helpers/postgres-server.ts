import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Debian's PostgreSQL binaries (postgresql-NN puts them under /usr/lib/postgresql/NN/bin). */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, run it as the postgres user Debian's package creates. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  return { uid, gid };
}

/**
 * A throwaway PostgreSQL server for tests: initdb in a temporary directory, wal_level=logical,
 * trust authentication on 127.0.0.1 and a free port; `stop` kills it and removes the directory.
 */
export class PostgresServer {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly child: ChildProcess,
    private readonly log: () => string,
  ) {}

  static async start(): Promise<PostgresServer> {
    const bin = postgresBinDir();
    const owner = runAs();
    const dir = mkdtempSync(join(tmpdir(), 'strom-pg-'));
    chmodSync(dir, 0o777);
    const data = join(dir, 'data');
    const ids = owner ? { uid: owner.uid, gid: owner.gid } : {};
    const init = spawnSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
      { encoding: 'utf8', ...ids },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}${init.stdout}`);
    const port = await freePort();
    const child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'wal_level=logical',
        '-c',
        'max_replication_slots=8',
        '-c',
        'max_wal_senders=8',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'shared_buffers=32MB',
        '-c',
        'max_connections=40',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], ...ids },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const server = new PostgresServer(port, dir, child, () => out);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const c = await server.client();
        await c.end();
        return server;
      } catch (err) {
        if (child.exitCode !== null || Date.now() > deadline) {
          await server.stop();
          throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  output(): string {
    return this.log();
  }

  async client(database = 'postgres'): Promise<pg.Client> {
    const c = new pg.Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database });
    c.on('error', () => {});
    await c.connect();
    return c;
  }

  async createDatabase(name: string): Promise<void> {
    const c = await this.client();
    try {
      await c.query(`CREATE DATABASE "${name}"`);
    } finally {
      await c.end();
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      // SIGQUIT: PostgreSQL's immediate shutdown, which also ends its backends.
      this.child.kill('SIGQUIT');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
