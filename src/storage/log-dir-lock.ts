import * as fs from 'node:fs';
import { join } from 'node:path';
import { StorageError } from './storage-error.js';

export const LOCK_FILE = '.lock';

/** Dirs locked by this process; a pid match alone cannot tell us apart from a stale lock of ours. */
const heldHere = new Set<string>();

/**
 * The `.lock` file of a log dir. Node has no flock(), so the lock is an exclusive create ('wx')
 * holding our pid. If the file exists, its pid is checked: a live process other than us (or this
 * process when it already holds the dir) means the dir is in use; otherwise the lock is stale (its
 * owner died, e.g. SIGKILL) and is taken over. An owner that is exiting (killed, not yet gone or
 * reaped, as right after a SIGKILL) is waited for, briefly. The known gap: a stale pid reused by an unrelated
 * live process makes start-up refuse until the operator removes `.lock`; that fails safe.
 */
export class LogDirLock {
  readonly dir: string;
  private released = false;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static acquire(dir: string): LogDirLock {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(path, 'wx');
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        heldHere.add(dir);
        return new LogDirLock(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = readPid(path);
      const ownerAlive =
        owner !== null && (owner === process.pid ? heldHere.has(dir) : isAlive(owner) && !waitForExit(owner));
      if (ownerAlive || (owner === null && isFresh(path))) {
        throw new StorageError(
          'LOG_DIR_LOCKED',
          `log dir ${dir} is in use by ${owner === null ? 'another process' : `process ${owner}`} (${path}); stop it, or remove ${LOCK_FILE} if it is not running`,
        );
      }
      // Stale: its owner is gone. Removing and retrying the exclusive create keeps the race with
      // another starting process safe: only one of us wins the 'wx'.
      fs.rmSync(path, { force: true });
    }
    throw new StorageError('LOG_DIR_LOCKED', `could not lock log dir ${dir}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.dir);
    fs.rmSync(join(this.dir, LOCK_FILE), { force: true });
  }
}

function readPid(path: string): number | null {
  try {
    const n = Number.parseInt(fs.readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** How long start-up waits for a lock holder that is exiting (Linux; elsewhere it never waits). */
export const EXITING_OWNER_WAIT_MS = 5000;
/** A signal just sent may not show in /proc at once: a running owner is looked at this long. */
const EXIT_GRACE_MS = 100;
const POLL_MS = 20;
/** PF_EXITING in /proc/<pid>/stat's flags: the process is in do_exit. */
const PF_EXITING = 0x4;
/** SIGKILL's bit in /proc/<pid>/status's pending-signal masks. */
const SIGKILL_BIT = 1n << 8n;

/**
 * Waits, up to EXITING_OWNER_WAIT_MS, for a lock holder that is on its way out: a zombie (dead,
 * not reaped by its parent yet; it holds nothing), a process in do_exit, or one with SIGKILL
 * pending. True when it is gone or a zombie; false at once for a process running normally.
 */
function waitForExit(pid: number): boolean {
  const start = Date.now();
  for (;;) {
    const state = linuxProcessState(pid);
    if (state === 'gone') return true;
    const elapsed = Date.now() - start;
    if (state === 'unknown' || elapsed >= EXITING_OWNER_WAIT_MS) return false;
    if (state === 'running' && elapsed >= EXIT_GRACE_MS) return false;
    // Start-up is synchronous: block this thread briefly rather than spin.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
  }
}

/** From /proc: 'gone' (no such process, or a zombie), 'exiting', 'running'; 'unknown' without /proc. */
function linuxProcessState(pid: number): 'gone' | 'exiting' | 'running' | 'unknown' {
  let stat: string;
  let status: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return 'unknown';
    return fs.existsSync('/proc/self/stat') ? 'gone' : 'unknown';
  }
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": comm may hold spaces and parens.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return 'gone';
  if ((Number(fields[6]) & PF_EXITING) !== 0) return 'exiting';
  for (const key of ['SigPnd', 'ShdPnd']) {
    const m = new RegExp(`^${key}:\\s*([0-9a-f]+)$`, 'm').exec(status);
    if (m && (BigInt(`0x${m[1]}`) & SIGKILL_BIT) !== 0n) return 'exiting';
  }
  return 'running';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An empty lock file may be one another process has just created and not yet written. */
function isFresh(path: string): boolean {
  try {
    return Date.now() - fs.statSync(path).mtimeMs < 2000;
  } catch {
    return false;
  }
}
