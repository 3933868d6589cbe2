/** Kafka's limit: 249 characters, so that `<topic>-<partition>` fits a 255-byte file name. */
export const TOPIC_NAME_MAX_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why a topic name is invalid, or null when it is valid (Kafka's Topic.validate). */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > TOPIC_NAME_MAX_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${TOPIC_NAME_MAX_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** Topics whose names differ only by '.' versus '_' collide in metric names; Kafka refuses the second. */
export function unifyCollisionChars(name: string): string {
  return name.replaceAll('.', '_');
}

/**
 * The broker's own metadata log (KRaft's `__cluster_metadata-0`). It is not a topic: clients can
 * neither create, delete, alter, produce to nor fetch from it (Kafka's ControllerApis.createTopics
 * refuses the name; the partition is never hosted as a topic's replica).
 */
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

/**
 * Topics a client may read but never write with Produce or DeleteRecords (Kafka's Topic.isInternal
 * plus the metadata log, which Strom reports as internal too).
 */
export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state' || name === CLUSTER_METADATA_TOPIC;
}
