import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import pc from 'picocolors';
import { jsonLinesLogger, type Logger, type LogLevel, prettyLinesLogger } from '../common/logger.js';
import { parseProperties } from '../common/properties.js';
import { StromError } from '../common/strom-error.js';
import { startDistributed } from '../connect/distributed/distributed-worker.js';
import { startStandalone } from '../connect/runtime/standalone-worker.js';
import { clientSecurityFrom } from './client-security.js';
import { onClosedOutput } from './closed-output.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/** How long a stopping worker may take to stop its tasks and store their offsets. */
const SHUTDOWN_DEADLINE_MS = 30_000;

interface ConnectOptions {
  logLevel: string;
  logFormat?: string;
}

export function registerConnectCommand(program: Command, done: (code: number) => void): void {
  const connect = program
    .command('connect')
    .description("Run a Strom Connect worker (Kafka's connect-standalone.sh and connect-distributed.sh)")
    .addHelpText(
      'after',
      `
Examples:
  strom connect standalone config/connect-standalone.properties config/connect-file-source.properties config/connect-file-sink.properties
  strom connect distributed config/connect-distributed.properties`,
    );
  connect
    .command('standalone')
    .description("Run a standalone Connect worker with the given connectors (Kafka's connect-standalone.sh)")
    .argument(
      '<worker.properties>',
      'the worker config: bootstrap.servers, converters, offset.storage.file.filename, ...',
    )
    .argument(
      '[connector...]',
      'connector configs: .properties files, or JSON files ({"name", "config"} or flat)',
    )
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option(
      '--log-format <format>',
      'pretty (readable lines, the default on a terminal) or json (one object per line, the default otherwise)',
    )
    .addHelpText(
      'after',
      `
Examples (Kafka's quickstart step "import/export your data as streams of events"):
  strom connect standalone config/connect-standalone.properties config/connect-file-source.properties config/connect-file-sink.properties`,
    )
    .action(async (workerFile: string, connectorFiles: string[], opts: ConnectOptions) => {
      done(await runWorker(workerFile, connectorFiles, opts, 'standalone'));
    });
  connect
    .command('distributed')
    .description(
      "Run a distributed Connect worker: workers with the same group.id share connectors and tasks (Kafka's connect-distributed.sh)",
    )
    .argument(
      '<worker.properties>',
      'the worker config: bootstrap.servers, group.id, config/offset/status.storage.topic, converters, ...',
    )
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option(
      '--log-format <format>',
      'pretty (readable lines, the default on a terminal) or json (one object per line, the default otherwise)',
    )
    .addHelpText(
      'after',
      `
Connectors are created through the REST API of any worker (listeners, default http://:8083):
  strom connect distributed config/connect-distributed.properties
  curl -X POST -H 'Content-Type: application/json' localhost:8083/connectors -d @connector.json`,
    )
    .action(async (workerFile: string, opts: ConnectOptions) => {
      done(await runWorker(workerFile, [], opts, 'distributed'));
    });
}

function loggerFor(opts: ConnectOptions): Logger | null {
  const level = (
    ['debug', 'info', 'warn', 'error'].includes(opts.logLevel) ? opts.logLevel : 'info'
  ) as LogLevel;
  const format = opts.logFormat ?? (process.stderr.isTTY ? 'pretty' : 'json');
  if (format !== 'pretty' && format !== 'json') return null;
  // Logs go to stderr: a FileStreamSink without a file writes its records to stdout.
  const write = (line: string): void => {
    process.stderr.write(line);
  };
  return format === 'json'
    ? jsonLinesLogger(write, level)
    : prettyLinesLogger(write, level, {}, Date.now, process.stderr.isTTY === true && pc.isColorSupported);
}

function readProperties(file: string): Record<string, string> {
  return Object.fromEntries(parseProperties(readFileSync(file, 'utf8')));
}

/** A connector file as Kafka's ConnectStandalone reads it: properties, or JSON ({name, config} or flat). */
export function readConnectorFile(file: string): Record<string, string> {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.json')) return Object.fromEntries(parseProperties(text));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UsageError(`${file} must hold a JSON object`);
  const obj = json as Record<string, unknown>;
  const config =
    typeof obj.config === 'object' && obj.config !== null ? (obj.config as Record<string, unknown>) : obj;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (typeof v !== 'string') throw new UsageError(`${file}: the value of ${k} must be a string`);
    out[k] = v;
  }
  if (typeof obj.name === 'string') out.name = obj.name;
  return out;
}

async function runWorker(
  workerFile: string,
  connectorFiles: string[],
  opts: ConnectOptions,
  mode: 'standalone' | 'distributed',
): Promise<number> {
  const logger = loggerFor(opts);
  if (!logger) {
    process.stderr.write(`Error: --log-format must be pretty or json, not ${opts.logFormat}\n`);
    return ExitCode.USAGE;
  }
  let workerProps: Record<string, string>;
  let connectors: Record<string, string>[];
  let security: ReturnType<typeof clientSecurityFrom>;
  try {
    workerProps = readProperties(workerFile);
    connectors = connectorFiles.map(readConnectorFile);
    security = clientSecurityFrom(new Map(Object.entries(workerProps)));
  } catch (err) {
    logger.error({ error: (err as Error).message }, 'invalid configuration');
    return ExitCode.FAILED;
  }
  let stopRequested: string | null = null;
  let onStop: (signal: string) => void = (signal) => {
    stopRequested = signal;
  };
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));
  onClosedOutput(() => onStop('closed output'));
  let worker: { stop(): Promise<void> };
  try {
    worker =
      mode === 'standalone'
        ? await startStandalone({ workerProps, connectors, logger, kafka: security })
        : await startDistributed({ workerProps, logger, kafka: security });
  } catch (err) {
    const code = err instanceof StromError ? err.code : (err as NodeJS.ErrnoException).code;
    logger.error({ error: (err as Error).message, code }, 'worker failed to start');
    return ExitCode.FAILED;
  }
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        logger.error({}, 'shutdown took too long; exiting');
        resolve(ExitCode.FAILED);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      worker.stop().then(
        () => {
          clearTimeout(deadline);
          resolve(ExitCode.OK);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolve(ExitCode.FAILED);
        },
      );
    };
    onStop = stop;
    if (stopRequested !== null) stop(stopRequested);
  });
}
