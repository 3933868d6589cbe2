import type { TopologyModel } from './topology-model.js';

/**
 * Kafka's TopologyDescription.toString, character for character: sub-topologies in order, each
 * node with its successors (-->) and predecessors (<--). Nodes are listed by the size of the
 * sub-tree below them, largest first, then by name (InternalTopologyBuilder.NodeComparator), so a
 * sub-topology reads from its sources down.
 */
export function describeTopology(model: TopologyModel): string {
  const children = model.children();
  const size = new Map<string, number>();
  const sizeOf = (name: string): number => {
    let s = size.get(name);
    if (s === undefined) {
      // Kafka's updateSize adds a node's size to every predecessor: 1 plus the sizes of the successors.
      s = 1 + (children.get(name) ?? []).reduce((sum, child) => sum + sizeOf(child), 0);
      size.set(name, s);
    }
    return s;
  };
  const order = (a: string, b: string): number => sizeOf(b) - sizeOf(a) || (a < b ? -1 : a > b ? 1 : 0);
  const names = (list: readonly string[]): string =>
    list.length === 0 ? 'none' : [...list].sort(order).join(', ');

  let out = 'Topologies:\n ';
  model.nodeGroups().forEach(({ nodes: group, global }, id) => {
    out += `  Sub-topology: ${id}${global ? ' for global store (will not generate tasks)' : ''}\n`;
    for (const name of [...group].sort(order)) {
      const node = model.nodes.get(name)!;
      const successors = children.get(name) ?? [];
      let line: string;
      if (node.kind === 'source')
        line = `Source: ${name} (topics: [${node.topics.join(', ')}])\n      --> ${names(successors)}`;
      else if (node.kind === 'processor')
        line = `Processor: ${name} (stores: [${node.stores.join(', ')}])\n      --> ${names(successors)}\n      <-- ${names(node.parents)}`;
      else if (typeof node.topic === 'string')
        line = `Sink: ${name} (topic: ${node.topic})\n      <-- ${names(node.parents)}`;
      else
        line = `Sink: ${name} (extractor class: ${node.topic.name || 'anonymous'})\n      <-- ${names(node.parents)}`;
      out += `    ${line}\n`;
    }
    out += '\n';
  });
  return out;
}
