import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../../src/cli/server-node-flags.js';
import { REPO_ROOT } from './repo-root.js';

/** Long enough for a cold start on a busy 2-core machine; a broker that needs more is broken. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** One request line of the broker's debug log: which client sent which API at which version. */
export interface RequestLogEntry {
  readonly clientId: string | null;
  readonly api: string;
  readonly version: number;
}

export interface BrokerProcessOptions {
  /** Extra `--override key=value` broker config (Kafka names). */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Reuse a data directory (a restart); otherwise a fresh temporary one, removed by `cleanup()`. */
  readonly logDir?: string;
  /** Listen on this port (a restart that clients must find again); otherwise a free one. */
  readonly port?: number;
}

/** A free TCP port on 127.0.0.1, found by binding port 0 and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A real `strom server` process, as an operator runs it: `node bin/strom.js server` with the
 * listener and log dir given as overrides. The debug log is parsed so tests can see which API
 * versions each client negotiated. `stop()` sends SIGTERM and requires exit code 0; `kill()` is
 * SIGKILL, for the durability test.
 */
export class BrokerProcess {
  readonly requests: RequestLogEntry[] = [];
  private readonly requestWaiters: { match: (r: RequestLogEntry) => boolean; resolve: () => void }[] = [];
  private output = '';
  /** Set by stop() and kill(): any other exit is a crash, reported by stop(). */
  private stopping = false;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly logDir: string,
    private readonly ownsLogDir: boolean,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.stopping) this.output += `broker exited unexpectedly: code ${code}, signal ${signal}\n`;
        resolve({ code, signal });
      });
    });
    let partial = '';
    child.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.onLine(line);
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
    const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'strom-compat-'));
    const port = options.port ?? (await freePort());
    const overrides: Record<string, string> = {
      listeners: `PLAINTEXT://127.0.0.1:${port}`,
      // The default HTTP port, 9644, would be shared by the brokers of tests run side by side.
      'strom.http.listeners': 'http://127.0.0.1:0',
      'log.dirs': logDir,
      ...options.overrides,
    };
    // As the `strom` command's shebang runs it.
    const args = [...SERVER_NODE_FLAGS, join(REPO_ROOT, 'bin/strom.js'), 'server', '--log-level', 'debug'];
    for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const broker = new BrokerProcess(child, port, logDir, options.logDir === undefined);
    await broker.waitForStart();
    return broker;
  }

  private started: (() => void) | null = null;

  private onLine(line: string): void {
    if (!line.startsWith('{')) {
      this.output += `${line}\n`;
      return;
    }
    const entry = JSON.parse(line) as {
      msg: string;
      level: string;
      api?: string;
      version?: number;
      clientId?: string | null;
    };
    if (entry.msg === 'request' && entry.api !== undefined && entry.version !== undefined) {
      const request = { clientId: entry.clientId ?? null, api: entry.api, version: entry.version };
      this.requests.push(request);
      for (const w of this.requestWaiters.filter((x) => x.match(request))) {
        this.requestWaiters.splice(this.requestWaiters.indexOf(w), 1);
        w.resolve();
      }
    } else if (entry.level !== 'debug') {
      // Keep lifecycle lines and problems for failure messages; per-request lines would swamp them.
      this.output = `${this.output}${line}\n`.slice(-20_000);
    }
    if (entry.msg === 'broker started') this.started?.();
  }

  private async waitForStart(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const started = new Promise<'started'>((resolve) => {
      this.started = () => resolve('started');
    });
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), START_TIMEOUT_MS);
    });
    const outcome = await Promise.race([started, this.exited.then(() => 'exited' as const), timeout]);
    clearTimeout(timer);
    if (outcome !== 'started') {
      this.child.kill('SIGKILL');
      assert.fail(`broker did not start (${outcome}):\n${this.output}`);
    }
  }

  /**
   * Resolves when a client whose id starts with `clientIdPrefix` sends `api` after this call (seen in
   * the debug log): a way to order client actions without sleeping.
   */
  nextRequest(clientIdPrefix: string, api: string): Promise<void> {
    return new Promise((resolve) => {
      this.requestWaiters.push({
        match: (r) => r.api === api && r.clientId !== null && r.clientId.startsWith(clientIdPrefix),
        resolve,
      });
    });
  }

  /** The broker's lines above debug level (the last 20,000 characters), to check what it logged. */
  get recentLog(): string {
    return this.output;
  }

  /** Versions each API was sent at by clients whose id starts with `clientIdPrefix`. */
  versionsUsedBy(clientIdPrefix: string): Map<string, number[]> {
    const out = new Map<string, Set<number>>();
    for (const r of this.requests) {
      if (r.clientId === null || !r.clientId.startsWith(clientIdPrefix)) continue;
      const set = out.get(r.api) ?? new Set<number>();
      set.add(r.version);
      out.set(r.api, set);
    }
    return new Map([...out].map(([api, vs]) => [api, [...vs].sort((a, b) => a - b)]));
  }

  /** `Produce v2, v3; Fetch v4`-style summary for test diagnostics and the compatibility doc. */
  describeVersions(clientIdPrefix: string): string {
    return [...this.versionsUsedBy(clientIdPrefix)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([api, vs]) => `${api} v${vs.join('/')}`)
      .join(', ');
  }

  /** SIGTERM, then the process must exit by itself with code 0 (a clean shutdown). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      assert.fail(`broker was no longer running when the test stopped it:\n${this.output}`);
    }
    this.stopping = true;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS);
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === null) {
      this.child.kill('SIGKILL');
      assert.fail(`broker did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${this.output}`);
    }
    assert.deepEqual(result, { code: 0, signal: null }, `broker exit after SIGTERM:\n${this.output}`);
  }

  /** SIGKILL: no shutdown hooks, whatever was not written to the OS is lost. */
  async kill(): Promise<void> {
    this.stopping = true;
    this.child.kill('SIGKILL');
    const result = await this.exited;
    assert.equal(result.signal, 'SIGKILL');
  }

  /** Removes the temporary data directory this process created (not a caller's). */
  cleanup(): void {
    if (this.ownsLogDir) rmSync(this.logDir, { recursive: true, force: true });
  }

  /** Stops cleanly (asserting exit 0) and removes the data directory. */
  async close(): Promise<void> {
    try {
      await this.stop();
    } finally {
      this.cleanup();
    }
  }
}
