// Writes docs/configuration.md from the broker and topic config definitions, so the reference
// cannot drift from the code. A test checks the committed file matches.
import { writeFileSync } from 'node:fs';
import { BROKER_CONFIG_DEF } from '../src/broker/config/broker-config-def.js';
import { type ConfigDef, formatConfigValue } from '../src/common/config-def.js';
import { TOPIC_CONFIG_DEF, topicConfigSynonyms } from '../src/metadata/topic-config-def.js';

function table(def: ConfigDef, extra: (name: string) => string, extraHeader: string): string {
  const rows = def.names().map((name) => {
    const k = def.get(name)!;
    const dflt =
      k.defaultValue === undefined ? '(required)' : (formatConfigValue(k.defaultValue) ?? '(none)');
    const cell = (s: string) => s.replaceAll('|', '\\|');
    return `| \`${name}\` | ${k.type} | \`${cell(dflt)}\` | ${cell(k.doc)} | ${extra(name)} |`;
  });
  return [`| Key | Type | Default | Meaning | ${extraHeader} |`, '|---|---|---|---|---|', ...rows].join('\n');
}

export function configurationMarkdown(): string {
  return `# Configuration reference

Strom reads Kafka's broker and topic configuration keys with Kafka's names, types, defaults and
validation. This page is generated from the definitions in the code (\`npm run gen:config-docs\`).

## Broker

Set in a \`server.properties\` file (\`strom server --config FILE\`) or on the command line
(\`--override key=value\`, repeatable; overrides win). An unknown key is logged as a warning and
ignored; an invalid value stops the broker with exit code 1 before it listens. Keys marked dynamic
can be changed at runtime with IncrementalAlterConfigs (\`kafka-configs --entity-type brokers\`).

Strom's defaults differ from Kafka's in two places, so that \`npm start\` works out of the box:
\`listeners\` is \`PLAINTEXT://localhost:9092\` and \`log.dir\` is \`./strom-data\`; \`node.id\`
defaults to 1 for a single node.

${table(BROKER_CONFIG_DEF, (n) => (BROKER_CONFIG_DEF.get(n)!.dynamic ? 'dynamic' : 'restart'), 'Change')}

## Topic

Set when a topic is created (CreateTopics configs) or later with IncrementalAlterConfigs. A topic
key that is not set falls back to its broker synonym (the broker key in the last column), then to
Kafka's default.

${table(
  TOPIC_CONFIG_DEF,
  (n) =>
    topicConfigSynonyms(n)
      .map((s) => `\`${s}\``)
      .join(', '),
  'Broker synonyms',
)}
`;
}

if (process.argv[1]?.endsWith('gen-config-docs.js')) {
  writeFileSync(process.argv[2] ?? 'docs/configuration.md', configurationMarkdown());
}
