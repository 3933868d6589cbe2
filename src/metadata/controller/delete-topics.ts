import { ErrorCode } from '../../protocol/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import type { MetadataImage } from '../metadata-image.js';
import type { ControllerResult, MetadataRecord } from './metadata-record.js';

export interface DeleteTopicOutcome {
  readonly name: string | null;
  readonly topicId: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** DeleteTopics by name (every version) or by topic id (v6+); one RemoveTopicRecord per topic. */
export function deleteTopics(
  image: MetadataImage,
  topics: readonly { readonly name: string | null; readonly topicId: string }[],
  deletionEnabled: boolean,
): ControllerResult<DeleteTopicOutcome[]> {
  const records: MetadataRecord[] = [];
  const response: DeleteTopicOutcome[] = [];
  const removed = new Set<string>();
  for (const req of topics) {
    const byId = req.topicId !== ZERO_UUID;
    const topic = byId
      ? image.topicsById.get(req.topicId)
      : req.name !== null
        ? image.topic(req.name)
        : undefined;
    const result = (errorCode: number, errorMessage: string | null): void => {
      response.push({
        name: topic?.name ?? req.name,
        topicId: topic?.topicId ?? req.topicId,
        errorCode,
        errorMessage,
      });
    };
    if (!deletionEnabled) {
      result(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
    } else if (byId && req.name !== null) {
      result(ErrorCode.INVALID_REQUEST, 'Topic name and topic id cannot both be specified.');
    } else if (!byId && req.name === null) {
      result(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
    } else if (!topic) {
      if (byId) result(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.');
      else result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    } else if (removed.has(topic.topicId)) {
      result(ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.');
    } else {
      removed.add(topic.topicId);
      records.push({ type: 'RemoveTopicRecord', data: { topicId: topic.topicId } });
      result(ErrorCode.NONE, null);
    }
  }
  return { records, response };
}
