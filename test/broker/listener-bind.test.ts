import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';
import { startBroker } from '../../src/broker/start-broker.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { ApiVersionsResponse } from '../../src/protocol/generated/messages/api-versions-response.js';
import { request } from '../helpers/request.js';

describe('listeners', () => {
  it('binds every interface when the host is empty, as docs/configuration.md says', async () => {
    const broker = await startBroker({ config: { listeners: 'PLAINTEXT://:0' } });
    try {
      const port = broker.bootstrap.slice(broker.bootstrap.lastIndexOf(':') + 1);
      const addresses = ['127.0.0.1'];
      for (const list of Object.values(networkInterfaces()))
        for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) addresses.push(a.address);
      for (const host of addresses) {
        const res = await request<ApiVersionsResponse>(`${host}:${port}`, ApiKey.ApiVersions, 3, {
          clientSoftwareName: 'strom-test',
          clientSoftwareVersion: '1',
        });
        assert.equal(res.errorCode, 0, host);
      }
    } finally {
      await broker.close();
    }
  });
});
