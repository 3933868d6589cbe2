/** Strom's public entry point: start a broker programmatically. The client lives in 'strom/client'. */
export { Broker, type BrokerOptions } from './broker/broker.js';
export type { BrokerMetrics } from './broker/broker-metrics.js';
export type { BrokerObserver, PartitionView, Readiness } from './broker/broker-observer.js';
export { BrokerConfig } from './broker/config/broker-config.js';
export { ListenError } from './broker/network/listen-error.js';
export { type StartBrokerOptions, type StartedBroker, startBroker } from './broker/start-broker.js';
export { InvalidConfigError } from './common/config-def.js';
export {
  jsonLinesLogger,
  type Logger,
  type LogLevel,
  noopLogger,
  prettyLinesLogger,
} from './common/logger.js';
export { BrokerNode } from './http/broker-node.js';
export { HttpListenError } from './http/http-listen-error.js';
