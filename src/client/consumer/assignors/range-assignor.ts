import { type Assignor, addPartition, compareMembers, emptyAssignment } from './assignor.js';

/**
 * Kafka's RangeAssignor: per topic, members in order each take a contiguous range; the first
 * `partitions % members` take one extra.
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  protocol: 'eager',
  assign(members, partitionsPerTopic) {
    const out = emptyAssignment(members);
    const topics = [...partitionsPerTopic.keys()].sort();
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic)!;
      const subscribers = members.filter((m) => m.subscription.topics.includes(topic)).sort(compareMembers);
      if (subscribers.length === 0) continue;
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      subscribers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        for (let p = start; p < start + length; p++) addPartition(out.get(m.memberId)!, topic, p);
      });
    }
    return out;
  },
};
