import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CloseConnectionError, type ResponseFrames } from '../../src/broker/network/connection.js';
import { SocketServer } from '../../src/broker/network/socket-server.js';
import { noopLogger } from '../../src/common/logger.js';
import { RawClient } from '../helpers/raw-client.js';

/** A frame with a 4-byte size prefix and `body`. */
function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/**
 * Responses may refer to pooled buffers (fetch reads): `onSent` must run once for every response,
 * after its bytes are with the socket, or when the connection drops it.
 */
describe('connection: responses are released once written or dropped', () => {
  const servers: SocketServer[] = [];
  after(async () => {
    for (const s of servers) await s.close(100);
  });

  async function serve(handler: (body: Buffer) => Promise<ResponseFrames> | ResponseFrames): Promise<string> {
    const server = new SocketServer(
      (f) => handler(f),
      { maxFrameBytes: 1 << 20, maxInFlight: 100, maxQueuedResponseBytes: 1 << 20, idleTimeoutMs: 60_000 },
      noopLogger,
      { backlog: 16 },
    );
    servers.push(server);
    const [bound] = await server.start([
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
    ]);
    return `127.0.0.1:${bound!.boundPort}`;
  }

  it('runs onSent after the response is written, once', async () => {
    let sent = 0;
    const bootstrap = await serve((body) => {
      const out: ResponseFrames = [frame(Buffer.from(`re:${body.toString()}`))];
      out.onSent = () => sent++;
      return out;
    });
    const c = await RawClient.open(bootstrap);
    c.write([frame(Buffer.from('a')), frame(Buffer.from('b'))]);
    assert.equal((await c.readFrame())?.toString(), 're:a');
    assert.equal((await c.readFrame())?.toString(), 're:b');
    assert.equal(sent, 2);
    c.close();
  });

  it('releases responses dropped when an earlier request fails, including ones finishing later', async () => {
    const released: string[] = [];
    let finishSlow!: () => void;
    const bootstrap = await serve(async (body) => {
      const name = body.toString();
      if (name === 'fail') {
        // Let the requests behind it be accepted first.
        await new Promise((r) => setTimeout(r, 20));
        throw new CloseConnectionError('test failure');
      }
      if (name === 'slow') await new Promise<void>((r) => (finishSlow = r));
      const out: ResponseFrames = [frame(body)];
      out.onSent = () => released.push(name);
      return out;
    });
    const c = await RawClient.open(bootstrap);
    c.write([frame(Buffer.from('fail')), frame(Buffer.from('done')), frame(Buffer.from('slow'))]);
    assert.equal(await c.closedByPeer(), true);
    assert.deepEqual(released, ['done']);
    finishSlow();
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(released, ['done', 'slow']);
  });
});
