import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../../common/logger.js';
import type { ConfigInfos } from '../config/config-infos.js';
import { ConnectError } from '../connect-error.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';
import type { Plugins, PluginType } from '../plugins/plugins.js';
import type { Herder } from '../runtime/herder.js';
import type { ConnectorOffset } from '../runtime/herder-types.js';
import type { TargetState } from '../runtime/task-status.js';
import { connectorPluginConfig, validateForPlugin } from './plugin-routes.js';
import type { RestListener } from './rest-listeners.js';

export interface RestServerOptions {
  readonly herder: Herder;
  readonly plugins: Plugins;
  readonly logger: Logger;
  /** The Kafka cluster id GET / reports; asked once, when first needed. */
  readonly kafkaClusterId: () => Promise<string | null>;
}

/** Kafka's error body: `{"error_code": <HTTP status>, "message": ...}`. */
function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error_code: status, message });
}

/** The HTTP status of a ConnectError, as Kafka's ConnectExceptionMapper maps its exceptions. */
function statusOf(err: ConnectError): number {
  switch (err.code) {
    case 'NOT_FOUND':
      return 404;
    case 'ALREADY_EXISTS':
    case 'CONFLICT':
      return 409;
    case 'BAD_REQUEST':
    case 'CONFIG_ERROR':
    case 'PLUGIN_NOT_FOUND':
      return 400;
    default:
      return 500;
  }
}

function stringMap(value: unknown, what: string, allowNull = false): Record<string, string | null> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConnectError('BAD_REQUEST', `${what} must be a JSON object`);
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null && allowNull) out[k] = null;
    else if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw new ConnectError('BAD_REQUEST', `The value of ${k} in ${what} must be a string`);
  }
  return out;
}

function configOf(value: unknown, what = 'The connector config'): Record<string, string> {
  return stringMap(value, what) as Record<string, string>;
}

/** Kafka's check that a config's `name`, if any, is the one in the URL. */
function checkName(name: string, config: Record<string, string>): Record<string, string> {
  const inConfig = config.name;
  if (inConfig !== undefined && inConfig.trim() !== name)
    throw new ConnectError(
      'BAD_REQUEST',
      `Connector name configuration (${inConfig}) doesn't match connector name in the URL (${name})`,
    );
  return { ...config, name };
}

function taskIndex(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new ConnectError('NOT_FOUND', `Task ${raw} not found`);
  return Number(raw);
}

function bool(raw: unknown): boolean {
  return typeof raw === 'string' && raw.toLowerCase() === 'true';
}

const INITIAL_STATES: Record<string, TargetState> = {
  RUNNING: 'STARTED',
  PAUSED: 'PAUSED',
  STOPPED: 'STOPPED',
};

/**
 * Kafka Connect's REST API on fastify: the paths, status codes and JSON of Kafka's
 * ConnectorsResource, ConnectorPluginsResource and RootResource, errors as `{"error_code",
 * "message"}`. Bodies are bounded by fastify's 1 MiB limit.
 */
