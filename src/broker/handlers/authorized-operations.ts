/** AclOperation codes as a bit set, the form Metadata and DescribeCluster report. */
function operations(...codes: number[]): number {
  return codes.reduce((bits, op) => bits | (1 << op), 0);
}

/**
 * Without an authorizer every operation is allowed. Topics: READ, WRITE, CREATE, DELETE, ALTER,
 * DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. Cluster: CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION,
 * DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE.
 */
export const ALL_TOPIC_OPERATIONS = operations(3, 4, 5, 6, 7, 8, 10, 11);
export const ALL_CLUSTER_OPERATIONS = operations(4, 5, 7, 8, 9, 10, 11, 12);
