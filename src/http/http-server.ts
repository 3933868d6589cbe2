import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../common/logger.js';
import { HttpListenError } from './http-listen-error.js';
import type { HttpListener } from './http-listeners.js';

/** What a route answers. */
export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  /** Further response headers (Set-Cookie, Location). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A GET route: its answer, computed when asked. */
export type HttpRoute = () => HttpAnswer | Promise<HttpAnswer>;

/** A request as an application handler sees it. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The client's address, as the socket sees it. */
  readonly remoteAddress: string;
  /**
   * Reads the body, at most `maxBytes` (rejects with HttpBodyTooLargeError past it, without
   * holding more): nothing else reads a request body.
   */
  body(maxBytes: number): Promise<Buffer>;
}

/**
 * Serves the paths the fixed routes do not (the web console and its API): any method. Null when
 * it does not know the path (answered 404).
 */
export type HttpHandler = (req: HttpRequest) => HttpAnswer | null | Promise<HttpAnswer | null>;

/** A request body longer than its handler takes: answered 413, and the connection closed. */
export class HttpBodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`request body larger than ${maxBytes} bytes`);
  }
}

export interface BoundHttpListener extends HttpListener {
  /** The port actually bound (differs from `port` when it was 0). */
  readonly boundPort: number;
}

/** How long a client may take to send its request; slower ones are answered 408 and closed. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Connections beyond this are refused: scrapers and health probes need a handful. */
const MAX_CONNECTIONS = 256;

/**
 * The broker's HTTP server: GET (and HEAD) on a fixed set of paths, on every configured
 * listener. Anything else is answered with the HTTP status that says why (404 for an unknown
 * path, 405 for another method, 400 for what does not parse) and never reaches the broker.
 * Memory is bounded whatever a client sends: Node caps the header size, request bodies are
 * never read (every route is a GET), and connections are capped.
 */
export class HttpServer {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  bound: BoundHttpListener[] = [];

  constructor(
    private readonly routes: ReadonlyMap<string, HttpRoute>,
    private readonly log: Logger,
    private readonly app: HttpHandler | null = null,
  ) {}

  /** Binds every listener, in order; the first that cannot bind closes the others and throws HttpListenError. */
  async start(listeners: readonly HttpListener[]): Promise<BoundHttpListener[]> {
    try {
      for (const l of listeners) await this.listen(l);
    } catch (err) {
      await this.close();
      throw err;
    }
    return this.bound;
  }

  private async listen(l: HttpListener): Promise<void> {
    const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => this.serve(req, res));
    server.maxConnections = MAX_CONNECTIONS;
    server.keepAliveTimeout = 65_000;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A request that does not parse (or a socket error before one does): answer 400 if the
    // socket can still take it, and close. Never the broker's problem.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      this.log.debug({ err, code: err.code }, 'bad HTTP request');
      if (!socket.writable || socket.destroyed) {
        socket.destroy();
        return;
      }
      const status =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
    await new Promise<void>((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException): void => reject(new HttpListenError(l, err));
      server.once('error', failed);
      server.listen({ host: l.host === '' ? undefined : l.host, port: l.port }, () => {
        server.off('error', failed);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err, listener: l.url }, 'HTTP listener error'));
    const addr = server.address();
    const boundPort = typeof addr === 'object' && addr ? addr.port : l.port;
    this.servers.push(server);
    this.bound.push({ ...l, boundPort });
    this.log.info({ url: l.url, port: boundPort }, 'HTTP listening');
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req.url);
    const route = path === null ? undefined : this.routes.get(path);
    if (route === undefined && path !== null && this.app !== null) {
      this.serveApp(req, res, path, this.app);
      return;
    }
    if (route === undefined) {
      this.reply(req, res, { status: 404, contentType: TEXT, body: `no such path: ${path ?? '?'}\n` });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      this.reply(req, res, { status: 405, contentType: TEXT, body: `${req.method} is not served here\n` });
      return;
    }
    let answer: Promise<HttpAnswer>;
    try {
      answer = Promise.resolve(route());
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then(
      (a) => this.reply(req, res, a),
      (err: unknown) => {
        this.log.error({ err, path }, 'HTTP route failed');
        this.reply(req, res, { status: 500, contentType: TEXT, body: 'internal error\n' });
      },
    );
  }

  private serveApp(req: IncomingMessage, res: ServerResponse, path: string, app: HttpHandler): void {
    let bodyRead = false;
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const request: HttpRequest = {
      method: req.method ?? 'GET',
      path,
      query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '',
      body: async (maxBytes) => {
        const body = await readBody(req, maxBytes); // too large: the rest is unread, the reply closes
        bodyRead = true;
        return body;
      },
    };
    let answer: Promise<HttpAnswer | null>;
    try {
      answer = Promise.resolve(app(request));
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then(
      (a) =>
        this.reply(
          req,
          res,
          a ?? { status: 404, contentType: TEXT, body: `no such path: ${path}\n` },
          bodyRead,
        ),
      (err: unknown) => {
        if (err instanceof HttpBodyTooLargeError) {
          this.reply(req, res, { status: 413, contentType: TEXT, body: `${err.message}\n` });
          return;
        }
        this.log.error({ err, path }, 'HTTP handler failed');
        this.reply(req, res, { status: 500, contentType: TEXT, body: 'internal error\n' }, bodyRead);
      },
    );
  }

  private reply(req: IncomingMessage, res: ServerResponse, a: HttpAnswer, bodyRead = false): void {
    if (res.destroyed) return;
    const body = typeof a.body === 'string' ? Buffer.from(a.body, 'utf8') : a.body;
    res.statusCode = a.status;
    res.setHeader('Content-Type', a.contentType);
    res.setHeader('Content-Length', body.length);
    res.setHeader('Cache-Control', 'no-store');
    for (const [k, v] of Object.entries(a.headers ?? {})) res.setHeader(k, v);
    // A request whose body nobody read (every fixed route is a GET) is answered, then closed.
    const hasBody =
      !bodyRead &&
      (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
    if (hasBody) res.setHeader('Connection', 'close');
    res.end(req.method === 'HEAD' ? undefined : body);
    if (hasBody) res.once('finish', () => req.socket.destroySoon());
  }

  /** Stops listening and closes every connection, idle or not. */
  async close(): Promise<void> {
    const closed = this.servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closed);
  }
}

const TEXT = 'text/plain; charset=utf-8';

/** The request body, whole, or HttpBodyTooLargeError once it passes `maxBytes` (the rest is not read). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(new HttpBodyTooLargeError(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        reject(new HttpBodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** The path of a request target without its query; null when it is not an origin-form path. */
function pathOf(target: string | undefined): string | null {
  if (target === undefined || !target.startsWith('/')) return null;
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}
