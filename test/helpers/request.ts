import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import type { MessageInput } from '../../src/protocol/message-codec.js';
import { RawClient } from './raw-client.js';

let correlation = 1;

/** Sends one request on a fresh raw connection and decodes the response body. */
export async function request<T>(
  bootstrap: string,
  apiKey: number,
  version: number,
  body: MessageInput<unknown>,
): Promise<T> {
  const c = await RawClient.open(bootstrap);
  try {
    const id = correlation++;
    c.write(encodeRequest(apiKey, version, id, 'strom-test', body));
    const frame = await c.readFrame(10_000);
    if (!frame) throw new Error('connection closed by broker');
    const res = decodeResponse(apiKey, version, frame);
    if (res.correlationId !== id) throw new Error(`correlation id ${res.correlationId} != ${id}`);
    return res.body as T;
  } finally {
    c.close();
  }
}
