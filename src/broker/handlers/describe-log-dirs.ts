import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeLogDirsRequest } from '../../protocol/generated/messages/describe-log-dirs-request.js';
import { DescribeLogDirsResponse } from '../../protocol/generated/messages/describe-log-dirs-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';

/** DescribeLogDirs: each log dir, whether it is online, its space, and the partitions in it with their sizes. */
export function describeLogDirsHandler(s: BrokerServices) {
  return defineHandler(DescribeLogDirsRequest, DescribeLogDirsResponse, (req) => {
    const wanted =
      req.topics === null
        ? null
        : new Set(req.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)));
    const results = s.replicas.logs.logDirs().map((d) => {
      const logDir = resolve(d.path);
      if (!d.online)
        return {
          errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
          logDir,
          topics: [],
          totalBytes: -1n,
          usableBytes: -1n,
        };
      const byTopic = new Map<
        string,
        { partitionIndex: number; partitionSize: bigint; offsetLag: bigint; isFutureKey: boolean }[]
      >();
      for (const p of s.replicas.all()) {
        // A partition never written has no directory, so no log dir yet: none is made for it here.
        if (!p.isLoaded && !s.replicas.logs.hasLog({ topic: p.topic, partition: p.partition })) continue;
        if (resolve(dirname(p.log.dir)) !== logDir) continue;
        if (wanted && !wanted.has(p.key)) continue;
        let list = byTopic.get(p.topic);
        if (!list) {
          list = [];
          byTopic.set(p.topic, list);
        }
        const lag = Math.max(0, p.log.highWatermark - p.log.logEndOffset);
        list.push({
          partitionIndex: p.partition,
          partitionSize: BigInt(p.log.sizeBytes),
          offsetLag: BigInt(lag),
          isFutureKey: false,
        });
      }
      let totalBytes = -1n;
      let usableBytes = -1n;
      try {
        const st = statfsSync(logDir, { bigint: true });
        totalBytes = st.blocks * st.bsize;
        usableBytes = st.bavail * st.bsize;
      } catch {
        // Space is informative; a failing statfs must not fail the request.
      }
      const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
      return { errorCode: ErrorCode.NONE, logDir, topics, totalBytes, usableBytes };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
  });
}
