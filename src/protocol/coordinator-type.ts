/**
 * FindCoordinatorRequest's key type (v1+; a group before), as Kafka's
 * `org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType`.
 */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1, SHARE: 2 } as const;
export type CoordinatorType = (typeof CoordinatorType)[keyof typeof CoordinatorType];
