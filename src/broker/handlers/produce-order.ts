/**
 * Keeps each connection's produce appends in request order while some requests wait for their
 * compressed batches to be checked piece by piece. A request starts at once when nothing of its
 * connection is waiting (the common case costs nothing), else after the one before it has issued
 * its appends. Kafka gets the same order by handling one request per connection at a time.
 *
 * This also bounds the decompression work in flight per connection to one batch: a request's
 * checks run one after another, and the next request waits for them.
 */
export interface ProduceStart<T> {
  /** Resolves once every append of the request has been issued (offsets assigned); null if already. */
  issued: Promise<void> | null;
  result: Promise<T>;
}

export class ProduceOrder {
  private readonly tails = new WeakMap<object, Promise<void>>();

  run<T>(connection: object, start: () => ProduceStart<T>): Promise<T> {
    const tail = this.tails.get(connection);
    if (tail === undefined) {
      const started = start();
      if (started.issued !== null) this.setTail(connection, started.issued);
      return started.result;
    }
    const started = tail.then(start);
    this.setTail(
      connection,
      started.then((s) => s.issued ?? undefined),
    );
    return started.then((s) => s.result);
  }

  /** Whether a request of this connection is still waiting to issue its appends. */
  waiting(connection: object): boolean {
    return this.tails.has(connection);
  }

  private setTail(connection: object, issued: Promise<unknown>): void {
    // A failed request does not hold up the next: its failure travels in its own response.
    const tail = issued.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(connection, tail);
    void tail.then(() => {
      if (this.tails.get(connection) === tail) this.tails.delete(connection);
    });
  }
}
