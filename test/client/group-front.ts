import { connect, createServer, type Server, type Socket } from 'node:net';
import { findCoordinator } from '../../src/broker/group/find-coordinator.js';
import { GroupCoordinator } from '../../src/broker/group/group-coordinator.js';
import type { GroupApi, GroupEffect, GroupRequest } from '../../src/broker/group/group-effects.js';
import { FrameSplitter } from '../../src/client/network/frame-splitter.js';
import { type Clock, systemClock } from '../../src/common/clock.js';
import { systemRandom } from '../../src/common/random.js';
import { decodeRequest, decodeResponse, encodeResponse } from '../../src/protocol/frame.js';
import { API_REGISTRY, ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { ApiVersionsResponse } from '../../src/protocol/generated/messages/api-versions-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/messages/metadata-response.js';

/**
 * A stand-in for the broker's group APIs while the broker does not serve them yet: a TCP front
 * that answers FindCoordinator and the group APIs with the broker's own group coordinator core
 * (src/broker/group) and forwards every other request to the real broker, advertising itself in
 * ApiVersions and Metadata. Appends to __consumer_offsets are not persisted: it lives as long as
 * a test. Once the broker answers JoinGroup, `startGroupCluster` uses the broker directly.
 */
const GROUP_APIS: ReadonlyMap<number, GroupApi> = new Map([
  [ApiKey.JoinGroup, 'JoinGroup'],
  [ApiKey.SyncGroup, 'SyncGroup'],
  [ApiKey.Heartbeat, 'Heartbeat'],
  [ApiKey.LeaveGroup, 'LeaveGroup'],
  [ApiKey.OffsetCommit, 'OffsetCommit'],
  [ApiKey.OffsetFetch, 'OffsetFetch'],
  [ApiKey.OffsetDelete, 'OffsetDelete'],
  [ApiKey.ListGroups, 'ListGroups'],
  [ApiKey.DescribeGroups, 'DescribeGroups'],
  [ApiKey.DeleteGroups, 'DeleteGroups'],
]);

interface Parked {
  socket: Socket;
  apiKey: number;
  version: number;
  correlationId: number;
}

export interface GroupFront {
  bootstrap: string;
  close(): Promise<void>;
}

function frame(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

export async function startGroupFront(brokerBootstrap: string): Promise<GroupFront> {
  const [brokerHost, brokerPort] = brokerBootstrap.split(':') as [string, string];
  // Whole milliseconds: the core turns some readings into int64 record fields.
  const clock: Clock = {
    nowMs: () => Date.now(),
    monotonicMs: () => Math.floor(performance.now()),
    setTimer: systemClock.setTimer,
  };
  const coordinator = new GroupCoordinator({
    clock,
    random: systemRandom,
    config: { groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 1000 },
  });
  for (let p = 0; p < coordinator.config.offsetsTopicNumPartitions; p++) {
    coordinator.beginLoad(p);
    coordinator.loadFrom(p, []);
  }
  const parked = new Map<number, Parked>();
  const sockets = new Set<Socket>();
  let nextRequestId = 1;
  let timer: NodeJS.Timeout | null = null;
  let port = 0;

  const run = (effects: GroupEffect[]): void => {
    for (const e of effects) {
      if (e.type !== 'respond') continue;
      const p = parked.get(e.requestId);
      parked.delete(e.requestId);
      if (p && !p.socket.destroyed) {
        p.socket.write(frame(encodeResponse(p.apiKey, p.version, p.correlationId, e.response as never)));
      }
    }
    if (timer) clearTimeout(timer);
    const at = coordinator.nextDeadlineMs();
    if (at !== null) timer = setTimeout(() => run(coordinator.tick()), Math.max(0, at - clock.monotonicMs()));
  };

  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect({ host: brokerHost, port: Number(brokerPort) });
    sockets.add(upstream);
    const forwarded: { apiKey: number; version: number }[] = [];
    const fromClient = new FrameSplitter(1 << 30);
    const fromBroker = new FrameSplitter(1 << 30);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.on('data', (chunk: Buffer) => {
      for (const f of fromClient.push(chunk)) {
        const { header, body } = decodeRequest(f);
        const { apiKey, apiVersion: version, correlationId } = header;
        if (apiKey === ApiKey.FindCoordinator) {
          const res = findCoordinator(version, body as never, {
            partitionCount: () => coordinator.config.offsetsTopicNumPartitions,
            leaderOf: () => ({ nodeId: 1, host: '127.0.0.1', port }),
          });
          // v4+ carries only `coordinators`; the core fills the old top-level fields with -1, which
          // the v4+ encoder rejects as values it cannot carry, so they go back to their defaults.
          const body4 = version >= 4 ? { coordinators: res.coordinators } : res;
          client.write(frame(encodeResponse(apiKey, version, correlationId, body4 as never)));
          continue;
        }
        const api = GROUP_APIS.get(apiKey);
        if (api) {
          const requestId = nextRequestId++;
          parked.set(requestId, { socket: client, apiKey, version, correlationId });
          const context = {
            requestId,
            apiVersion: version,
            clientId: header.clientId ?? '',
            clientHost: '127.0.0.1',
          };
          run(coordinator.handle({ api, context, request: body } as GroupRequest));
          continue;
        }
        forwarded.push({ apiKey, version });
        const size = Buffer.alloc(4);
        size.writeInt32BE(f.length);
        upstream.write(Buffer.concat([size, f]));
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const f of fromBroker.push(chunk)) {
        const req = forwarded.shift()!;
        if (req.apiKey === ApiKey.ApiVersions) {
          const { correlationId, body } = decodeResponse(req.apiKey, req.version, f);
          const res = body as ApiVersionsResponse;
          for (const key of [ApiKey.FindCoordinator, ...GROUP_APIS.keys()]) {
            const d = API_REGISTRY.get(key)!;
            if (!res.apiKeys.some((k) => k.apiKey === key)) {
              res.apiKeys.push({ apiKey: key, minVersion: d.minVersion, maxVersion: d.maxVersion });
            }
          }
          client.write(frame(encodeResponse(req.apiKey, req.version, correlationId, res as never)));
        } else if (req.apiKey === ApiKey.Metadata) {
          const { correlationId, body } = decodeResponse(req.apiKey, req.version, f);
          const res = body as MetadataResponse;
          for (const b of res.brokers) {
            b.host = '127.0.0.1';
            b.port = port;
          }
          client.write(frame(encodeResponse(req.apiKey, req.version, correlationId, res as never)));
        } else {
          const size = Buffer.alloc(4);
          size.writeInt32BE(f.length);
          client.write(Buffer.concat([size, f]));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  return {
    bootstrap: `127.0.0.1:${port}`,
    close: async () => {
      if (timer) clearTimeout(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
