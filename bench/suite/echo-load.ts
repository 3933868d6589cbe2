import { connect, createServer } from 'node:net';
import type { WorkerResult } from './worker-protocol.js';

/**
 * The network ceiling: a Node echo server and a client that keeps a few MiB in flight through
 * it over loopback. Bytes are counted once, as they come back.
 */
export interface EchoServerSpec {
  kind: 'echo-server';
}

/** Prints its port as the READY line's payload and echoes until stdin says stop. */
export async function echoServer(
  _spec: EchoServerSpec,
  ready: (info: string) => void,
  stopped: Promise<void>,
): Promise<WorkerResult> {
  const server = createServer((s) => {
    s.setNoDelay(true);
    s.pipe(s);
    s.on('error', () => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ready(String((server.address() as { port: number }).port));
  await stopped;
  server.close();
  return { bytes: 0, messages: 0, seconds: 0, errors: 0 };
}

export interface EchoClientSpec {
  kind: 'echo-client';
  port: number;
  durationMs: number;
}

export async function echoClient(spec: EchoClientSpec, ready: () => void): Promise<WorkerResult> {
  const chunk = Buffer.alloc(256 * 1024, 120);
  const inFlightMax = 4 * 1024 * 1024;
  const socket = connect({ host: '127.0.0.1', port: spec.port, noDelay: true });
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  ready();
  let sent = 0;
  let received = 0;
  const t0 = performance.now();
  const deadline = t0 + spec.durationMs;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (performance.now() < deadline && sent - received < inFlightMax) {
        sent += chunk.length;
        if (!socket.write(chunk)) return;
      }
    };
    socket.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= sent && performance.now() >= deadline) resolve();
      else pump();
    });
    socket.on('drain', pump);
    pump();
  });
  const seconds = (performance.now() - t0) / 1000;
  socket.destroy();
  return { bytes: received, messages: 0, seconds, errors: 0 };
}
