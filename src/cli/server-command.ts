import type { Command } from 'commander';
import pc from 'picocolors';
import { BrokerConfig, type Listener } from '../broker/config/broker-config.js';
import { ListenError } from '../broker/network/listen-error.js';
import { InvalidConfigError } from '../common/config-def.js';
import { jsonLinesLogger, type LogLevel, prettyLinesLogger } from '../common/logger.js';
import { StromError } from '../common/strom-error.js';
import { BrokerNode } from '../http/broker-node.js';
import { HttpListenError } from '../http/http-listen-error.js';
import { onClosedOutput } from './closed-output.js';
import { ExitCode } from './exit-codes.js';

/** How long a stop may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 5000;

interface ServerOptions {
  config?: string;
  override: string[];
  logLevel: string;
  logFormat?: string;
}

export function registerServerCommand(program: Command, done: (code: number) => void): void {
  program
    .command('server')
    .description("Run a Strom broker (Kafka's kafka-server-start.sh)")
    .option('-c, --config <file>', 'a server.properties file with Kafka broker config keys')
    .option(
      '--override <key=value>',
      'set a config key; may be repeated',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option(
      '--log-format <format>',
      'pretty (readable lines, the default on a terminal) or json (one object per line, the default otherwise)',
    )
    .addHelpText(
      'after',
      `
Examples:
  strom server
  strom server --config config/server.properties
  strom server --log-format json > broker.log
  strom server --override log.dirs=/var/lib/strom --override num.partitions=3`,
    )
    .action(async (opts: ServerOptions) => {
      done(await runServer(opts));
    });
}

async function runServer(opts: ServerOptions): Promise<number> {
  const level = (
    ['debug', 'info', 'warn', 'error'].includes(opts.logLevel) ? opts.logLevel : 'info'
  ) as LogLevel;
  const format = opts.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'pretty' && format !== 'json') {
    process.stderr.write(`Error: --log-format must be pretty or json, not ${format}\n`);
    return ExitCode.USAGE;
  }
  const write = (line: string): void => {
    process.stdout.write(line);
  };
  const logger =
    format === 'json'
      ? jsonLinesLogger(write, level)
      : prettyLinesLogger(write, level, {}, Date.now, process.stdout.isTTY === true && pc.isColorSupported);
  let config: BrokerConfig;
  try {
    config = BrokerConfig.load({ ...(opts.config ? { file: opts.config } : {}), overrides: opts.override });
  } catch (err) {
    if (err instanceof InvalidConfigError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      logger.error({ error: (err as Error).message }, 'invalid configuration');
      return ExitCode.FAILED;
    }
    throw err;
  }
  // Signal handlers go in before the broker starts: until a handler exists, SIGTERM kills the
  // process outright, and a stop requested during startup must still be a clean stop (exit 0).
  let stopRequested: string | null = null;
  let onStop: (signal: string) => void = (signal) => {
    stopRequested = signal;
  };
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));
  // Logs piped into a reader that goes away (`strom server | head`): stop as cleanly as on SIGTERM.
  onClosedOutput(() => onStop('closed output'));
  let broker: BrokerNode;
  try {
    broker = await BrokerNode.start(config, { logger });
  } catch (err) {
    const code = err instanceof StromError ? err.code : (err as NodeJS.ErrnoException).code;
    if (err instanceof ListenError && err.osCode === 'EADDRINUSE' && err.listener.port !== 0) {
      // The usual first-run stumble (another broker on 9092): name the address and the way out.
      const hint = `--override ${listenersWithNextPort(config.listeners, err.listener)}`;
      logger.error(
        { error: err.message, code, hint },
        `broker failed to start: ${err.listener.host || '0.0.0.0'}:${err.listener.port} is already in use; choose another port with ${hint}`,
      );
      return ExitCode.FAILED;
    }
    if (err instanceof HttpListenError) {
      logger.error(
        { error: err.message, code },
        `broker failed to start: HTTP listener ${err.listener.url} cannot listen; set another address with --override strom.http.listeners=http://${err.listener.host || '0.0.0.0'}:${err.listener.port + 1} (or none)`,
      );
      return ExitCode.FAILED;
    }
    logger.error({ error: (err as Error).message, code }, 'broker failed to start');
    return ExitCode.FAILED;
  }
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        logger.error({}, 'shutdown took too long; exiting');
        resolve(ExitCode.FAILED);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      broker.close().then(
        () => {
          clearTimeout(deadline);
          resolve(ExitCode.OK);
        },
        (err) => {
          logger.error({ err }, 'shutdown failed');
          resolve(ExitCode.FAILED);
        },
      );
    };
    onStop = stop;
    if (stopRequested !== null) stop(stopRequested);
  });
}

/** The `listeners=` setting that moves the listener that could not bind to the next port up. */
export function listenersWithNextPort(listeners: readonly Listener[], failed: Listener): string {
  const uri = (l: Listener, port: number): string =>
    `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${port}`;
  return `listeners=${listeners.map((l) => uri(l, l.name === failed.name ? l.port + 1 : l.port)).join(',')}`;
}
