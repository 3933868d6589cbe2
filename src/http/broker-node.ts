import { Broker, type BrokerOptions } from '../broker/broker.js';
import type { BrokerObserver } from '../broker/broker-observer.js';
import type { BrokerConfig } from '../broker/config/broker-config.js';
import { type Logger, noopLogger } from '../common/logger.js';
import { healthRoutes } from './health-routes.js';
import { parseHttpListeners } from './http-listeners.js';
import { type BoundHttpListener, type HttpRoute, HttpServer } from './http-server.js';
import { KafkaMetrics } from './kafka-metrics.js';
import { MetricsRegistry } from './metrics-registry.js';

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
  ) {}

  /** The HTTP addresses bound (the port chosen when 0 was asked for); empty without HTTP. */
  get httpListeners(): readonly BoundHttpListener[] {
    return this.http?.bound ?? [];
  }

  static async start(
    config: BrokerConfig,
    options: Omit<BrokerOptions, 'metrics'> = {},
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
    const http = new HttpServer(routes, logger.child({ component: 'http' }));
    await http.start(listeners);
    try {
      const broker = await Broker.start(config, { ...options, metrics });
      observer = broker.observer;
      return new BrokerNode(broker, http);
    } catch (err) {
      await http.close();
      throw err;
    }
  }

  /** Stops the broker (/readyz says so meanwhile), then the HTTP server. */
  async close(): Promise<void> {
    await this.broker.close();
    await this.http?.close();
  }
}
