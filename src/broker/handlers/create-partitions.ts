import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { createPartitions } from '../../metadata/controller/create-partitions.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CreatePartitionsRequest } from '../../protocol/generated/messages/create-partitions-request.js';
import { CreatePartitionsResponse } from '../../protocol/generated/messages/create-partitions-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/** CreatePartitions: grows topics; the controller validates counts and assignments. */
export function createPartitionsHandler(s: BrokerServices) {
  return defineHandler(
    CreatePartitionsRequest,
    CreatePartitionsResponse,
    { min: 0, max: 3 },
    async (req, ctx) => {
      // Kafka's KafkaApis.handleCreatePartitionsRequest: ALTER on each topic.
      const allowed = s.authorizer.filterAuthorized(
        ctx.connection,
        AclOperation.ALTER,
        AclResourceType.TOPIC,
        req.topics.map((t) => t.name),
      );
      const toGrow = req.topics.filter((t) => allowed.has(t.name));
      const grown = await submitOrFail(
        s,
        (image) => createPartitions(image, toGrow, req.validateOnly, s.random),
        (errorCode, errorMessage) => toGrow.map((t) => ({ name: t.name, errorCode, errorMessage })),
      );
      const next = grown[Symbol.iterator]();
      const results = req.topics.map((t) =>
        allowed.has(t.name)
          ? next.next().value!
          : {
              name: t.name,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              errorMessage: 'The topic authorization is failed.',
            },
      );
      return { throttleTimeMs: 0, results };
    },
  );
}
