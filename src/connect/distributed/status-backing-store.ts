import type { Admin, Kafka } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import { isJsonObject, parseJson, writeJson } from '../converters/json-node.js';
import type { ConnectState } from '../runtime/task-status.js';
import { KafkaBasedLog, type TopicSettings } from './kafka-based-log.js';

/** One status record (Kafka's AbstractStatus as KafkaStatusBackingStore writes it). */
export interface StatusRecord {
  state: ConnectState;
  trace: string | null;
  workerId: string;
  generation: number;
}

/**
 * Connector and task statuses in `status.storage.topic` (Kafka's KafkaStatusBackingStore):
 * `status-connector-<name>` and `status-task-<name>-<n>` → `{"state","trace","worker_id","generation"}`.
 * Every worker writes the states of what it runs and reads everyone's, so any worker answers
 * GET /connectors/{name}/status with the worker each task runs on. A record of an older
 * generation than the one held does not replace it (a slow worker's late report).
 */
export class KafkaStatusBackingStore {
  private readonly connectors = new Map<string, StatusRecord>();
  private readonly tasks = new Map<string, Map<number, StatusRecord>>();
  private readonly log: KafkaBasedLog;

  constructor(
    kafka: Kafka,
    settings: TopicSettings,
    private readonly admin: Admin,
    private readonly logger: Logger,
  ) {
    this.log = new KafkaBasedLog(
      kafka,
      settings,
      (r) => this.apply(r.key?.toString('utf8') ?? '', r.value),
      logger,
    );
  }

  start(): Promise<void> {
    return this.log.start(this.admin);
  }

  stop(): Promise<void> {
    return this.log.stop();
  }

  readToEnd(): Promise<void> {
    return this.log.readToEnd(this.admin);
  }

  private apply(key: string, value: Buffer | null): void {
    let status: StatusRecord | null = null;
    if (value !== null) {
      try {
        const node = parseJson(value.toString('utf8'));
        if (!isJsonObject(node) || typeof node.state !== 'string') return;
        status = {
          state: node.state as ConnectState,
          trace: typeof node.trace === 'string' ? node.trace : null,
          workerId: typeof node.worker_id === 'string' ? node.worker_id : '',
          generation: typeof node.generation === 'number' ? node.generation : 0,
        };
      } catch (err) {
        this.logger.warn({ key, err }, 'skipping an unreadable status record');
        return;
      }
    }
    const task = /^status-task-(.*)-(\d+)$/.exec(key);
    if (task) {
      const byTask = this.tasks.get(task[1]!) ?? new Map<number, StatusRecord>();
      if (status === null) byTask.delete(Number(task[2]));
      else byTask.set(Number(task[2]), status);
      this.tasks.set(task[1]!, byTask);
    } else if (key.startsWith('status-connector-')) {
      const name = key.slice('status-connector-'.length);
      if (status === null) this.connectors.delete(name);
      else this.connectors.set(name, status);
    }
  }

  connector(name: string): StatusRecord | null {
    return this.connectors.get(name) ?? null;
  }

  task(name: string, task: number): StatusRecord | null {
    return this.tasks.get(name)?.get(task) ?? null;
  }

  putConnector(name: string, status: StatusRecord): Promise<void> {
    this.connectors.set(name, status);
    return this.log.send(`status-connector-${name}`, encode(status));
  }

  putTask(name: string, task: number, status: StatusRecord): Promise<void> {
    const byTask = this.tasks.get(name) ?? new Map<number, StatusRecord>();
    byTask.set(task, status);
    this.tasks.set(name, byTask);
    return this.log.send(`status-task-${name}-${task}`, encode(status));
  }

  /** Tombstones for a deleted connector's statuses. */
  async deleteConnector(name: string, taskCount: number): Promise<void> {
    const tasks = Math.max(taskCount, ...[...(this.tasks.get(name)?.keys() ?? [])].map((t) => t + 1));
    const writes = [this.log.send(`status-connector-${name}`, null)];
    for (let t = 0; t < tasks; t++) writes.push(this.log.send(`status-task-${name}-${t}`, null));
    this.connectors.delete(name);
    this.tasks.delete(name);
    await Promise.all(writes);
  }
}

function encode(s: StatusRecord): string {
  return writeJson({ state: s.state, trace: s.trace, worker_id: s.workerId, generation: s.generation });
}
