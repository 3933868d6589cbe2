import { type Assignor, addPartition, compareMembers, emptyAssignment } from './assignor.js';

/**
 * Kafka's RoundRobinAssignor: all partitions sorted by topic then number, dealt in turn to the
 * members (in order) subscribed to their topic.
 */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  protocol: 'eager',
  assign(members, partitionsPerTopic) {
    const out = emptyAssignment(members);
    const sorted = [...members].sort(compareMembers);
    if (sorted.length === 0) return out;
    let next = 0;
    for (const topic of [...partitionsPerTopic.keys()].sort()) {
      if (!sorted.some((m) => m.subscription.topics.includes(topic))) continue;
      for (let p = 0; p < partitionsPerTopic.get(topic)!; p++) {
        while (!sorted[next % sorted.length]!.subscription.topics.includes(topic)) next++;
        addPartition(out.get(sorted[next % sorted.length]!.memberId)!, topic, p);
        next++;
      }
    }
    return out;
  },
};
