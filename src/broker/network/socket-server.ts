import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '../../common/logger.js';
import type { Listener } from '../config/broker-config.js';
import { ANONYMOUS_PRINCIPAL, ConnectionSession } from '../security/connection-session.js';
import { rfc2253Name } from '../security/ssl-principal-mapper.js';
import type { ListenerTls } from '../security/tls-server-options.js';
import { Connection, type ConnectionLimits, type FrameHandler } from './connection.js';
import { ListenError } from './listen-error.js';
import { RequestMemoryPool } from './request-memory-pool.js';

export interface BoundListener extends Listener {
  /** The port actually bound (differs from `port` when it was 0). */
  readonly boundPort: number;
}

/**
 * Accepts connections on every listener and hands frames to the request handler.
 * Idle connections are swept on a timer; close() stops accepting, lets in-flight requests finish, then closes.
 */
export class SocketServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  private nextId = 0;
  private refused = 0;
  private refusedLoggedAt = Number.NEGATIVE_INFINITY;
  private sweeper: NodeJS.Timeout | undefined;
  /** queued.max.request.bytes: shared by every connection, as Kafka's SocketServer shares its pool. */
  readonly requestPool: RequestMemoryPool;
  bound: BoundListener[] = [];

  constructor(
    private readonly handler: FrameHandler,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly socketOptions: {
      backlog: number;
      queuedMaxRequestBytes?: number;
      /** max.connections: connections beyond it are closed as they arrive. */
      maxConnections?: number;
    },
  ) {
    this.requestPool = new RequestMemoryPool(socketOptions.queuedMaxRequestBytes ?? -1);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Open connections per listener name, every bound listener included (Kafka's connection-count). */
  connectionCountByListener(): Map<string, number> {
    const counts = new Map<string, number>(this.bound.map((l) => [l.name, 0]));
    for (const c of this.connections) counts.set(c.listenerName, (counts.get(c.listenerName) ?? 0) + 1);
    return counts;
  }

  /**
   * Listens on each listener; `tls` gives the TLS settings of the listeners whose security
   * protocol is SSL or SASL_SSL (their connections are handed on once the handshake is done).
   */
  async start(
    listeners: readonly Listener[],
    tls: ReadonlyMap<string, ListenerTls> = new Map(),
  ): Promise<BoundListener[]> {
    for (const l of listeners) {
      const t = tls.get(l.name);
      const server = t
        ? this.tlsServer(l, t)
        : createServer({ noDelay: true, pauseOnConnect: false }, (socket) =>
            this.accept(socket, l, new ConnectionSession(l.securityProtocol)),
          );
      await new Promise<void>((resolve, reject) => {
        const failed = (err: NodeJS.ErrnoException): void => reject(new ListenError(l, err));
        server.once('error', failed);
        server.listen(
          { host: l.host === '' ? undefined : l.host, port: l.port, backlog: this.socketOptions.backlog },
          () => {
            server.off('error', failed);
            resolve();
          },
        );
      });
      // Only once listening: a failure to bind is the caller's to report, once.
      server.on('error', (err) => this.log.error({ err, listener: l.name }, 'listener error'));
      const addr = server.address();
      const boundPort = typeof addr === 'object' && addr ? addr.port : l.port;
      this.servers.push(server);
      this.bound.push({ ...l, boundPort });
      this.log.info({ listener: l.name, host: l.host, port: boundPort }, 'listening');
    }
    const sweepEvery = Math.max(10, Math.min(this.limits.idleTimeoutMs / 4, 30_000));
    this.sweeper = setInterval(() => this.sweepIdle(), sweepEvery);
    this.sweeper.unref();
    return this.bound;
  }

  /**
   * A TLS listener. A failed handshake (a plaintext client, garbage, a certificate the truststore
   * does not vouch for, none where one is required) closes the socket with one log line, as Kafka
   * logs "Failed authentication ... (SSL handshake failed)"; the broker carries on.
   */
  private tlsServer(l: Listener, t: ListenerTls): Server {
    const server = createTlsServer({ ...t.options, noDelay: true, pauseOnConnect: false }, (socket) => {
      const session = this.tlsSession(socket, l, t);
      if (session) this.accept(socket, l, session);
    });
    server.on('tlsClientError', (err, socket) => {
      this.log.info(
        {
          listener: l.name,
          clientAddress: `${socket.remoteAddress}:${socket.remotePort}`,
          error: err.message,
        },
        'TLS handshake failed; connection closed',
      );
      socket.destroy();
    });
    return server;
  }

  /** The session of a TLS connection: its principal from the client certificate, when there is one. */
  private tlsSession(socket: TLSSocket, l: Listener, t: ListenerTls): ConnectionSession | null {
    const clientAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    const fail = (why: string): null => {
      this.log.info(
        { listener: l.name, clientAddress, error: why },
        'TLS client authentication failed; connection closed',
      );
      socket.on('error', () => undefined);
      socket.destroy();
      return null;
    };
    const cert = t.clientAuth === 'none' ? undefined : socket.getPeerX509Certificate();
    if (!cert) return new ConnectionSession(l.securityProtocol, ANONYMOUS_PRINCIPAL);
    // With ssl.client.auth=requested Node accepts a certificate it cannot verify; Java refuses it.
    if (!socket.authorized) return fail(String(socket.authorizationError));
    const dn = rfc2253Name(cert.subject);
    try {
      return new ConnectionSession(l.securityProtocol, `User:${t.principalMapper.map(dn)}`);
    } catch (err) {
      return fail((err as Error).message);
    }
  }

  private accept(socket: Socket, listener: Listener, session: ConnectionSession): void {
    if (this.connections.size >= (this.socketOptions.maxConnections ?? Number.POSITIVE_INFINITY)) {
      this.refuse(socket);
      return;
    }
    const connectionId = `${listener.name}-${++this.nextId}`;
    const clientAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    const log = this.log.child({ connectionId });
    const conn = new Connection(
      socket,
      { connectionId, listenerName: listener.name, clientAddress, log, session },
      this.handler,
      this.limits,
      (c) => this.connections.delete(c),
      this.requestPool,
    );
    this.connections.add(conn);
    log.debug({ clientAddress, principal: session.principal }, 'connection accepted');
  }

  /**
   * Closes a connection over max.connections. Kafka's acceptor stops accepting instead; Node cannot
   * pause accepting, and a connection held unread would still cost its memory. One warning per
   * ten seconds at most, with the count, so a flood of connections does not flood the log.
   */
  private refuse(socket: Socket): void {
    socket.on('error', () => undefined);
    socket.destroy();
    this.refused++;
    const now = Date.now();
    if (now - this.refusedLoggedAt >= 10_000) {
      this.log.warn(
        { refused: this.refused, maxConnections: this.socketOptions.maxConnections },
        'max.connections reached; closing new connections',
      );
      this.refusedLoggedAt = now;
      this.refused = 0;
    }
  }

  private sweepIdle(): void {
    const now = Date.now();
    for (const c of this.connections) {
      if (c.isIdle(now)) c.close('idle for connections.max.idle.ms');
    }
  }

  /** Stops accepting, waits for in-flight requests (at most `graceMs`), then closes every connection. */
  async close(graceMs = 4000): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    const closed = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    const drained = Promise.all([...this.connections].map((c) => c.closeWhenDrained()));
    await Promise.race([drained, new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const c of this.connections) c.close('shutdown');
    await Promise.all(closed);
  }
}

export type { ConnectionLimits };