export async function buildRestServer(options: RestServerOptions): Promise<FastifyInstance> {
  const { herder, plugins, logger } = options;
  // Imported when a worker starts, so the other strom commands never load fastify.
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, return503OnClosing: true });

  app.setErrorHandler((err: FastifyError | ConnectError | Error, request, reply) => {
    if (err instanceof ConnectError) return sendError(reply, statusOf(err), err.message);
    const status = (err as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return sendError(reply, status, err.message);
    logger.error({ err, method: request.method, url: request.url }, 'REST request failed');
    return sendError(reply, 500, err.message);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, 'HTTP 404 Not Found'));

  // Distributed workers forward changes to the group's leader, which alone writes the config
  // topic (Kafka's ConnectorsResource with forward=true); a request forwarded once is not again.
  app.addHook('preHandler', async (request, reply) => {
    if (!herder.forwardUrl || request.method === 'GET' || request.method === 'HEAD') return;
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/connectors') || /^\/connectors\/[^/]+\/tasks\/[^/]+\/restart$/.test(path)) return;
    const target = herder.forwardUrl();
    if (target === null) return;
    if ((request.query as { forward?: string }).forward === 'false')
      throw new ConnectError(
        'CONFLICT',
        'Cannot complete request because of a conflicting operation (e.g. worker rebalance)',
      );
    const url = new URL(request.url, target);
    url.searchParams.set('forward', 'false');
    const hasBody = request.body !== undefined && request.body !== null;
    const res = await fetch(url, {
      method: request.method,
      headers: hasBody ? { 'content-type': 'application/json' } : {},
      body: hasBody ? JSON.stringify(request.body) : null,
    }).catch((err: unknown) => {
      throw new ConnectError(
        'CONFLICT',
        `Could not forward the request to the leader at ${target}: ${(err as Error).message}`,
      );
    });
    const text = await res.text();
    reply.code(res.status);
    const location = res.headers.get('location');
    if (location !== null) reply.header('location', location);
    if (text === '') return reply.send();
    return reply.type(res.headers.get('content-type') ?? 'application/json').send(text);
  });

  let clusterId: Promise<string | null> | null = null;
  app.get('/', async () => {
    clusterId ??= options.kafkaClusterId().catch(() => null);
    return { version: BUILTIN_PLUGIN_VERSION, commit: 'strom', kafka_cluster_id: await clusterId };
  });

  app.get('/connectors', async (request) => {
    const query = request.query as { expand?: string | string[] };
    const expand = [query.expand ?? []].flat();
    const names = herder.connectorNames();
    if (expand.length === 0) return names;
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of names) {
      const entry: Record<string, unknown> = {};
      if (expand.includes('status')) entry.status = herder.connectorStatus(name);
      if (expand.includes('info')) entry.info = herder.connectorInfo(name);
      out[name] = entry;
    }
    return out;
  });

  app.post('/connectors', async (request, reply) => {
    const body = request.body as { name?: unknown; config?: unknown; initial_state?: unknown } | null;
    if (typeof body !== 'object' || body === null)
      throw new ConnectError('BAD_REQUEST', 'Request body must be a JSON object');
    const config = configOf(body.config ?? {});
    const name = typeof body.name === 'string' ? body.name.trim() : (config.name?.trim() ?? '');
    if (name === '') throw new ConnectError('BAD_REQUEST', 'Connector name is required');
    let initial: TargetState = 'STARTED';
    if (body.initial_state !== undefined && body.initial_state !== null) {
      const state = INITIAL_STATES[String(body.initial_state).toUpperCase()];
      if (!state)
        throw new ConnectError(
          'BAD_REQUEST',
          `Invalid initial state ${String(body.initial_state)}: use RUNNING, PAUSED or STOPPED`,
        );
      initial = state;
    }
    const { info } = await herder.putConnectorConfig(name, checkName(name, config), false, initial);
    return reply
      .code(201)
      .header('location', `/connectors/${encodeURIComponent(name)}`)
      .send(info);
  });

  app.get('/connectors/:name', async (request) => herder.connectorInfo(params(request).name));
  app.get('/connectors/:name/config', async (request) => herder.connectorConfig(params(request).name));
  app.put('/connectors/:name/config', async (request, reply) => {
    const { name } = params(request);
    const { created, info } = await herder.putConnectorConfig(
      name,
      checkName(name, configOf(request.body)),
      true,
    );
    if (created) reply.code(201).header('location', `/connectors/${encodeURIComponent(name)}`);
    return info;
  });
  app.patch('/connectors/:name/config', async (request) => {
    const { name } = params(request);
    const patch = stringMap(request.body, 'The config patch', true);
    if (patch.name !== undefined && patch.name !== name)
      throw new ConnectError(
        'BAD_REQUEST',
        `Connector name configuration (${patch.name}) doesn't match connector name in the URL (${name})`,
      );
    return herder.patchConnectorConfig(name, patch);
  });
  app.delete('/connectors/:name', async (request, reply) => {
    await herder.deleteConnector(params(request).name);
    return reply.code(204).send();
  });
  app.get('/connectors/:name/status', async (request) => herder.connectorStatus(params(request).name));
  app.get('/connectors/:name/tasks', async (request) => herder.taskConfigs(params(request).name));
  app.get('/connectors/:name/tasks/:task/status', async (request) => {
    const { name, task } = params(request);
    return herder.taskStatus(name, taskIndex(task!));
  });
  app.post('/connectors/:name/restart', async (request, reply) => {
    const query = request.query as { includeTasks?: string; onlyFailed?: string };
    const includeTasks = bool(query.includeTasks);
    const onlyFailed = bool(query.onlyFailed);
    const status = await herder.restartConnector(params(request).name, includeTasks, onlyFailed);
    // Kafka keeps the old answer (204, no body) for a plain restart (KIP-745).
    if (!includeTasks && !onlyFailed) return reply.code(204).send();
    return reply.code(202).send(status);
  });
  app.post('/connectors/:name/tasks/:task/restart', async (request, reply) => {
    const { name, task } = params(request);
    await herder.restartTask(name, taskIndex(task!));
    return reply.code(204).send();
  });
  app.put('/connectors/:name/pause', async (request, reply) => {
    await herder.pauseConnector(params(request).name);
    return reply.code(202).send();
  });
  app.put('/connectors/:name/resume', async (request, reply) => {
    await herder.resumeConnector(params(request).name);
    return reply.code(202).send();
  });
  app.put('/connectors/:name/stop', async (request, reply) => {
    await herder.stopConnector(params(request).name);
    return reply.code(204).send();
  });
  app.get('/connectors/:name/offsets', async (request) => herder.offsets(params(request).name));
  app.patch('/connectors/:name/offsets', async (request) => {
    const body = request.body as { offsets?: unknown } | null;
    if (typeof body !== 'object' || body === null || !Array.isArray(body.offsets))
      throw new ConnectError('BAD_REQUEST', 'Offsets must be specified when altering connector offsets');
    const offsets: ConnectorOffset[] = body.offsets.map((o: unknown) => {
      if (typeof o !== 'object' || o === null || Array.isArray(o))
        throw new ConnectError(
          'BAD_REQUEST',
          'Each offset must be a JSON object with a partition and an offset',
        );
      const { partition, offset } = o as { partition?: unknown; offset?: unknown };
      if (typeof partition !== 'object' || partition === null || Array.isArray(partition))
        throw new ConnectError('BAD_REQUEST', 'Partitions may not be null');
      if (offset !== null && (typeof offset !== 'object' || Array.isArray(offset)))
        throw new ConnectError('BAD_REQUEST', 'Offsets must be JSON objects or null');
      return {
        partition: partition as Record<string, unknown>,
        offset: offset as Record<string, unknown> | null,
      };
    });
    return herder.alterOffsets(params(request).name, offsets);
  });
  app.delete('/connectors/:name/offsets', async (request) => herder.alterOffsets(params(request).name, null));

  app.get('/connector-plugins', async (request) => {
    const query = request.query as { connectorsOnly?: string };
    const types: PluginType[] | undefined =
      query.connectorsOnly !== undefined && query.connectorsOnly.toLowerCase() === 'false'
        ? undefined
        : ['source', 'sink'];
    return plugins.list(types).map((p) => ({ class: p.className, type: p.type, version: p.version }));
  });
  app.get('/connector-plugins/:plugin/config', async (request) =>
    connectorPluginConfig(plugins, (request.params as { plugin: string }).plugin),
  );
  app.put('/connector-plugins/:plugin/config/validate', async (request): Promise<ConfigInfos> => {
    const plugin = (request.params as { plugin: string }).plugin;
    return validateForPlugin(herder, plugin, configOf(request.body));
  });

  return app;
}

function params(request: { params: unknown }): { name: string; task?: string } {
  return request.params as { name: string; task?: string };
}

/** Binds the server on every listener; returns the bound URLs (a port 0 replaced by the real one). */
export async function listenRest(
  app: FastifyInstance,
  listeners: readonly RestListener[],
): Promise<string[]> {
  const urls: string[] = [];
  for (const l of listeners) {
    const address = await app.listen({ host: l.host === '' ? '0.0.0.0' : l.host, port: l.port });
    urls.push(address);
  }
  return urls;
}
