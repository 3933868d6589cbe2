import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ConnectionContext, ResponseFrames } from '../../src/broker/network/connection.js';
import { SocketServer } from '../../src/broker/network/socket-server.js';
import { noopLogger } from '../../src/common/logger.js';
import { RawClient } from '../helpers/raw-client.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

const tick = () => new Promise((r) => setTimeout(r, 20));

/** The limits a connection enforces per request, whatever arrives in one read. */
describe('connection limits', () => {
  const servers: SocketServer[] = [];
  after(async () => {
    for (const s of servers) await s.close(100);
  });

  async function serve(
    handler: (body: Buffer, ctx: ConnectionContext) => Promise<ResponseFrames> | ResponseFrames,
    limits: {
      maxInFlight?: number;
      maxQueuedResponseBytes?: number;
      queuedMaxRequestBytes?: number;
      maxConnections?: number;
    } = {},
  ): Promise<string> {
    const server = new SocketServer(
      handler,
      {
        maxFrameBytes: 1 << 20,
        maxInFlight: limits.maxInFlight ?? 100,
        maxQueuedResponseBytes: limits.maxQueuedResponseBytes ?? 1 << 20,
        idleTimeoutMs: 60_000,
      },
      noopLogger,
      {
        backlog: 16,
        queuedMaxRequestBytes: limits.queuedMaxRequestBytes ?? -1,
        maxConnections: limits.maxConnections ?? 1000,
      },
    );
    servers.push(server);
    const [bound] = await server.start([
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
    ]);
    return `127.0.0.1:${bound!.boundPort}`;
  }

  it('queued.max.requests=1 hands one request at a time to the handlers, even when ten arrive in one read', async () => {
    let running = 0;
    let most = 0;
    const bootstrap = await serve(
      async (body) => {
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
        return [frame(Buffer.from(`re:${body.toString()}`))];
      },
      { maxInFlight: 1 },
    );
    const c = await RawClient.open(bootstrap);
    c.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(Buffer.from(`r${i}`)))));
    for (let i = 0; i < 10; i++) assert.equal((await c.readFrame())?.toString(), `re:r${i}`);
    assert.equal(most, 1);
    c.close();
  });

  it('lets a response budget hold one response at a time, in request order, while the client does not read', async () => {
    const started: string[] = [];
    // Far more than the kernel's socket buffers take, so the client's not reading is what holds them.
    const records = Buffer.alloc(16 << 20);
    const bootstrap = await serve(
      async (body, ctx) => {
        // Each response reserves its 16 MiB, the whole budget, as a fetch reserves its records.
        const granted = ctx.budget!.acquire(records.length);
        const lease = granted instanceof Promise ? await granted : granted;
        started.push(body.toString());
        const size = Buffer.alloc(4);
        size.writeInt32BE(1 + records.length);
        const out: ResponseFrames = [size, Buffer.from(body.toString()), records];
        out.onSent = () => lease.release();
        return out;
      },
      { maxQueuedResponseBytes: 16 << 20 },
    );
    const c = await RawClient.open(bootstrap);
    c.pause();
    c.write(Buffer.concat(['a', 'b', 'c', 'd'].map((n) => frame(Buffer.from(n)))));
    await tick();
    await tick();
    // The first response is written and waits for the client; the others wait for its bytes.
    assert.deepEqual(started, ['a']);
    c.resume();
    for (const n of ['a', 'b', 'c', 'd']) assert.equal((await c.readFrame())?.[0], n.charCodeAt(0));
    assert.deepEqual(started, ['a', 'b', 'c', 'd']);
    c.close();
  });

  it('does not read a large request while queued.max.request.bytes is held by another, and serves small ones', async () => {
    const bootstrap = await serve((body) => [frame(Buffer.from(`len:${body.length}`))], {
      queuedMaxRequestBytes: 256 << 10,
    });
    // The first connection sends most of a 300 KiB request: its whole size is taken from the pool.
    const hog = await RawClient.open(bootstrap);
    const size = Buffer.alloc(4);
    size.writeInt32BE(300 << 10);
    hog.write([size, Buffer.alloc(100 << 10)]);
    await tick();
    // A second large request waits for the pool; a small one, whole in one read, is answered.
    const other = await RawClient.open(bootstrap);
    other.write(frame(Buffer.alloc(200 << 10)));
    const small = await RawClient.open(bootstrap);
    small.write(frame(Buffer.from('x')));
    assert.equal((await small.readFrame())?.toString(), 'len:1');
    await tick();
    await assert.rejects(other.readFrame(100), /timed out/);
    // Once the first request is complete and answered, the pool is free and the second is read.
    hog.write(Buffer.alloc(200 << 10));
    assert.equal((await hog.readFrame())?.toString(), `len:${300 << 10}`);
    assert.equal((await other.readFrame())?.toString(), `len:${200 << 10}`);
    for (const c of [hog, other, small]) c.close();
  });

  it('closes a connection beyond max.connections and serves the ones it keeps', async () => {
    const bootstrap = await serve((body) => [frame(body)], { maxConnections: 2 });
    const kept = [await RawClient.open(bootstrap), await RawClient.open(bootstrap)];
    for (const c of kept) {
      c.write(frame(Buffer.from('k')));
      assert.equal((await c.readFrame())?.toString(), 'k');
    }
    const extra = await RawClient.open(bootstrap);
    assert.equal(await extra.closedByPeer(), true);
    kept[0]!.close();
    // The count follows closes: a slot is free again.
    let next: RawClient | null = null;
    for (let attempt = 0; next === null && attempt < 50; attempt++) {
      const c = await RawClient.open(bootstrap);
      c.write(frame(Buffer.from('n')));
      if ((await c.readFrame())?.toString() === 'n') next = c;
      else await tick();
    }
    assert.ok(next, 'a new connection is served once one closed');
    next.close();
    kept[1]!.close();
  });
});
