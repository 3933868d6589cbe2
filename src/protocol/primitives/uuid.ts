/** Kafka's zero Uuid in its display form (base64url, 22 characters): "no topic id". */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
