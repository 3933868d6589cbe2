/**
 * The Apache Kafka release whose message specs (../shared/kafka-protocol, regenerated with
 * `npm run gen:protocol`) the codecs in generated/ are made from: 3.9, the release that added the
 * KRaft voter APIs (AddRaftVoter, RemoveRaftVoter, UpdateRaftVoter, KIP-853) and the last before
 * 4.0 raised the oldest versions (KIP-896). Stated once, here, because the specs carry no release
 * number; update it when the specs are replaced. `strom --version` compares what the broker serves
 * with these specs' newest versions.
 */
export const KAFKA_SPEC_RELEASE = '3.9';
