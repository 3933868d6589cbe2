import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AclOperation } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeLogDirsRequest } from '../../protocol/generated/messages/describe-log-dirs-request.js';
import { DescribeLogDirsResponse } from '../../protocol/generated/messages/describe-log-dirs-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';

/** DescribeLogDirs: each log dir, whether it is online, its space, and the partitions in it with their sizes. */
export function describeLogDirsHandler(s: BrokerServices) {
  return defineHandler(DescribeLogDirsRequest, DescribeLogDirsResponse, { min: 0, max: 4 }, (req, ctx) => {
    // Kafka's KafkaApis.handleDescribeLogDirsRequest: DESCRIBE on the cluster.
    if (!s.authorizer.authorizeCluster(ctx.connection, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    }
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
        if (wanted && !wanted.has(p.key)) continue;
        // A partition never written has no directory yet: it is listed, empty, in the dir that
        // would hold it (as Kafka, which creates it with the topic, lists it), and none is made.
        const written = p.isLoaded || s.replicas.logs.hasLog({ topic: p.topic, partition: p.partition });
        const dir = written ? dirname(p.log.dir) : s.replicas.logs.placementDir();
        if (dir === null || resolve(dir) !== logDir) continue;
        let list = byTopic.get(p.topic);
        if (!list) {
          list = [];
          byTopic.set(p.topic, list);
        }
        const lag = written ? Math.max(0, p.log.highWatermark - p.log.logEndOffset) : 0;
        list.push({
          partitionIndex: p.partition,
          partitionSize: written ? BigInt(p.log.sizeBytes) : 0n,
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
