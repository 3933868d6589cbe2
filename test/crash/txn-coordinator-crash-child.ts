// Child process for txn-coordinator-crash.test.ts: a broker whose transaction markers are never
// written, so that an EndTxn(commit) leaves its transaction in PrepareCommit until the test
// SIGKILLs the process. Prints "ready <bootstrap>".
import { startBroker } from '../../src/broker/start-broker.js';

const [dir] = process.argv.slice(2);
const b = await startBroker({ logDir: dir! });
// Markers stall: what a broker killed after PrepareCommit is durable but before its markers looks like.
b.broker.services.replicas.appendTxnMarker = () => new Promise(() => undefined);
process.stdout.write(`ready ${b.bootstrap}\n`);
