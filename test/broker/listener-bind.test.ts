import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';
import { ListenError } from '../../src/broker/network/listen-error.js';
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

  it('startBroker({ port }) listens on that port, and rejects with ListenError when it is taken', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    try {
      const err = await startBroker({ port }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ListenError, String(err));
      assert.deepEqual([err.code, err.osCode], ['LISTEN_FAILED', 'EADDRINUSE']);
      assert.equal(
        err.message,
        `listener PLAINTEXT cannot listen on 127.0.0.1:${port}: the address is already in use (another broker?)`,
      );
    } finally {
      await new Promise((r) => probe.close(r));
    }
    const broker = await startBroker({ port });
    try {
      assert.equal(broker.bootstrap, `127.0.0.1:${port}`);
    } finally {
      await broker.close();
    }
  });
});
