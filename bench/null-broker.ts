import { createServer } from 'node:net';
import { FrameAssembler } from '../src/client/network/frame-assembler.js';
import { decodeRequest, encodeResponse } from '../src/protocol/frame.js';
import { ApiKey } from '../src/protocol/generated/api-registry.js';

/**
 * Null-broker mode: answers ApiVersions, Metadata (every topic has one partition, led by itself)
 * and Produce (success, offsets counted per topic) and nothing else, so the produce figures
 * measured against it are the clients' own cost without a log behind them.
 */
export async function startNullBroker(): Promise<string> {
  const offsets = new Map<string, bigint>();
  let port = 0;
  const server = createServer({ noDelay: true }, (socket) => {
    const splitter = new FrameAssembler(1 << 30);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const f of splitter.push(chunk)) {
        const { header, body } = decodeRequest(f);
        const reply = (res: unknown): void => {
          socket.write(
            Buffer.concat(
              encodeResponse(header.apiKey, header.apiVersion, header.correlationId, res as never),
            ),
          );
        };
        if (header.apiKey === ApiKey.ApiVersions) {
          const apiKeys = [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce].map((apiKey) => ({
            apiKey,
            minVersion: 0,
            maxVersion: apiKey === ApiKey.ApiVersions ? 3 : apiKey === ApiKey.Metadata ? 12 : 9,
          }));
          reply({ errorCode: 0, apiKeys });
        } else if (header.apiKey === ApiKey.Metadata) {
          const req = body as { topics: { name: string | null }[] | null };
          reply({
            brokers: [{ nodeId: 0, host: '127.0.0.1', port, rack: null }],
            clusterId: 'null-broker',
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
          });
        } else if (header.apiKey === ApiKey.Produce) {
          const req = body as {
            acks: number;
            topicData: { name: string; partitionData: { index: number; records: Buffer | null }[] }[];
          };
          if (req.acks === 0) continue;
          reply({
            responses: req.topicData.map((t) => ({
              name: t.name,
              partitionResponses: t.partitionData.map((p) => {
                const base = offsets.get(t.name) ?? 0n;
                const count = p.records && p.records.length >= 61 ? BigInt(p.records.readInt32BE(57)) : 0n;
                offsets.set(t.name, base + count);
                return {
                  index: p.index,
                  errorCode: 0,
                  baseOffset: base,
                  logAppendTimeMs: -1n,
                  logStartOffset: 0n,
                  recordErrors: [],
                  errorMessage: null,
                };
              }),
            })),
          });
        } else socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  return `127.0.0.1:${port}`;
}
