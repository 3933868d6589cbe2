import { createServer } from 'node:net';
import { decodeRequest, encodeResponse } from '../src/protocol/frame.js';
import { FrameSplitter } from '../src/protocol/frame-splitter.js';
import { ApiKey } from '../src/protocol/generated/api-registry.js';

/** One API a fake broker serves: its highest version, and the response body for a request body. */
export interface FakeApi {
  maxVersion: number;
  /** The response body, or undefined to send none (Produce with acks=0). */
  answer(body: unknown): unknown;
}

export interface FakeBrokerOptions {
  clusterId: string;
  metadataMaxVersion: number;
  /** The APIs besides ApiVersions and Metadata, by API key. */
  apis: Readonly<Record<number, FakeApi>>;
}

export interface FakeBroker {
  bootstrap: string;
  close(): Promise<void>;
}

/**
 * A broker in a few lines, for measuring and testing clients against answers of our choosing:
 * it answers ApiVersions and Metadata itself (every topic asked for has one partition, led by this
 * broker, node 0) and hands the other advertised APIs to `apis`. Any other request closes the
 * connection.
 */
export async function startFakeBroker(options: FakeBrokerOptions): Promise<FakeBroker> {
  let port = 0;
  const advertised: Record<number, number> = {
    [ApiKey.ApiVersions]: 3,
    [ApiKey.Metadata]: options.metadataMaxVersion,
  };
  for (const [key, api] of Object.entries(options.apis)) advertised[Number(key)] = api.maxVersion;
  const answer = (apiKey: number, body: unknown): unknown => {
    if (apiKey === ApiKey.ApiVersions) {
      const apiKeys = Object.entries(advertised).map(([k, v]) => ({
        apiKey: Number(k),
        minVersion: 0,
        maxVersion: v,
      }));
      return { errorCode: 0, apiKeys };
    }
    if (apiKey === ApiKey.Metadata) {
      const req = body as { topics: { name: string | null }[] | null };
      return {
        brokers: [{ nodeId: 0, host: '127.0.0.1', port, rack: null }],
        clusterId: options.clusterId,
        controllerId: 0,
        topics: (req.topics ?? []).map((t) => ({
          errorCode: 0,
          name: t.name,
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 0,
              leaderEpoch: 0,
              replicaNodes: [0],
              isrNodes: [0],
              offlineReplicas: [],
            },
          ],
        })),
      };
    }
    return options.apis[apiKey]!.answer(body);
  };
  const server = createServer({ noDelay: true }, (socket) => {
    const frames = new FrameSplitter(1 << 30);
    // Clients reset their connections when they close.
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const f of frames.push(chunk)) {
        const { header, body } = decodeRequest(f);
        if (advertised[header.apiKey] === undefined) {
          socket.destroy();
          return;
        }
        const res = answer(header.apiKey, body);
        if (res === undefined) continue;
        socket.write(
          Buffer.concat(encodeResponse(header.apiKey, header.apiVersion, header.correlationId, res as never)),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  return {
    bootstrap: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
