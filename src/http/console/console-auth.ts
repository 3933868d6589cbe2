import { randomBytes } from 'node:crypto';
import { ConnectionSession } from '../../broker/security/connection-session.js';
import type { SaslAuthenticator } from '../../broker/security/sasl/sasl-authenticator.js';
import type { Logger } from '../../common/logger.js';
import type { HttpAnswer, HttpRequest } from '../http-server.js';
import { badRequest, ConsoleApiError, json, readJsonObject, stringField } from './api-support.js';
import { ScramClientExchange } from './scram-client-proof.js';

const COOKIE = 'strom_console';
/** How long a console login lasts. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** Logins kept at once; the oldest is forgotten beyond it. */
export const SESSIONS_MAX = 1024;
/** The principal of every console request when the broker has no SASL listener (Kafka's on PLAINTEXT). */
const ANONYMOUS = 'User:ANONYMOUS';

interface Session {
  readonly principal: string;
  readonly expiresAtMs: number;
}

/** What the console's API runs as, or the answer that ends the request (login, logout, 401). */
export interface RouteAuth {
  readonly answer: HttpAnswer | null;
  readonly principal: string;
}

/**
 * Who uses the console. Without SASL listeners on the broker, nobody signs in: every request runs
 * as User:ANONYMOUS, and the console serves on localhost by default (strom.http.listeners) and
 * says so. With SASL listeners, the API answers 401 until the user signs in with a SASL user and
 * password, checked by the broker's own SaslAuthenticator exactly as a Kafka client's SaslHandshake
 * and SaslAuthenticate are (PLAIN against the listener's JAAS users, SCRAM against the credentials
 * in the metadata; a failure waits connection.failed.authentication.delay.ms). A login is a random
 * session id in an HttpOnly, SameSite=Strict cookie, valid SESSION_TTL_MS.
 */
export class ConsoleAuth {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly sasl: () => SaslAuthenticator | null,
    /** Whether every HTTP listener binds a loopback address. */
    private readonly localOnly: boolean,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** SASL listener → mechanisms; empty when the broker has none (or has not started). */
  private mechanisms(): Map<string, readonly string[]> {
    return this.sasl()?.listenerMechanisms() ?? new Map();
  }

  async route(req: HttpRequest): Promise<RouteAuth> {
    const listeners = this.mechanisms();
    const required = listeners.size > 0;
    const session = required ? this.current(req) : null;
    const principal = required ? (session?.principal ?? null) : ANONYMOUS;
    if (req.path === '/api/session' && req.method === 'GET') {
      const mechanisms = [...new Set([...listeners.values()].flat())];
      return {
        principal: principal ?? ANONYMOUS,
        answer: json(200, { loginRequired: required, principal, mechanisms, localOnly: this.localOnly }),
      };
    }
    if (req.path === '/api/login' && req.method === 'POST') {
      return { principal: ANONYMOUS, answer: await this.login(req, listeners) };
    }
    if (req.path === '/api/logout' && req.method === 'POST') {
      const id = cookieOf(req);
      if (id !== null) this.sessions.delete(id);
      return {
        principal: ANONYMOUS,
        answer: json(200, { loggedOut: true }, { 'Set-Cookie': clearCookie() }),
      };
    }
    if (principal === null) {
      return {
        principal: ANONYMOUS,
        answer: json(401, { error: 'UNAUTHENTICATED', message: 'sign in with a SASL user of this broker' }),
      };
    }
    return { principal, answer: null };
  }

  private current(req: HttpRequest): Session | null {
    const id = cookieOf(req);
    if (id === null) return null;
    const s = this.sessions.get(id);
    if (s === undefined) return null;
    if (s.expiresAtMs <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return s;
  }

  private async login(req: HttpRequest, listeners: Map<string, readonly string[]>): Promise<HttpAnswer> {
    const sasl = this.sasl();
    if (sasl === null || listeners.size === 0) {
      throw badRequest('this broker has no SASL listener: the console needs no login');
    }
    const body = await readJsonObject(req);
    const mechanism = stringField(body, 'mechanism', 32).toUpperCase();
    const username = stringField(body, 'username', 256);
    const password = stringField(body, 'password', 1024);
    const listener = [...listeners].find(([, ms]) => ms.includes(mechanism))?.[0];
    if (listener === undefined) throw badRequest(`no SASL listener of this broker enables ${mechanism}`);
    const principal = await this.authenticate(sasl, listener, mechanism, username, password, req);
    if (principal === null) {
      throw new ConsoleApiError(
        401,
        'SASL_AUTHENTICATION_FAILED',
        'Authentication failed: invalid credentials',
      );
    }
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { principal, expiresAtMs: this.now() + SESSION_TTL_MS });
    for (const old of this.sessions.keys()) {
      if (this.sessions.size <= SESSIONS_MAX) break;
      this.sessions.delete(old);
    }
    this.log.info({ principal, mechanism }, 'console login');
    const cookie = `${COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`;
    return json(200, { principal }, { 'Set-Cookie': cookie });
  }

  /** Runs the SASL exchange against the broker's authenticator as a connection on `listener`. */
  private async authenticate(
    sasl: SaslAuthenticator,
    listener: string,
    mechanism: string,
    username: string,
    password: string,
    req: HttpRequest,
  ): Promise<string | null> {
    const session = new ConnectionSession('SASL_PLAINTEXT');
    const connection = {
      connectionId: `console-login-${randomBytes(4).toString('hex')}`,
      listenerName: listener,
      clientAddress: req.remoteAddress,
      log: this.log,
      session,
    };
    if (sasl.handshake(mechanism, connection, 1).errorCode !== 0) return null;
    if (mechanism === 'PLAIN') {
      const token = Buffer.from(`\u0000${username}\u0000${password}`, 'utf8');
      const r = await sasl.authenticate(token, connection, 1);
      return r.ok && session.authenticated ? session.principal : null;
    }
    const scram = new ScramClientExchange(
      mechanism === 'SCRAM-SHA-512' ? 'sha512' : 'sha256',
      username,
      password,
    );
    const first = await sasl.authenticate(scram.clientFirst(), connection, 1);
    if (!first.ok) return null;
    const final = scram.clientFinal(first.response);
    if (final === null) return null;
    const last = await sasl.authenticate(final, connection, 1);
    return last.ok && session.authenticated ? session.principal : null;
  }
}

function cookieOf(req: HttpRequest): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === COOKIE && v !== undefined && v !== '') return v;
  }
  return null;
}

function clearCookie(): string {
  return `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}
