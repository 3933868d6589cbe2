import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import { Broker, type BrokerOptions } from './broker.js';
import type { BrokerMetrics } from './broker-metrics.js';
import { BrokerConfig } from './config/broker-config.js';

export interface StartBrokerOptions {
  /** Broker config keys (Kafka names), e.g. `{ 'num.partitions': '3' }`. */
  readonly config?: Readonly<Record<string, string>>;
  /** Data directory; a fresh temporary one (removed on close) when omitted. */
  readonly logDir?: string;
  /** Logs nothing when omitted; `jsonLinesLogger()` or `prettyLinesLogger()` write to stderr. */
  readonly logger?: Logger;
  readonly metrics?: BrokerMetrics;
  /** Port of the PLAINTEXT listener on 127.0.0.1; a free one when omitted (or 0). `config.listeners` wins. */
  readonly port?: number;
}

export interface StartedBroker {
  /** `host:port` for clients' bootstrap servers. */
  readonly bootstrap: string;
  readonly broker: Broker;
  close(): Promise<void>;
}

/**
 * Starts a broker for a test suite or an embedded use: a free port on localhost unless `port` is
 * given and, unless `logDir` is, a temporary data directory that close() removes. docs/embedding.md
 * describes the options.
 */
export async function startBroker(options: StartBrokerOptions = {}): Promise<StartedBroker> {
  const temp = options.logDir === undefined ? mkdtempSync(join(tmpdir(), 'strom-')) : null;
  const raw = new Map<string, string>([
    ['listeners', `PLAINTEXT://127.0.0.1:${options.port ?? 0}`],
    ['log.dirs', options.logDir ?? temp!],
    ['group.initial.rebalance.delay.ms', '0'],
    ...Object.entries(options.config ?? {}),
  ]);
  try {
    const brokerOptions: { -readonly [K in keyof BrokerOptions]: BrokerOptions[K] } = {};
    if (options.logger) brokerOptions.logger = options.logger;
    if (options.metrics) brokerOptions.metrics = options.metrics;
    const broker = await Broker.start(new BrokerConfig(raw), brokerOptions);
    return {
      bootstrap: broker.bootstrap,
      broker,
      close: async () => {
        await broker.close();
        if (temp) rmSync(temp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (temp) rmSync(temp, { recursive: true, force: true });
    throw err;
  }
}
