import type { Assignor, MemberSubscription } from '../../client/index.js';
import type { TopicPlan } from './topic-plan.js';

type Assignment = ReturnType<Assignor['assign']>;

/**
 * The group assignor of a Strom Streams application, after Kafka Streams' StreamsPartitionAssignor
 * with its sticky task assignment: it places tasks, not partitions (task `s_p` takes partition p
 * of every source topic of sub-topology s, so co-partitioned inputs meet), balanced to at most
 * ceil(tasks / members) each, and leaves a task where it runs when that keeps the balance, so a
 * stateful task keeps its open stores. It speaks the cooperative protocol (KIP-429, as Kafka
 * Streams since 2.4): a task moving to another member is first taken from its owner and given in
 * the next round, and the tasks that stay are never closed by a rebalance.
 */
export function stickyTaskAssignor(plan: TopicPlan): Assignor {
  return {
    name: 'stream',
    protocol: 'cooperative',
    assign(members, partitionsPerTopic) {
      const tasks: { id: string; sub: number; partition: number }[] = [];
      for (const sub of plan.subtopologies) {
        const count = Math.max(0, ...sub.sourceTopics.map((t) => partitionsPerTopic.get(t) ?? 0));
        for (let p = 0; p < count; p++) tasks.push({ id: `${sub.id}_${p}`, sub: sub.id, partition: p });
      }
      const ordered = [...members].sort(byMemberId);
      const owner = previousOwners(plan, ordered);
      const capacity = Math.ceil(tasks.length / Math.max(1, ordered.length));
      const load = new Map(ordered.map((m) => [m.memberId, 0]));
      const placed = new Map<string, string>();
      // Tasks stay with their previous owner while it has room.
      for (const task of tasks) {
        const prev = owner.get(task.id);
        if (prev !== undefined && load.has(prev) && load.get(prev)! < capacity) {
          placed.set(task.id, prev);
          load.set(prev, load.get(prev)! + 1);
        }
      }
      // The others go to the least loaded member (ties: the member id's order).
      for (const task of tasks) {
        if (placed.has(task.id)) continue;
        let best: string | null = null;
        for (const m of ordered)
          if (best === null || load.get(m.memberId)! < load.get(best)!) best = m.memberId;
        if (best === null) break;
        placed.set(task.id, best);
        load.set(best, load.get(best)! + 1);
      }
      const out: Assignment = new Map(ordered.map((m) => [m.memberId, new Map()]));
      for (const task of tasks) {
        const to = placed.get(task.id);
        if (to === undefined) continue;
        const prev = owner.get(task.id);
        // KIP-429: a task another member still owns is only revoked this round.
        if (prev !== undefined && prev !== to && load.has(prev)) continue;
        const assignment = out.get(to)!;
        for (const topic of plan.subtopologies[task.sub]!.sourceTopics) {
          if (task.partition >= (partitionsPerTopic.get(topic) ?? 0)) continue;
          const list = assignment.get(topic);
          if (list) list.push(task.partition);
          else assignment.set(topic, [task.partition]);
        }
      }
      return out;
    },
  };
}

function byMemberId(a: MemberSubscription, b: MemberSubscription): number {
  const ka = a.groupInstanceId ?? a.memberId;
  const kb = b.groupInstanceId ?? b.memberId;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Which member ran each task, from the partitions the members say they own (ownedPartitions). */
function previousOwners(plan: TopicPlan, members: readonly MemberSubscription[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const m of members)
    for (const [topic, partitions] of m.subscription.ownedPartitions) {
      const sub = plan.subtopologyOf(topic);
      if (sub === undefined) continue;
      for (const p of partitions) owners.set(`${sub}_${p}`, m.memberId);
    }
  return owners;
}
