import type { LocalRequests } from '../../broker/local-requests.js';
import { StromError } from '../../common/strom-error.js';
import { ErrorCode, errorInfo } from '../../protocol/error-codes.js';
import type { MessageCodec, MessageInput } from '../../protocol/message-codec.js';
import type { HttpAnswer, HttpRequest } from '../http-server.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Largest JSON body the console API reads (a produced test message with its headers). */
export const API_BODY_MAX_BYTES = 1024 * 1024;

/**
 * A console API request that cannot be served: answered with `status` and a JSON body
 * `{ "error": code, "message": ... }`, where `code` is Kafka's error name when the broker
 * refused it (UNKNOWN_TOPIC_OR_PARTITION, TOPIC_ALREADY_EXISTS, ...) or one of the console's own
 * (BAD_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED, UNAUTHENTICATED).
 */
export class ConsoleApiError extends StromError {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super('CONSOLE_API_ERROR', message);
  }
}

export function badRequest(message: string): ConsoleApiError {
  return new ConsoleApiError(400, 'BAD_REQUEST', message);
}

/** HTTP status for a Kafka error code the broker answered a console request with. */
function statusOf(code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.GROUP_ID_NOT_FOUND:
    case ErrorCode.UNKNOWN_TOPIC_ID:
      return 404;
    case ErrorCode.TOPIC_ALREADY_EXISTS:
    case ErrorCode.NON_EMPTY_GROUP:
    case ErrorCode.UNKNOWN_MEMBER_ID:
    case ErrorCode.ILLEGAL_GENERATION:
    case ErrorCode.REBALANCE_IN_PROGRESS:
      return 409;
    case ErrorCode.TOPIC_AUTHORIZATION_FAILED:
    case ErrorCode.GROUP_AUTHORIZATION_FAILED:
    case ErrorCode.CLUSTER_AUTHORIZATION_FAILED:
      return 403;
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.LEADER_NOT_AVAILABLE:
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.REQUEST_TIMED_OUT:
      return 503;
    default:
      return 400;
  }
}

/** Throws the ConsoleApiError for a Kafka error code other than NONE. */
export function checkKafka(code: number, message?: string | null): void {
  if (code === ErrorCode.NONE) return;
  const info = errorInfo(code);
  throw new ConsoleApiError(statusOf(code), info.name, message ?? info.message);
}

export function json(status: number, value: unknown, headers?: Record<string, string>): HttpAnswer {
  return {
    status,
    contentType: JSON_TYPE,
    body: `${JSON.stringify(value)}\n`,
    ...(headers ? { headers } : {}),
  };
}

export function errorAnswer(err: ConsoleApiError): HttpAnswer {
  return json(err.status, { error: err.errorName, message: err.message });
}

/** The request's JSON body, an object; BAD_REQUEST when it is not one. */
export async function readJsonObject(req: HttpRequest): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  // Writes must say they are JSON: a cross-site form cannot, and a cross-site fetch that does
  // needs a CORS preflight this server never grants.
  if (!/^application\/json\b/i.test(type)) throw badRequest('the body must be application/json');
  const bytes = await req.body(API_BODY_MAX_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An integer query parameter within [min, max]; `fallback` when absent. */
export function intParam(
  q: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  return intValue(raw, name, min, max);
}

export function intValue(raw: unknown, name: string, min: number, max: number): number {
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

export function stringField(body: Record<string, unknown>, name: string, maxLength = 4096): string {
  const v = body[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > maxLength) {
    throw badRequest(`${name} must be a non-empty string of at most ${maxLength} characters`);
  }
  return v;
}

/** Kafka requests made as the console's principal. */
export class KafkaAs {
  constructor(
    private readonly requests: LocalRequests,
    readonly principal: string,
  ) {}

  send<Req, Res>(
    request: MessageCodec<Req>,
    response: MessageCodec<Res>,
    version: number,
    body: MessageInput<Req>,
  ): Promise<Res> {
    return this.requests.send(request, response, version, body, this.principal);
  }
}
