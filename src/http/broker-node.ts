import { Broker, type BrokerOptions } from '../broker/broker.js';
import type { BrokerObserver } from '../broker/broker-observer.js';
import type { BrokerConfig } from '../broker/config/broker-config.js';
import { type Logger, noopLogger } from '../common/logger.js';
import { ConsoleAuth } from './console/console-auth.js';
import { consoleHandler } from './console/console-routes.js';
import { ConsoleSampler } from './console/console-sampler.js';
import { StaticAssets } from './console/static-assets.js';
import { healthRoutes } from './health-routes.js';
import { parseHttpListeners } from './http-listeners.js';
import { type BoundHttpListener, type HttpRoute, HttpServer } from './http-server.js';
import { KafkaMetrics } from './kafka-metrics.js';
import { MetricsRegistry } from './metrics-registry.js';

/** How often the console's charts sample throughput and consumer lag. */
const CONSOLE_SAMPLE_INTERVAL_MS = 5000;

/** Whether a listener's host is a loopback address (or localhost): reachable from this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * A broker with its HTTP listener (`strom.http.listeners`): what `strom server` runs. The HTTP
 * server binds first, so `/healthz` answers and `/readyz` says "not ready" while the broker loads
 * its logs, and a taken HTTP port fails the start before anything is opened. With no HTTP
 * listener (`none`), the broker runs without metrics, at no cost.
 */
export class BrokerNode {
  private constructor(
    readonly broker: Broker,
    private readonly http: HttpServer | null,
    private readonly sampler: ConsoleSampler | null = null,
  ) {}

  /** The HTTP addresses bound (the port chosen when 0 was asked for); empty without HTTP. */
  get httpListeners(): readonly BoundHttpListener[] {
    return this.http?.bound ?? [];
  }

  static async start(
    config: BrokerConfig,
    options: Omit<BrokerOptions, 'metrics'> & {
      /** How often the console samples throughput and lag for its charts (5 s by default). */
      readonly consoleSampleIntervalMs?: number;
    } = {},
  ): Promise<BrokerNode> {
    const logger: Logger = options.logger ?? noopLogger;
    const listeners = parseHttpListeners(config.get('strom.http.listeners'));
    if (listeners.length === 0) return new BrokerNode(await Broker.start(config, options), null);

    let observer: BrokerObserver | null = null;
    const metrics = new KafkaMetrics();
    const registry = new MetricsRegistry(metrics, () => observer);
    const routes = new Map<string, HttpRoute>([
      ...healthRoutes(() => observer),
      [
        '/metrics',
        async () => ({ status: 200, contentType: registry.contentType, body: await registry.text() }),
      ],
    ]);
    let broker: Broker | null = null;
    const httpLog = logger.child({ component: 'http' });
    const sampler = new ConsoleSampler(metrics, () => observer);
    const consoleApp = consoleHandler({
      broker: () => (broker === null ? null : { requests: broker.localRequests, observer: broker.observer }),
      sampler,
      assets: new StaticAssets(),
      auth: new ConsoleAuth(
        () => broker?.sasl ?? null,
        listeners.every((l) => isLoopback(l.host)),
        logger.child({ component: 'console' }),
      ),
      log: httpLog,
    });
    const http = new HttpServer(routes, httpLog, consoleApp);
    await http.start(listeners);
    try {
      broker = await Broker.start(config, { ...options, metrics });
      observer = broker.observer;
      sampler.start(options.consoleSampleIntervalMs ?? CONSOLE_SAMPLE_INTERVAL_MS);
      return new BrokerNode(broker, http, sampler);
    } catch (err) {
      await http.close();
      throw err;
    }
  }

  /** Stops the broker (/readyz says so meanwhile), then the HTTP server. */
  async close(): Promise<void> {
    this.sampler?.stop();
    await this.broker.close();
    await this.http?.close();
  }
}
