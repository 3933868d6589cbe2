import { StromError } from '../../common/strom-error.js';

/** Rejects what still waits for a budget whose connection has closed. */
export class BudgetClosedError extends StromError {
  constructor() {
    super('BUDGET_CLOSED', 'the connection closed while the request waited for memory');
  }
}

/** Bytes taken from a ByteBudget; give them back with release() once nothing holds them. */
export interface ByteLease {
  readonly bytes: number;
  /** Takes more bytes (or gives some back) without waiting: for a size known only after the work. */
  resize(bytes: number): void;
  /** Gives the bytes back; later calls do nothing. */
  release(): void;
}

interface Waiter {
  readonly bytes: number;
  readonly grant: (lease: ByteLease) => void;
  readonly fail: (err: Error) => void;
}

/**
 * Memory one connection may hold for the work of its requests at once, such as the records of the
 * fetch responses it has in flight. Work that does not fit waits, in arrival order, until earlier
 * work gives its bytes back: for a fetch that is when its response has been handed to the kernel,
 * so reads happen as fast as the client drains its socket and no faster. Work larger than the whole
 * budget proceeds when it is alone, so one request is never refused for its size alone (its size is
 * bounded elsewhere, e.g. by fetch.max.bytes).
 */
export class ByteBudget {
  private used = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    readonly limitBytes: number,
    /** Runs after bytes are given back: the owner may resume reading. */
    private readonly onRelease: () => void = () => undefined,
  ) {}

  get usedBytes(): number {
    return this.used;
  }

  /** Whether new work would have to wait. */
  get exhausted(): boolean {
    return this.waiters.length > 0 || this.used >= this.limitBytes;
  }

  /** A lease of `bytes` at once when they fit (or nothing is held), else a promise of one. */
  acquire(bytes: number): ByteLease | Promise<ByteLease> {
    if (this.closed) return Promise.reject(new BudgetClosedError());
    if (this.waiters.length === 0 && this.fits(bytes)) return this.lease(bytes);
    return new Promise((grant, fail) => this.waiters.push({ bytes, grant, fail }));
  }

  /** Fails everything waiting; leases already granted are still given back as usual. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.fail(new BudgetClosedError());
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limitBytes;
  }

  private lease(bytes: number): ByteLease {
    this.used += bytes;
    let held = bytes;
    let released = false;
    const lease: ByteLease = {
      get bytes() {
        return held;
      },
      resize: (next: number) => {
        if (released) return;
        const shrunk = next < held;
        this.used += next - held;
        held = next;
        if (shrunk) this.grantWaiting();
      },
      release: () => {
        if (released) return;
        released = true;
        this.used -= held;
        this.grantWaiting();
        this.onRelease();
      },
    };
    return lease;
  }

  private grantWaiting(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const w = this.waiters.shift()!;
      w.grant(this.lease(w.bytes));
    }
  }
}
