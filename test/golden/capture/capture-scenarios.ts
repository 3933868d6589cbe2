import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peerVersion } from '../../peers/peer-clients.js';
import type { ClientName, ExpectedRecord, ExpectedRecords } from '../golden-index.js';
import { kafkajsAdmin, kafkajsConsume, kafkajsProduce } from './clients/kafkajs-client.js';
import {
  PLATFORMATIC_CODECS,
  platformaticAdmin,
  platformaticConsume,
  platformaticProduce,
} from './clients/platformatic-client.js';
import { runCommand } from './run-command.js';

/** Debian's Python modules (confluent_kafka, kafka) load in the system interpreter. */
const PYTHON = '/usr/bin/python3';

/** One client run against the capture broker; the frames it sends are attributed to it. */
export interface Scenario {
  client: ClientName;
  name: string;
  clientId: string;
  topic?: string;
  groupId?: string;
  acks?: number;
  /** ClientSoftwareName the client sends in ApiVersions v3+ (KIP-511). */
  softwareName?: string;
  /** What the Produce frames of this scenario carry. */
  records?: ExpectedRecords;
  run(bootstrap: string): Promise<void>;
}

/** Three keyed records, as kcat -K: reads them from stdin. */
export const KCAT_RECORDS = 'key-1:value-1\nkey-2:value-2\nkey-3:value-3\n';

function kcat(bootstrap: string, clientId: string, args: string[], stdin = ''): Promise<string> {
  return runCommand('kcat', ['-b', bootstrap, '-X', `client.id=${clientId}`, ...args], stdin);
}

const KCAT_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const KAFKA_PYTHON_RUNS = [
  { apiVersion: 'auto', magic: 2, codecs: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] },
  { apiVersion: '0.10', magic: 1, codecs: ['none', 'gzip', 'snappy', 'lz4'] },
  { apiVersion: '0.9', magic: 0, codecs: ['none', 'gzip', 'snappy', 'lz4'] },
  { apiVersion: '0.8.2', magic: 0, codecs: ['none'] },
] as const;

function legacy(magic: number, codec: string): Partial<ExpectedRecords> {
  return magic === 2 ? {} : { messageSetEntries: codec === 'none' ? 3 : 1 };
}

/** The three records every producer scenario sends, with the headers that scenario adds to each. */
function contents(...headers: [string, string][]): ExpectedRecord[] {
  return [1, 2, 3].map((i) => ({ key: `key-${i}`, value: `value-${i}`, headers }));
}

