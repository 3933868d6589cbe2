import type { BrokerObserver } from '../../broker/broker-observer.js';
import type { LocalRequests } from '../../broker/local-requests.js';
import type { Logger } from '../../common/logger.js';
import {
  type HttpAnswer,
  HttpBodyTooLargeError,
  type HttpHandler,
  type HttpRequest,
} from '../http-server.js';
import { ConsoleApiError, errorAnswer, json, KafkaAs, readJsonObject } from './api-support.js';
import type { ConsoleAuth } from './console-auth.js';
import type { ConsoleSampler } from './console-sampler.js';
import { deleteGroup, groupDetail, listGroups, resetOffsets } from './groups-api.js';
import { browseMessages, produceMessage } from './messages-api.js';
import { overview } from './overview-api.js';
import type { StaticAssets } from './static-assets.js';
import { alterTopicConfigs, createTopic, deleteTopic, topicDetail, topicsPage } from './topics-api.js';

export interface ConsoleDeps {
  /** Null until the broker has started. */
  readonly broker: () => { requests: LocalRequests; observer: BrokerObserver } | null;
  readonly sampler: ConsoleSampler;
  readonly assets: StaticAssets;
  readonly auth: ConsoleAuth;
  readonly log: Logger;
}

type Api = (
  kafka: KafkaAs,
  observer: BrokerObserver,
  req: HttpRequest,
  m: RegExpExecArray,
) => Promise<unknown>;

/** The console API: method, path pattern (segments decoded), handler. */
function apiRoutes(d: ConsoleDeps): [string, RegExp, Api][] {
  return [
    ['GET', /^\/api\/overview$/, (k, o) => overview(k, o, d.sampler)],
    ['GET', /^\/api\/topics$/, (k, o, r) => topicsPage(k, o, d.sampler, r.query)],
    ['POST', /^\/api\/topics$/, async (k, _o, r) => createTopic(k, await readJsonObject(r))],
    ['GET', /^\/api\/topics\/([^/]+)$/, (k, o, _r, m) => topicDetail(k, o, m[1]!)],
    ['DELETE', /^\/api\/topics\/([^/]+)$/, (k, _o, _r, m) => deleteTopic(k, m[1]!)],
    [
      'POST',
      /^\/api\/topics\/([^/]+)\/configs$/,
      async (k, _o, r, m) => alterTopicConfigs(k, m[1]!, await readJsonObject(r)),
    ],
    ['GET', /^\/api\/topics\/([^/]+)\/messages$/, (k, _o, r, m) => browseMessages(k, m[1]!, r.query)],
    [
      'POST',
      /^\/api\/topics\/([^/]+)\/messages$/,
      async (k, _o, r, m) => produceMessage(k, m[1]!, await readJsonObject(r)),
    ],
    ['GET', /^\/api\/groups$/, (k) => listGroups(k, d.sampler)],
    ['GET', /^\/api\/groups\/([^/]+)$/, (k, _o, _r, m) => groupDetail(k, d.sampler, m[1]!)],
    ['DELETE', /^\/api\/groups\/([^/]+)$/, (k, _o, _r, m) => deleteGroup(k, m[1]!)],
    [
      'POST',
      /^\/api\/groups\/([^/]+)\/reset$/,
      async (k, _o, r, m) => resetOffsets(k, m[1]!, await readJsonObject(r)),
    ],
  ];
}

/**
 * The web console on the broker's HTTP listener: its files at `/` and `/console/`, its JSON API at
 * `/api/`. Every API call is made of Kafka requests answered by the broker's own handlers as the
 * signed-in principal (see console-auth.ts). Bad input is answered 4xx with a JSON error, never
 * thrown at the server.
 */
export function consoleHandler(d: ConsoleDeps): HttpHandler {
  const routes = apiRoutes(d);
  return async (req) => {
    if (!req.path.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return null;
      return d.assets.get(req.path);
    }
    try {
      return await serveApi(d, routes, req);
    } catch (err) {
      if (err instanceof ConsoleApiError) return errorAnswer(err);
      if (err instanceof HttpBodyTooLargeError) {
        return json(413, { error: 'BODY_TOO_LARGE', message: err.message });
      }
      throw err;
    }
  };
}

async function serveApi(
  d: ConsoleDeps,
  routes: [string, RegExp, Api][],
  req: HttpRequest,
): Promise<HttpAnswer> {
  const session = await d.auth.route(req);
  if (session.answer !== null) return session.answer;
  let pathMatched = false;
  for (const [method, pattern, api] of routes) {
    const m = pattern.exec(req.path);
    if (m === null) continue;
    pathMatched = true;
    if (method !== req.method) continue;
    for (let i = 1; i < m.length; i++) m[i] = decodeSegment(m[i]!);
    const b = d.broker();
    if (b === null) throw new ConsoleApiError(503, 'BROKER_NOT_AVAILABLE', 'the broker is starting');
    const result = await api(new KafkaAs(b.requests, session.principal), b.observer, req, m);
    return json(req.method === 'POST' && /^\/api\/topics$/.test(req.path) ? 201 : 200, result);
  }
  if (pathMatched)
    throw new ConsoleApiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not served on ${req.path}`);
  throw new ConsoleApiError(404, 'NOT_FOUND', `no such API: ${req.path}`);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ConsoleApiError(400, 'BAD_REQUEST', `bad percent-encoding in ${s}`);
  }
}
