import { ApiKey } from '../src/protocol/generated/api-registry.js';
import { startFakeBroker } from './fake-broker.js';

/**
 * Null-broker mode: answers ApiVersions, Metadata (every topic has one partition, led by itself)
 * and Produce (success, offsets counted per topic) and nothing else, so the produce figures
 * measured against it are the clients' own cost without a log behind them.
 */
export async function startNullBroker(): Promise<string> {
  const offsets = new Map<string, bigint>();
  const broker = await startFakeBroker({
    clusterId: 'null-broker',
    metadataMaxVersion: 12,
    apis: {
      [ApiKey.Produce]: {
        maxVersion: 9,
        answer: (body) => {
          const req = body as {
            acks: number;
            topicData: { name: string; partitionData: { index: number; records: Buffer | null }[] }[];
          };
          if (req.acks === 0) return undefined;
          return {
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
          };
        },
      },
    },
  });
  return broker.bootstrap;
}
