import type { Admin } from '../client/index.js';

/**
 * The topics a `--topic` argument names. As in Kafka's scripts the argument may be a regular
 * expression matched against whole names; an exact name is taken as it is.
 */
export async function selectTopics(admin: Admin, pattern: string | undefined): Promise<string[]> {
  const all = await admin.listTopics({ includeInternal: pattern !== undefined });
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
