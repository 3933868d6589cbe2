import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { registerAclsCommand } from './acls-command.js';
import { endQuietlyOnClosedOutput } from './closed-output.js';
import { registerClusterCommand } from './cluster-command.js';
import { writeOut } from './command-action.js';
import { registerConfigsCommand } from './configs-command.js';
import { registerConnectCommand } from './connect-command.js';
import { registerConsoleConsumerCommand } from './console-consumer-command.js';
import { registerConsoleProducerCommand } from './console-producer-command.js';
import { registerConsumerGroupsCommand } from './consumer-groups-command.js';
import { registerConsumerPerfTestCommand } from './consumer-perf-test-command.js';
import { registerDeleteRecordsCommand } from './delete-records-command.js';
import { registerDumpLogCommand } from './dump-log-command.js';
import { ExitCode } from './exit-codes.js';
import { registerGetOffsetsCommand } from './get-offsets-command.js';
import { registerLeaderElectionCommand } from './leader-election-command.js';
import { registerProducerPerfTestCommand } from './producer-perf-test-command.js';
import { registerServerCommand } from './server-command.js';
import { registerStreamsApplicationResetCommand } from './streams-application-reset-command.js';
import { registerTopicsCommand } from './topics-command.js';
import { registerTransactionsCommand } from './transactions-command.js';
import { versionText } from './version.js';

/** Runs the strom command line; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedOutput();
  let exitCode: number = ExitCode.OK;
  const program = new Command()
    .name('strom')
    .description('Strom: a Kafka-compatible streaming platform')
    .addHelpText(
      'after',
      `
Every command takes Kafka's flags and --help. Examples:
  strom server
  strom topics --create --topic quickstart-events
  strom console-consumer --topic quickstart-events --from-beginning`,
    )
    // Computed only when asked for: listing the served APIs loads every handler's codecs.
    .option('-V, --version', "print strom's version and the Kafka protocol level it serves")
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // commander's own usage errors read `error: …`; every strom error line reads `Error: …`.
      outputError: (s, write) => {
        const line = s.replace(/^error: /, 'Error: ');
        write(process.stderr.isTTY ? pc.red(line) : line);
      },
    });
  const done = (code: number): void => {
    exitCode = code;
  };
  for (const register of [
    registerServerCommand,
    registerTopicsCommand,
    registerConsoleProducerCommand,
    registerConsoleConsumerCommand,
    registerConsumerGroupsCommand,
    registerConfigsCommand,
    registerGetOffsetsCommand,
    registerDeleteRecordsCommand,
    registerLeaderElectionCommand,
    registerDumpLogCommand,
    registerTransactionsCommand,
    registerClusterCommand,
    registerConnectCommand,
    registerAclsCommand,
    registerProducerPerfTestCommand,
    registerConsumerPerfTestCommand,
    registerStreamsApplicationResetCommand,
  ])
    register(program, done);
  if (argv[0] === '-V' || argv[0] === '--version') {
    await writeOut(versionText());
    return ExitCode.OK;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? ExitCode.OK
        : ExitCode.USAGE;
    }
    throw err;
  }
  return exitCode;
}
