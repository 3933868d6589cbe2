import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServedApi, servedApis } from '../broker/served-apis.js';
import { API_REGISTRY } from '../protocol/generated/api-registry.js';
import { KAFKA_SPEC_RELEASE } from '../protocol/kafka-release.js';

/** This package's version, from its package.json (found above this module, bundled or not). */
export function stromVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'strom' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/**
 * What `strom --version` prints: the package version, then the Kafka protocol level the broker
 * serves, derived from its API versions: the spec release when every served API reaches that
 * release's newest version, else the APIs that stop short of it.
 */
export function versionText(served: readonly ServedApi[] = servedApis()): string {
  const behind: string[] = [];
  for (const api of served) {
    const spec = API_REGISTRY.get(api.apiKey);
    if (spec !== undefined && api.maxVersion < spec.maxVersion) {
      behind.push(`${spec.name} v${api.maxVersion} (Kafka ${KAFKA_SPEC_RELEASE}: v${spec.maxVersion})`);
    }
  }
  const level =
    behind.length === 0
      ? `Apache Kafka ${KAFKA_SPEC_RELEASE} (the release's newest version of each of the ${served.length} APIs served)`
      : `Apache Kafka ${KAFKA_SPEC_RELEASE} for ${served.length - behind.length} of the ${served.length} APIs served; older versions of ${behind.join(', ')}`;
  const apis = served.map(
    (a) => `${API_REGISTRY.get(a.apiKey)?.name ?? a.apiKey} v${a.minVersion}-${a.maxVersion}`,
  );
  return `strom ${stromVersion()}\nKafka protocol: ${level}\nAPIs: ${apis.join(', ')}\n`;
}