export function scenarios(root: string): Scenario[] {
  const clients = join(root, 'test/golden/capture/clients');
  const list: Scenario[] = [];
  list.push({
    client: 'kcat',
    name: 'kcat -L',
    clientId: 'strom-golden-kcat',
    softwareName: 'librdkafka',
    run: (b) => kcat(b, 'strom-golden-kcat', ['-L']).then(() => {}),
  });
  for (const codec of KCAT_CODECS) {
    const topic = `golden-kcat-${codec}`;
    list.push({
      client: 'kcat',
      name: `kcat -P -z ${codec}`,
      clientId: 'strom-golden-kcat',
      softwareName: 'librdkafka',
      topic,
      acks: -1,
      records: { magic: 2, codec, recordCount: 3, contents: contents(['trace', 'golden'], ['codec', codec]) },
      run: (b) =>
        kcat(
          b,
          'strom-golden-kcat',
          [
            '-P',
            '-t',
            topic,
            '-p',
            '0',
            '-K',
            ':',
            '-z',
            codec,
            '-H',
            'trace=golden',
            '-H',
            `codec=${codec}`,
          ],
          KCAT_RECORDS,
        ).then(() => {}),
    });
  }
  list.push({
    client: 'kcat',
    name: 'kcat -C -e',
    clientId: 'strom-golden-kcat',
    softwareName: 'librdkafka',
    topic: 'golden-kcat-gzip',
    run: async (b) => {
      const out = await kcat(b, 'strom-golden-kcat', [
        '-C',
        '-t',
        'golden-kcat-gzip',
        '-o',
        'beginning',
        '-e',
        '-f',
        '%k=%s\n',
      ]);
      if (out !== 'key-1=value-1\nkey-2=value-2\nkey-3=value-3\n') throw new Error(`kcat consumed ${out}`);
    },
  });

  const confluent = join(clients, 'confluent_kafka_client.py');
  list.push({
    client: 'confluent-kafka-python',
    name: 'idempotent producer with headers',
    clientId: 'strom-golden-confluent',
    softwareName: 'confluent-kafka-python',
    topic: 'golden-confluent',
    acks: -1,
    records: {
      magic: 2,
      codec: 'none',
      recordCount: 3,
      contents: contents(['trace', 'golden'], ['client', 'confluent-kafka-python']),
    },
    run: (b) =>
      runCommand(PYTHON, [confluent, 'produce', b, 'golden-confluent', 'strom-golden-confluent']).then(
        () => {},
      ),
  });
  list.push({
    client: 'confluent-kafka-python',
    name: 'group consumer',
    clientId: 'strom-golden-confluent',
    softwareName: 'confluent-kafka-python',
    topic: 'golden-confluent',
    groupId: 'golden-confluent-group',
    run: (b) =>
      runCommand(PYTHON, [
        confluent,
        'consume',
        b,
        'golden-confluent',
        'strom-golden-confluent',
        'golden-confluent-group',
      ]).then(() => {}),
  });

  const kafkaPython = join(clients, 'kafka_python_client.py');
  for (const run of KAFKA_PYTHON_RUNS) {
    for (const codec of run.codecs) {
      const topic = `golden-kafka-python-${run.apiVersion}-${codec}`;
      list.push({
        client: 'kafka-python',
        name: `producer api_version=${run.apiVersion} ${codec}`,
        clientId: 'strom-golden-kafka-python',
        topic,
        acks: 1,
        records: {
          magic: run.magic,
          codec,
          recordCount: 3,
          contents: run.magic === 2 ? contents(['trace', 'golden']) : contents(),
          ...legacy(run.magic, codec),
        },
        run: (b) =>
          runCommand(PYTHON, [
            kafkaPython,
            b,
            topic,
            'strom-golden-kafka-python',
            run.apiVersion,
            codec,
          ]).then(() => {}),
      });
    }
  }

  for (const codec of ['none', 'gzip'] as const) {
    list.push({
      client: 'kafkajs',
      name: `producer ${codec}`,
      clientId: 'strom-golden-kafkajs',
      topic: `golden-kafkajs-${codec}`,
      acks: -1,
      records: {
        magic: 2,
        codec,
        recordCount: 3,
        contents: contents(['trace', 'golden'], ['client', 'kafkajs']),
      },
      run: (b) => kafkajsProduce(b, `golden-kafkajs-${codec}`, 'strom-golden-kafkajs', codec),
    });
  }
  list.push({
    client: 'kafkajs',
    name: 'group consumer',
    clientId: 'strom-golden-kafkajs',
    topic: 'golden-kafkajs-gzip',
    groupId: 'golden-kafkajs-group',
    run: (b) => kafkajsConsume(b, 'golden-kafkajs-gzip', 'strom-golden-kafkajs', 'golden-kafkajs-group'),
  });
  list.push({
    client: 'kafkajs',
    name: 'admin create and delete topic',
    clientId: 'strom-golden-kafkajs',
    topic: 'golden-kafkajs-admin',
    run: (b) => kafkajsAdmin(b, 'golden-kafkajs-admin', 'strom-golden-kafkajs'),
  });
  for (const codec of PLATFORMATIC_CODECS) {
    list.push({
      client: 'platformatic-kafka',
      name: `producer ${codec}`,
      clientId: 'strom-golden-platformatic',
      topic: `golden-platformatic-${codec}`,
      acks: -1,
      records: {
        magic: 2,
        codec,
        recordCount: 3,
        contents: contents(['trace', 'golden'], ['client', 'platformatic-kafka']),
      },
      run: (b) => platformaticProduce(b, `golden-platformatic-${codec}`, 'strom-golden-platformatic', codec),
    });
  }
  list.push({
    client: 'platformatic-kafka',
    name: 'group consumer',
    clientId: 'strom-golden-platformatic',
    topic: 'golden-platformatic-lz4',
    groupId: 'golden-platformatic-group',
    run: (b) =>
      platformaticConsume(
        b,
        'golden-platformatic-lz4',
        'strom-golden-platformatic',
        'golden-platformatic-group',
      ),
  });
  list.push({
    client: 'platformatic-kafka',
    name: 'admin create and delete topic',
    clientId: 'strom-golden-platformatic',
    topic: 'golden-platformatic-admin',
    run: (b) => platformaticAdmin(b, 'golden-platformatic-admin', 'strom-golden-platformatic'),
  });
  return list;
}

/** The version of each client, as recorded in index.json. */
function packageVersion(root: string, name: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export async function clientVersions(root: string): Promise<Record<ClientName, string>> {
  const kcatV = await runCommand('kcat', ['-V']);
  const m = /Version (\S+) .*librdkafka (\S+)/.exec(kcatV);
  const confluentV = await runCommand(PYTHON, [
    '-c',
    'import confluent_kafka as c; print(c.version()[0] + " (librdkafka " + c.libversion()[0] + ")")',
  ]);
  const kafkaPythonV = await runCommand(PYTHON, ['-c', 'import kafka; print(kafka.__version__)']);
  const kafkajsV = packageVersion(root, 'kafkajs');
  const platformaticV = peerVersion('@platformatic/kafka');
  return {
    kcat: m ? `${m[1]} (librdkafka ${m[2]})` : 'unknown',
    'confluent-kafka-python': confluentV.trim(),
    'kafka-python': kafkaPythonV.trim(),
    kafkajs: kafkajsV,
    'platformatic-kafka': platformaticV,
  };
}
