import type { MetadataImage } from '../metadata-image.js';
import { acceptableBroker } from './partition-elections.js';

/**
 * Kafka's controller check behind auto.leader.rebalance.enable (checkAndTriggerAutoLeaderRebalance):
 * for each broker, the partitions whose preferred (first) replica it is but that another broker
 * leads; when that count passes `leader.imbalance.per.broker.percentage` of the partitions it
 * prefers, those of them whose preferred replica is in the ISR and may lead are returned for a
 * preferred election. Pure: the image alone decides.
 */
export function imbalancedPartitions(
  image: MetadataImage,
  imbalancePercentage: number,
): { topic: string; partitions: number[] }[] {
  const preferredCount = new Map<number, number>();
  const notLed = new Map<number, { topic: string; partition: number; inIsr: boolean }[]>();
  for (const t of image.topicsById.values()) {
    for (const p of t.partitions.values()) {
      const preferred = p.replicas[0];
      if (preferred === undefined) continue;
      preferredCount.set(preferred, (preferredCount.get(preferred) ?? 0) + 1);
      if (p.leader === preferred) continue;
      let list = notLed.get(preferred);
      if (list === undefined) {
        list = [];
        notLed.set(preferred, list);
      }
      list.push({ topic: t.name, partition: p.partitionId, inIsr: p.isr.includes(preferred) });
    }
  }
  const byTopic = new Map<string, number[]>();
  for (const [broker, list] of notLed) {
    const total = preferredCount.get(broker) ?? 0;
    if (total === 0 || (list.length * 100) / total <= imbalancePercentage) continue;
    if (!acceptableBroker(image, broker)) continue;
    for (const e of list) {
      if (!e.inIsr) continue;
      let ps = byTopic.get(e.topic);
      if (ps === undefined) {
        ps = [];
        byTopic.set(e.topic, ps);
      }
      ps.push(e.partition);
    }
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
