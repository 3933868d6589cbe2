import type { Admin, NewTopic } from '../../client/index.js';
import { changelogTopicName } from '../state/state-store.js';
import { StreamsError } from '../streams-error.js';
import type { TopologyModel } from '../topology/topology-model.js';

/** One sub-topology as the runtime runs it: its nodes, its input topics and its task count. */
export interface SubtopologyPlan {
  readonly id: number;
  readonly nodeNames: readonly string[];
  /** Input topics as the cluster names them (repartition topics with the application id prefix). */
  readonly sourceTopics: readonly string[];
  /** Tasks 0..partitions-1: the largest partition count of its input topics. */
  readonly partitions: number;
}

export interface TopicPlan {
  readonly subtopologies: readonly SubtopologyPlan[];
  /** The internal topics to create: repartition topics, then changelogs. */
  readonly internalTopics: readonly NewTopic[];
  subtopologyOf(topic: string): number | undefined;
}

/** Kafka's defaults for repartition topics (InternalTopicManager, RepartitionTopicConfig). */
const REPARTITION_CONFIGS = { 'cleanup.policy': 'delete', 'segment.bytes': '52428800', 'retention.ms': '-1' };

/**
 * Works out what Kafka's StreamsPartitionAssignor works out before its first assignment: each
 * sub-topology's task count (the largest partition count of its inputs), each repartition topic's
 * partition count (as asked, else the task count of the sub-topologies writing to it) and each
 * changelog's (its sub-topology's task count). Source topics must exist.
 */
export async function planTopics(
  model: TopologyModel,
  applicationId: string,
  admin: Admin,
  replicationFactor: number,
): Promise<TopicPlan> {
  const internal = (t: string): boolean => model.internalTopics.has(t);
  const resolve = (t: string): string => (internal(t) ? `${applicationId}-${t}` : t);
  const groups = model.subtopologies();
  const sourcesOf = groups.map((nodes) =>
    nodes.flatMap((n) => {
      const def = model.nodes.get(n)!;
      return def.kind === 'source' ? def.topics : [];
    }),
  );
  const external = [...new Set(sourcesOf.flat().filter((t) => !internal(t)))];
  const existing = new Set(await admin.listTopics());
  const missing = external.filter((t) => !existing.has(t));
  if (missing.length > 0)
    throw new StreamsError('MISSING_SOURCE_TOPIC', `Missing source topics: ${missing.join(', ')}`);
  const counts = new Map<string, number>();
  const copartitioned = new Set(model.copartitionGroups.flatMap((g) => upstreamTopics(model, g)));
  if (external.length > 0)
    for (const info of await admin.describeTopics(external)) counts.set(info.name, info.partitions.length);
  for (const t of model.internalTopics.values()) if (t.partitions !== null) counts.set(t.name, t.partitions);

  // Repartition topics without a count take the task count of the sub-topologies writing to them;
  // a chain of repartitions settles in as many rounds as it is long.
  const writers = (topic: string): number[] =>
    groups.flatMap((nodes, id) =>
      nodes.some((n) => {
        const def = model.nodes.get(n)!;
        return def.kind === 'sink' && def.topic === topic;
      })
        ? [id]
        : [],
    );
  const taskCount = (id: number): number | undefined => {
    const known = sourcesOf[id]!.map((t) => counts.get(t));
    return known.every((c) => c !== undefined) ? Math.max(...(known as number[])) : undefined;
  };
  for (let round = 0; round <= groups.length; round++)
    for (const t of model.internalTopics.values()) {
      if (counts.has(t.name)) continue;
      const upstream = writers(t.name).map(taskCount);
      if (upstream.length > 0 && upstream.every((c) => c !== undefined))
        counts.set(t.name, Math.max(...(upstream as number[])));
    }

  enforceCopartitioning(model, counts);
  // Repartition topics set by co-partitioning change the task counts downstream of them.
  for (let round = 0; round <= groups.length; round++)
    for (const t of model.internalTopics.values()) {
      if (t.partitions !== null || copartitioned.has(t.name)) continue;
      const upstream = writers(t.name).map(taskCount);
      if (upstream.length > 0 && upstream.every((c) => c !== undefined))
        counts.set(t.name, Math.max(...(upstream as number[])));
    }

  const subtopologies: SubtopologyPlan[] = groups.map((nodes, id) => {
    const partitions = taskCount(id);
    if (partitions === undefined)
      throw new StreamsError('TOPOLOGY_INVALID', `cannot work out the partition count of sub-topology ${id}`);
    return { id, nodeNames: nodes, sourceTopics: sourcesOf[id]!.map(resolve), partitions };
  });
  const internalTopics: NewTopic[] = [...model.internalTopics.values()].map((t) => ({
    topic: resolve(t.name),
    numPartitions: counts.get(t.name)!,
    replicationFactor,
    configs: { ...REPARTITION_CONFIGS },
  }));
  for (const sub of subtopologies)
    for (const name of sub.nodeNames) {
      const def = model.nodes.get(name)!;
      if (def.kind !== 'processor') continue;
      for (const store of def.stores) {
        const builder = model.storeBuilders.get(store)!;
        const topic = changelogTopicName(applicationId, store);
        if (!builder.loggingEnabled || internalTopics.some((t) => t.topic === topic)) continue;
        internalTopics.push({
          topic,
          numPartitions: sub.partitions,
          replicationFactor,
          configs: { ...builder.logConfig, 'cleanup.policy': 'compact' },
        });
      }
    }
  const bySource = new Map<string, number>();
  for (const sub of subtopologies) for (const t of sub.sourceTopics) bySource.set(t, sub.id);
  return { subtopologies, internalTopics, subtopologyOf: (topic) => bySource.get(topic) };
}

