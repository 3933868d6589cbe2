import type { Admin } from '../client/index.js';

/**
 * The topics a `--topic` argument names, internal topics (`__consumer_offsets`) included unless
 * `excludeInternal`, as Kafka's kafka-topics.sh (`--exclude-internal`) and kafka-get-offsets.sh
 * (`--exclude-internal-topics`) list them. As in Kafka's scripts the argument may be a regular
 * expression matched against whole names; an exact name is taken as it is.
 */
export async function selectTopics(
  admin: Admin,
  pattern: string | undefined,
  options: { excludeInternal?: boolean } = {},
): Promise<string[]> {
  const all = await admin.listTopics({ includeInternal: options.excludeInternal !== true });
  if (pattern === undefined) return all;
  if (all.includes(pattern)) return [pattern];
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    return [];
  }
  return all.filter((t) => re.test(t));
}
