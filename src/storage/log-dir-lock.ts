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
 * owner died, e.g. SIGKILL) and is taken over. The known gap: a stale pid reused by an unrelated
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
      const ownerAlive = owner !== null && (owner === process.pid ? heldHere.has(dir) : isAlive(owner));
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
