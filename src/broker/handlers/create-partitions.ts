import { createPartitions } from '../../metadata/controller/create-partitions.js';
import { CreatePartitionsRequest } from '../../protocol/generated/messages/create-partitions-request.js';
import { CreatePartitionsResponse } from '../../protocol/generated/messages/create-partitions-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { submitOrFail } from '../metadata-write.js';

/** CreatePartitions: grows topics; the controller validates counts and assignments. */
export function createPartitionsHandler(s: BrokerServices) {
  return defineHandler(CreatePartitionsRequest, CreatePartitionsResponse, { min: 0, max: 3 }, async (req) => {
    const results = await submitOrFail(
      s,
      (image) => createPartitions(image, req.topics, req.validateOnly, s.random),
      (errorCode, errorMessage) => req.topics.map((t) => ({ name: t.name, errorCode, errorMessage })),
    );
    return { throttleTimeMs: 0, results };
  });
}
