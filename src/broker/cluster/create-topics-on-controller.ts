import type { MetadataManager } from '../../metadata/metadata-manager.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import type { CreateTopicsRequestCreatableTopic } from '../../protocol/generated/messages/create-topics-request.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { type ControllerChannel, ControllerUnavailableError } from './controller-channel.js';

/** How long a broker waits for the controller to create topics it needs (auto-created, internal). */
const CREATE_TIMEOUT_MS = 30_000;

/**
 * Topics a broker that is not the controller needs created (auto-creation by Metadata, the
 * internal topics of the coordinators): a CreateTopics to the active controller, as Kafka's
 * AutoTopicCreationManager sends one. Resolves once this broker's image has the result applied.
 */
export async function createTopicsOnController(
  channel: ControllerChannel,
  metadata: MetadataManager,
  topics: MessageInput<CreateTopicsRequestCreatableTopic>[],
): Promise<{ name: string; errorCode: number; errorMessage: string | null }[]> {
  try {
    const res = await channel.send(
      ApiKey.CreateTopics,
      7,
      { topics, timeoutMs: CREATE_TIMEOUT_MS, validateOnly: false },
      CREATE_TIMEOUT_MS,
    );
    // The controller answered once the records were in etcd: read them before answering.
    await metadata.catchUp().catch(() => undefined);
    return res.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage }));
  } catch (err) {
    if (!(err instanceof ControllerUnavailableError)) throw err;
    return topics.map((t) => ({
      name: t.name ?? '',
      errorCode: ErrorCode.REQUEST_TIMED_OUT,
      errorMessage: err.message,
    }));
  }
}
