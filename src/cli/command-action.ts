import type { Command } from 'commander';
import pc from 'picocolors';
import { Kafka } from '../client/index.js';
import { CLIENT_SECURITY_KEYS, clientSecurityFrom, readCommandConfig } from './client-security.js';
import { isClosedOutputError } from './closed-output.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/** Options every client command takes. */
export interface ConnectionOptions {
  bootstrapServer: string;
  /** A properties file of Kafka client keys (security.protocol, sasl.*, ssl.*), as Kafka's scripts take. */
  commandConfig?: string;
  verbose?: boolean;
}

/** Adds --bootstrap-server and --verbose, named as in Kafka's scripts. */
export function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--bootstrap-server <host:port>', 'broker(s) to connect to, comma-separated', 'localhost:9092')
    .option(
      '--command-config <file>',
      'Kafka client properties: security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ...',
    )
    .option('--verbose', 'print stack traces of errors');
}

/**
 * The client of a command. Security comes from --command-config, and from the security keys among
 * `properties` (--producer-property, --consumer-property), which win, as in Kafka's scripts.
 */
export function kafkaFor(
  opts: ConnectionOptions,
  clientId: string,
  properties: ReadonlyMap<string, string> = new Map(),
): Kafka {
  const security = opts.commandConfig ? readCommandConfig(opts.commandConfig) : new Map<string, string>();
  for (const [k, v] of properties) if (CLIENT_SECURITY_KEYS.has(k)) security.set(k, v);
  // Command-line tools should fail fast when the broker is down rather than retry for minutes.
  return new Kafka({
    bootstrapServers: opts.bootstrapServer,
    clientId,
    retries: 3,
    connectTimeoutMs: 5000,
    ...clientSecurityFrom(security),
  });
}

/** Prints one readable line for a failure (the stack only with --verbose). */
export function reportError(err: unknown, verbose: boolean): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const line = `Error: ${e.message}`;
  process.stderr.write(`${process.stderr.isTTY ? pc.red(line) : line}\n`);
  if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
}

/**
 * Wraps a command's body for commander: reports its result through `done` as an exit code, turns
 * UsageError into 2 and any other failure into 1 with one line on stderr.
 */
export function commandAction<O extends { verbose?: boolean }>(
  done: (code: number) => void,
  run: (opts: O) => Promise<number | undefined>,
): (opts: O) => Promise<void> {
  return async (opts: O) => {
    try {
      done((await run(opts)) ?? ExitCode.OK);
    } catch (err) {
      // The reader of our output went away (`| head`): that ends a command, it is not its failure.
      if (isClosedOutputError(err)) {
        done(ExitCode.OK);
        return;
      }
      reportError(err, opts.verbose === true);
      done(err instanceof UsageError ? ExitCode.USAGE : ExitCode.FAILED);
    }
  };
}

/** Writes text to stdout and waits until it is handed to the OS, so an exit never truncates it. */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
