import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { versionText } from '../../src/cli/version.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { ApiVersionsResponse } from '../../src/protocol/generated/messages/api-versions-response.js';
import { request } from '../helpers/request.js';
import { strom } from './cli-helpers.js';

describe('strom --version', () => {
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker();
  });
  after(() => broker.close());

  it("prints the package's version and the API versions a running broker advertises", async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const long = await strom(['--version']);
    const short = await strom(['-V']);
    assert.equal(long.code, 0);
    assert.equal(short.stdout, long.stdout);
    const [name, level, apis, rest] = long.stdout.split('\n');
    assert.equal(name, `strom ${pkg.version}`);
    assert.match(level!, /^Kafka protocol: Apache Kafka \d+\.\d+ /);
    assert.equal(rest, '');
    const advertised = await request<ApiVersionsResponse>(broker.bootstrap, ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1',
    });
    const names = new Map(Object.entries(ApiKey).map(([k, v]) => [v as number, k]));
    assert.equal(
      apis,
      `APIs: ${[...advertised.apiKeys]
        .sort((a, b) => a.apiKey - b.apiKey)
        .map((a) => `${names.get(a.apiKey)} v${a.minVersion}-${a.maxVersion}`)
        .join(', ')}`,
    );
  });

  it('names the APIs served below the spec release’s newest version', () => {
    const text = versionText([
      { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 11 },
      { apiKey: ApiKey.Fetch, minVersion: 4, maxVersion: 12 },
    ]);
    assert.match(
      text.split('\n')[1]!,
      /^Kafka protocol: Apache Kafka (\d+\.\d+) for 1 of the 2 APIs served; older versions of Fetch v12 \(Kafka \1: v\d+\)$/,
    );
    assert.equal(text.split('\n')[2], 'APIs: Produce v0-11, Fetch v4-12');
  });
});
