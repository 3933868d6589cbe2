import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLIENTS_DIR } from './repo-root.js';

/** What clients/group_member.py reports, one JSON object a line. */
export type MemberEvent =
  | { readonly event: 'assigned' | 'revoked'; readonly partitions: readonly number[] }
  | { readonly event: 'record'; readonly partition: number; readonly offset: number; readonly key: string }
  | { readonly event: 'committed' | 'closed' }
  | { readonly event: 'error'; readonly error: string };

export type MemberClient = 'confluent' | 'kafka-python';

/** Generous: a rebalance waits for every member's next poll, and the machine is shared. */
const WAIT_TIMEOUT_MS = 60_000;

/**
 * One long-running group member in its own process (clients/group_member.py), driven over stdin
 * and observed through its event lines: the multi-member scenarios need members that stay in the
 * group while others join and leave.
 */
export class MemberProcess {
  readonly events: MemberEvent[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    let partial = '';
    child.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.events.push(JSON.parse(line) as MemberEvent);
      this.wake();
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = `${this.stderr}${d.toString()}`.slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.wake();
        resolve(code);
      });
    });
  }

  static start(
    client: MemberClient,
    bootstrap: string,
    topic: string,
    group: string,
    name: string,
    instanceId?: string,
  ): MemberProcess {
    const args = [join(CLIENTS_DIR, 'group_member.py'), client, bootstrap, topic, group, name];
    if (instanceId !== undefined) args.push(instanceId);
    const child = spawn('/usr/bin/python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    return new MemberProcess(child, name);
  }

  private wake(): void {
    for (const w of this.waiters.filter((x) => x.check())) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  /** Resolves once `check` holds over the events seen so far; fails after a minute or on exit. */
  async waitFor(what: string, check: () => boolean): Promise<void> {
    if (check()) return;
    let timer: NodeJS.Timeout | undefined;
    // `check` may look at other members' events too, which do not wake this member: re-check often.
    const recheck = setInterval(() => this.wake(), 100);
    const done = new Promise<boolean>((resolve) => {
      this.waiters.push({
        check: () => check() || this.child.exitCode !== null,
        resolve: () => resolve(true),
      });
      timer = setTimeout(() => resolve(false), WAIT_TIMEOUT_MS);
    });
    const ok = await done;
    clearTimeout(timer);
    clearInterval(recheck);
    const history = this.events.filter((e) => e.event !== 'record').map((e) => JSON.stringify(e));
    assert.ok(
      ok && check(),
      `member ${this.name}: ${what} did not happen:\n${history.join('\n')}\n${this.stderr}`,
    );
  }

  /** The partitions of the latest assignment (librdkafka's and kafka-python's are whole, not incremental). */
  assignment(): number[] {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.event === 'assigned') return [...e.partitions];
    }
    return [];
  }

  assignments(): number {
    return this.events.filter((e) => e.event === 'assigned').length;
  }

  /** Records consumed, as `partition:offset` strings (each once per delivery). */
  records(): { partition: number; offset: number; key: string }[] {
    return this.events.flatMap((e) => (e.event === 'record' ? [e] : []));
  }

  /** Waits for an assignment event after the first `after` ones that has `count` partitions. */
  async waitForAssignment(count: number, after = 0): Promise<number[]> {
    await this.waitFor(`an assignment of ${count} partitions`, () => {
      const assigned = this.events.filter((e) => e.event === 'assigned');
      return assigned.length > after && this.assignment().length === count;
    });
    return this.assignment();
  }

  async commit(): Promise<void> {
    const before = this.events.filter((e) => e.event === 'committed').length;
    this.child.stdin!.write('commit\n');
    await this.waitFor('commit', () => this.events.filter((e) => e.event === 'committed').length > before);
  }

  /** Commits, closes the consumer (LeaveGroup unless static) and requires a clean exit. */
  async close(): Promise<void> {
    this.child.stdin!.end('close\n');
    const code = await this.exited;
    assert.equal(code, 0, `member ${this.name} exit:\n${this.stderr}`);
    assert.ok(this.events.some((e) => e.event === 'closed'));
  }

  /** For cleanup after a failure: no process outlives its test. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
