/**
 * The value of an `authorizedOperations` field when the client did not ask for them (or the version
 * cannot carry them): Integer.MIN_VALUE, Kafka's `MetadataResponse.AUTHORIZED_OPERATIONS_OMITTED`.
 */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
