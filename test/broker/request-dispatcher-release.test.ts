import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineHandler, NO_RESPONSE, type RequestContext } from '../../src/broker/api-handler.js';
import type { ConnectionContext } from '../../src/broker/network/connection.js';
import { RequestDispatcher } from '../../src/broker/request-dispatcher.js';
import { noopLogger } from '../../src/common/logger.js';
import { encodeRequest } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { ApiVersionsRequest } from '../../src/protocol/generated/messages/api-versions-request.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/messages/api-versions-response.js';

const connection: ConnectionContext = {
  connectionId: 'test-1',
  listenerName: 'PLAINTEXT',
  clientAddress: '127.0.0.1:1',
  log: noopLogger,
};

/** An ApiVersions v0 request frame as the connection hands it over (size prefix stripped). */
function frame(): Buffer {
  return Buffer.concat(encodeRequest(ApiKey.ApiVersions, 0, 7, 'test', {})).subarray(4);
}

/** A dispatcher whose one handler lends a buffer through afterResponse, then does `finish`. */
function dispatcher(finish: (ctx: RequestContext) => unknown): {
  d: RequestDispatcher;
  released: () => number;
} {
  let released = 0;
  const handler = defineHandler(ApiVersionsRequest, ApiVersionsResponse, { min: 0, max: 4 }, (_req, ctx) => {
    ctx.afterResponse?.(() => released++);
    return finish(ctx) as never;
  });
  return { d: new RequestDispatcher([handler], noopLogger), released: () => released };
}

/**
 * What a handler lends to its response (afterResponse) is given back exactly once: by the frames'
 * onSent when there is a response, at once when there is none or the handler failed.
 */
describe('RequestDispatcher: lent buffers are released once', () => {
  it('hands the release to the response frames, to run when they are written', async () => {
    const { d, released } = dispatcher(() => ({ errorCode: 0, apiKeys: [] }));
    const frames = await d.handleFrame(frame(), connection);
    assert.ok(frames?.onSent);
    assert.equal(released(), 0, 'not before the frames are written');
    frames.onSent();
    frames.onSent();
    assert.equal(released(), 1);
  });

  it('releases at once when the request takes no response', async () => {
    const { d, released } = dispatcher(() => NO_RESPONSE);
    assert.equal(await d.handleFrame(frame(), connection), null);
    assert.equal(released(), 1);
  });

  it('releases at once when the handler fails', async () => {
    const { d, released } = dispatcher(() => {
      throw new Error('boom');
    });
    await assert.rejects(d.handleFrame(frame(), connection), /boom/);
    assert.equal(released(), 1);
  });

  it('sets no onSent when nothing was lent', async () => {
    const handler = defineHandler(ApiVersionsRequest, ApiVersionsResponse, { min: 0, max: 4 }, () => ({
      errorCode: 0,
      apiKeys: [],
    }));
    const frames = await new RequestDispatcher([handler], noopLogger).handleFrame(frame(), connection);
    assert.equal(frames?.onSent, undefined);
  });
});