/** The source topics upstream of the nodes: what a join's inputs read. */
function upstreamTopics(model: TopologyModel, nodeNames: readonly string[]): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = [...nodeNames];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = model.nodes.get(name);
    if (!def) continue;
    if (def.kind === 'source') for (const t of def.topics) out.add(t);
    else stack.push(...def.parents);
  }
  return [...out];
}

/**
 * Kafka's CopartitionedTopicsEnforcer: the inputs of a join must have as many partitions each,
 * so that partition p of both meets in one task. Source topics of different sizes are a
 * TopologyException ("Topics not co-partitioned"); repartition topics without an asked count
 * take the source topics' count (or the largest repartition count when all are repartition topics).
 */
function enforceCopartitioning(model: TopologyModel, counts: Map<string, number>): void {
  for (const group of model.copartitionGroups) {
    const topics = upstreamTopics(model, group).sort();
    const internal = topics.filter((t) => model.internalTopics.has(t));
    const external = topics.filter((t) => !model.internalTopics.has(t));
    const sizes = new Set(external.map((t) => counts.get(t)));
    if (sizes.size > 1)
      throw new StreamsError(
        'TOPOLOGY_INVALID',
        `Topics not co-partitioned: [${external.join(',')}] (partitions: ${external.map((t) => counts.get(t)).join(',')})`,
      );
    const fixed = internal.filter((t) => model.internalTopics.get(t)!.partitions !== null);
    let target: number | undefined = external.length > 0 ? counts.get(external[0]!) : undefined;
    if (target === undefined) {
      const known = internal.map((t) => counts.get(t)).filter((c): c is number => c !== undefined);
      if (known.length > 0) target = Math.max(...known);
    }
    if (target === undefined) continue;
    for (const t of fixed)
      if (counts.get(t) !== target)
        throw new StreamsError(
          'TOPOLOGY_INVALID',
          `Number of partitions [${counts.get(t)}] of repartition topic [${t}] doesn't match number of partitions [${target}] of the source topic.`,
        );
    for (const t of internal) counts.set(t, target);
  }
}

/**
 * Creates the internal topics that do not exist yet, and checks the partition count of those
 * that do (Kafka's InternalTopicManager.makeReady).
 */
export async function createInternalTopics(admin: Admin, topics: readonly NewTopic[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const toCreate = topics.filter((t) => !existing.has(t.topic));
  const present = topics.filter((t) => existing.has(t.topic));
  if (present.length > 0) {
    const infos = await admin.describeTopics(present.map((t) => t.topic));
    for (const info of infos) {
      const wanted = present.find((t) => t.topic === info.name)!.numPartitions;
      if (wanted !== undefined && info.partitions.length !== wanted)
        throw new StreamsError(
          'INTERNAL_TOPIC_MISMATCH',
          `internal topic ${info.name} has ${info.partitions.length} partitions, the topology needs ${wanted}`,
        );
    }
  }
  if (toCreate.length > 0) {
    try {
      await admin.createTopics(toCreate);
    } catch (err) {
      // Another instance of the application may have created them first.
      if ((err as { kafkaName?: string }).kafkaName !== 'TOPIC_ALREADY_EXISTS') throw err;
    }
    await waitForLeaders(
      admin,
      toCreate.map((t) => t.topic),
    );
  }
  return toCreate.map((t) => t.topic);
}

/**
 * Waits until every partition of new topics has a leader, as Kafka's InternalTopicManager waits
 * for its topics to be ready: a consumer that subscribes before the metadata knows a repartition
 * topic would not be assigned its partitions until its next metadata refresh.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const infos = await admin.describeTopics(topics);
      if (infos.every((i) => i.partitions.length > 0 && i.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline)
      throw new StreamsError(
        'INTERNAL_TOPIC_MISMATCH',
        `internal topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
