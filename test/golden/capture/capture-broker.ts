import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { encodeResponse } from '../../../src/protocol/frame.js';
import { API_REGISTRY, ApiKey } from '../../../src/protocol/generated/api-registry.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';
import { decodeRequestHeader } from '../../../src/protocol/request-header.js';
import { CAPTURE_HANDLERS } from './capture-handlers.js';
import { CaptureState } from './capture-state.js';

/** One request as the client sent it. `frame` is header + body, without the 4-byte size. */
export interface CapturedFrame {
  connectionId: number;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  frame: Buffer;
  /** Why the broker could not answer, when it could not (the connection was then closed). */
  error?: string;
}

export interface CaptureBrokerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Partitions given to topics created on first mention. */
  partitionsPerTopic?: number;
}

/** Frames beyond this are not something a test client sends; refuse rather than buffer them. */
const FRAME_BYTES_MAX = 64 * 1024 * 1024;

/**
 * A tiny fake Kafka broker for tests and fixture capture: it records every request frame raw and
 * answers just enough (see capture-handlers.ts) for real clients to produce and fetch. Responses
 * are encoded with the generated codecs, so a client accepting them also checks those codecs.
 * It is a test tool with no durability, one node and groups of one; it is not the broker.
 */
export class CaptureBroker {
  readonly frames: CapturedFrame[] = [];
  readonly state: CaptureState;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextConnectionId = 1;

  private constructor(server: Server, state: CaptureState) {
    this.server = server;
    this.state = state;
  }

  static async start(options: CaptureBrokerOptions = {}): Promise<CaptureBroker> {
    const host = options.host ?? '127.0.0.1';
    const state = new CaptureState(host, 0, options.partitionsPerTopic ?? 1);
    const server = createServer();
    const broker = new CaptureBroker(server, state);
    server.on('connection', (socket) => broker.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    state.port = (server.address() as AddressInfo).port;
    return broker;
  }

  get port(): number {
    return this.state.port;
  }

  get bootstrap(): string {
    return `${this.state.host}:${this.state.port}`;
  }

  /** Returns the frames recorded so far and forgets them. */
  takeFrames(): CapturedFrame[] {
    return this.frames.splice(0, this.frames.length);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const connectionId = this.nextConnectionId++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    // Kafka answers requests on one connection in order; a delayed Fetch holds back later replies.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 0 || size > FRAME_BYTES_MAX) {
          socket.destroy();
          return;
        }
        if (pending.length < 4 + size) break;
        const frame = Buffer.from(pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
        chain = chain.then(() => this.serve(socket, connectionId, frame));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async serve(socket: Socket, connectionId: number, frame: Buffer): Promise<void> {
    if (socket.destroyed) return;
    const captured: CapturedFrame = {
      connectionId,
      apiKey: frame.length >= 2 ? frame.readInt16BE(0) : -1,
      apiVersion: frame.length >= 4 ? frame.readInt16BE(2) : -1,
      correlationId: frame.length >= 8 ? frame.readInt32BE(4) : -1,
      clientId: null,
      frame,
    };
    this.frames.push(captured);
    try {
      const reply = this.answer(captured);
      if (reply === null) return;
      if (reply.delayMs > 0) await this.sleep(reply.delayMs);
      if (!socket.destroyed) socket.write(reply.bytes);
    } catch (err) {
      captured.error = err instanceof Error ? err.message : String(err);
      socket.destroy();
    }
  }

  private answer(c: CapturedFrame): { bytes: Buffer; delayMs: number } | null {
    const handler = CAPTURE_HANDLERS.get(c.apiKey);
    if (c.apiKey === ApiKey.ApiVersions && handler !== undefined && c.apiVersion > handler.maxVersion) {
      // KIP-511: a client newer than the broker gets v0 with UNSUPPORTED_VERSION and our range, then retries.
      const body = {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: [
          { apiKey: ApiKey.ApiVersions, minVersion: handler.minVersion, maxVersion: handler.maxVersion },
        ],
      };
      return {
        bytes: Buffer.concat(encodeResponse(ApiKey.ApiVersions, 0, c.correlationId, body)),
        delayMs: 0,
      };
    }
    const r = new Reader(c.frame);
    const header = decodeRequestHeader(r);
    c.clientId = header.clientId;
    if (handler === undefined) throw new Error(`no capture handler for api key ${c.apiKey}`);
    const reply = handler.respond(this.state, r, c.apiVersion, header.clientId);
    if (reply.body === null) return null;
    const headerVersion = API_REGISTRY.get(c.apiKey)!.responseHeaderVersion(c.apiVersion);
    return { bytes: frameResponse(c.correlationId, headerVersion, reply.body), delayMs: reply.delayMs };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}

/** Size prefix, response header (v0: correlation id; v1 adds an empty tagged-field section), body. */
function frameResponse(correlationId: number, headerVersion: number, body: Buffer): Buffer {
  const w = new Writer(16);
  w.writeInt32(4 + (headerVersion >= 1 ? 1 : 0) + body.length);
  w.writeInt32(correlationId);
  if (headerVersion >= 1) w.writeUnsignedVarint(0);
  w.writeRaw(body);
  return w.toBuffer();
}
