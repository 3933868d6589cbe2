/**
 * Authorization's cost on the hot path, same run: the Strom client produces N records of 1 KiB
 * (acks=all, linger 5 ms, batch.size 512 KiB, 5 in flight, idempotent) to a broker without an
 * authorizer and to one with the StandardAuthorizer and 10,000 ACLs, in alternating rounds, each to
 * a fresh one-partition topic; the target is at least 0.97x. The producing principal
 * (User:ANONYMOUS on PLAINTEXT) is allowed by a PREFIXED ACL among 10,000 others: LITERAL and
 * PREFIXED ACLs of other principals on other topics, groups and transactional ids, with prefixes of
 * many lengths, so every Produce decision walks a well-filled index. Each broker is `strom server`
 * in its own process; the ACLs are created over a SASL listener by a super user. Prints the
 * figures and the ratio; the last line is `BENCH_JSON {...}` for the benchmark suite
 * (bench/suite/client-workloads.ts). Asserts nothing.
 *
 * Usage: node dist/bench/acls.bench.js [--records 300000] [--rounds 3] [--acls 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AclBinding, Kafka, type KafkaConfig } from '../src/client/index.js';
import { arg, quantile } from './measure.js';
import { produceRate } from './produce-rate.js';
import { freePort, startStrom, stopStrom } from './suite/strom-process.js';

const VALUE_BYTES = 1024;
const CHUNK = 100;
const WINDOW = 32;
const MODES = ['none', 'acls'] as const;
type Mode = (typeof MODES)[number];

async function produce(settings: KafkaConfig, topic: string, records: number): Promise<number> {
  const producer = new Kafka(settings).producer({
    acks: 'all',
    lingerMs: 5,
    batchSize: 512 * 1024,
    maxInFlightRequestsPerConnection: 5,
  });
  return produceRate(producer, topic, { records, valueBytes: VALUE_BYTES, chunk: CHUNK, window: WINDOW });
}

/** `count` ACLs: the producer's own, then others spread over resource types, patterns and prefix lengths. */
function aclsToCreate(count: number): AclBinding[] {
  const own: AclBinding[] = [
    {
      resourceType: 'TOPIC',
      resourceName: 'bench-',
      patternType: 'PREFIXED',
      principal: 'User:ANONYMOUS',
      operation: 'ALL',
      permissionType: 'ALLOW',
    },
    {
      resourceType: 'CLUSTER',
      resourceName: 'kafka-cluster',
      principal: 'User:ANONYMOUS',
      operation: 'IDEMPOTENT_WRITE',
      permissionType: 'ALLOW',
    },
  ];
  const others: AclBinding[] = [];
  const types = ['TOPIC', 'TOPIC', 'GROUP', 'TRANSACTIONAL_ID'] as const;
  for (let i = 0; others.length < count - own.length; i++) {
    const prefixed = i % 3 === 0;
    // Prefixes of 1 to 12 characters, some of them prefixes of the benchmark's topics' names.
    const name = prefixed
      ? `bench-acls-${i}`.slice(0, 1 + (i % 12)) + (i % 12 < 6 ? '' : `${i}`)
      : `app-${i}-events`;
    others.push({
      resourceType: types[i % types.length]!,
      resourceName: name,
      patternType: prefixed ? 'PREFIXED' : 'LITERAL',
      principal: `User:service-${i}`,
      host: i % 7 === 0 ? `10.0.${i % 256}.1` : '*',
      operation: i % 2 === 0 ? 'READ' : 'WRITE',
      permissionType: i % 10 === 0 ? 'DENY' : 'ALLOW',
    });
  }
  return [...own, ...others];
}

async function main(): Promise<void> {
  const records = Number(arg('--records', '300000'));
  const rounds = Number(arg('--rounds', '3'));
  const aclCount = Number(arg('--acls', '10000'));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`);
  console.log(
    `${records} records of ${VALUE_BYTES} B per mode, ${rounds} round(s), acks=all, idempotent; ${aclCount} ACLs`,
  );
  const dirs = [
    mkdtempSync(join(tmpdir(), 'strom-bench-acls-none-')),
    mkdtempSync(join(tmpdir(), 'strom-bench-acls-')),
  ];
  const [plainPort, aclPort, saslPort] = [await freePort(), await freePort(), await freePort()];
  const brokers = [
    await startStrom({ dataDir: dirs[0]!, port: plainPort, overrides: ['num.partitions=1'] }),
    await startStrom({
      dataDir: dirs[1]!,
      port: aclPort,
      overrides: [
        `listeners=PLAINTEXT://127.0.0.1:${aclPort},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'num.partitions=1',
        'sasl.enabled.mechanisms=PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";',
        'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users=User:admin',
      ],
    }),
  ];
  const settings: Record<Mode, KafkaConfig> = {
    none: { bootstrapServers: `127.0.0.1:${plainPort}`, clientId: 'bench-no-acls' },
    acls: { bootstrapServers: `127.0.0.1:${aclPort}`, clientId: 'bench-acls' },
  };
  const rates: Record<Mode, number[]> = { none: [], acls: [] };
  try {
    const admin = new Kafka({
      bootstrapServers: `127.0.0.1:${saslPort}`,
      sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' },
    }).admin();
    const all = aclsToCreate(aclCount);
    for (let i = 0; i < all.length; i += 1000) {
      const results = await admin.createAcls(all.slice(i, i + 1000));
      const failed = results.find((r) => r.errorCode !== 0);
      if (failed) throw new Error(`CreateAcls failed: ${failed.errorMessage}`);
    }
    const stored = (await admin.describeAcls()).length;
    await admin.close();
    console.log(`${stored} ACLs stored`);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        const rate = await produce(settings[mode], `bench-${mode}-${round}`, records);
        rates[mode].push(rate);
        console.log(`round ${round} ${mode}: ${Math.round(rate)} records/s`);
      }
    }
  } finally {
    for (const b of brokers) await stopStrom(b);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const results = MODES.map((mode) => ({
    mode,
    recordsPerSec: quantile(rates[mode], 0.5),
    spread: [Math.min(...rates[mode]), Math.max(...rates[mode])] as [number, number],
    rounds,
    acls: mode === 'acls' ? aclCount : 0,
  }));
  const none = results[0]!.recordsPerSec;
  for (const r of results) {
    console.log(
      `${r.mode}: ${Math.round(r.recordsPerSec)} records/s (${(r.recordsPerSec / none).toFixed(3)}x of no authorizer)`,
    );
  }
  console.log(`BENCH_JSON ${JSON.stringify({ results })}`);
}

await main();
