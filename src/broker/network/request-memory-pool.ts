/**
 * The broker-wide memory for requests being read and handled: `queued.max.request.bytes`, as
 * Kafka's SocketServer uses a SimpleMemoryPool in non-strict mode. A connection takes a request's
 * whole size as soon as its size prefix is read, before it buffers the body, and gives it back once
 * the request has been handled. While the pool is used up, connections do not start reading new
 * requests (the kernel's socket buffers hold what clients send meanwhile); a request whose size was
 * taken is read to its end. Non-strict: a request is admitted while any memory is free, so use can
 * pass the capacity by at most one request (socket.request.max.bytes).
 */
export class RequestMemoryPool {
  private used = 0;
  private waiters: (() => void)[] = [];

  /** `capacityBytes` <= 0 means no limit (Kafka's MemoryPool.NONE). */
  constructor(readonly capacityBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  get bounded(): boolean {
    return this.capacityBytes > 0;
  }

  /** Whether a new request may start: some memory is free. */
  get available(): boolean {
    return !this.bounded || this.used < this.capacityBytes;
  }

  /** Takes `bytes` when any memory is free; false otherwise (wait with whenAvailable). */
  tryAllocate(bytes: number): boolean {
    if (!this.available) return false;
    this.used += bytes;
    return true;
  }

  /** Takes `bytes` that are already in memory (a request that arrived whole in one read). */
  allocate(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
    if (this.waiters.length > 0 && this.available) {
      const ready = this.waiters;
      this.waiters = [];
      for (const w of ready) w();
    }
  }

  /** Runs `resume` once memory is free (at once when it is); every waiter retries, in order. */
  whenAvailable(resume: () => void): void {
    if (this.available) resume();
    else this.waiters.push(resume);
  }

  /** Forgets a waiter whose connection closed. */
  cancel(resume: () => void): void {
    const i = this.waiters.indexOf(resume);
    if (i >= 0) this.waiters.splice(i, 1);
  }
}
