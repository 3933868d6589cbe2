import type { ConsumerRecord } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import { isJsonObject, type JsonNode, parseJson, writeJson } from '../converters/json-node.js';
import type { TargetState } from '../runtime/task-status.js';

/** A restart request written to the config topic (KIP-745's `restart-connector-<name>`). */
export interface RestartRequest {
  connector: string;
  includeTasks: boolean;
  onlyFailed: boolean;
}

/** What the config topic says at one offset (Kafka's ClusterConfigState). */
export interface ConfigSnapshot {
  /** The offset after the last record read. */
  readonly offset: bigint;
  readonly connectorConfigs: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly taskConfigs: ReadonlyMap<string, readonly Readonly<Record<string, string>>[]>;
  readonly targetStates: ReadonlyMap<string, TargetState>;
}

export interface ConfigUpdateListener {
  /** A connector was created, updated or removed. */
  onConnectorConfig(connector: string): void;
  /** A connector's task configs were committed. */
  onTaskConfigs(connector: string): void;
  onTargetState(connector: string): void;
  onRestartRequest(request: RestartRequest): void;
}

const CONNECTOR_PREFIX = 'connector-';
const TASK_PREFIX = 'task-';
const COMMIT_PREFIX = 'commit-';
const TARGET_STATE_PREFIX = 'target-state-';
const RESTART_PREFIX = 'restart-connector-';

function stringProps(node: JsonNode | undefined): Record<string, string> | null {
  if (!isJsonObject(node ?? null)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(node as Record<string, JsonNode>))
    if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * The config topic's records in Kafka's formats (KafkaConfigBackingStore, values as JsonConverter
 * writes its structs without schemas): `connector-<name>` → `{"properties":{...}}`,
 * `task-<name>-<n>` → `{"properties":{...}}`, `commit-<name>` → `{"tasks":n}`,
 * `target-state-<name>` → `{"state":"PAUSED","state.v2":"STOPPED"}`, `restart-connector-<name>` →
 * `{"include-tasks":true,"only-failed":false}`. Task configs take effect only when their commit
 * record is read, so a worker never runs half of a new set.
 */
export class ConfigState {
  private offset = 0n;
  private readonly connectorConfigs = new Map<string, Record<string, string>>();
  private readonly taskConfigs = new Map<string, Record<string, string>[]>();
  private readonly targetStates = new Map<string, TargetState>();
  /** Task configs read but not yet committed, by connector and task number. */
  private readonly pendingTasks = new Map<string, Map<number, Record<string, string>>>();

  constructor(
    private readonly listener: ConfigUpdateListener,
    private readonly logger: Logger,
  ) {}

  snapshot(): ConfigSnapshot {
    return {
      offset: this.offset,
      connectorConfigs: new Map(this.connectorConfigs),
      taskConfigs: new Map(this.taskConfigs),
      targetStates: new Map(this.targetStates),
    };
  }

  get configOffset(): bigint {
    return this.offset;
  }

  apply(record: ConsumerRecord): void {
    this.offset = record.offset + 1n;
    const key = record.key?.toString('utf8') ?? '';
    let value: JsonNode | null = null;
    if (record.value !== null) {
      try {
        value = parseJson(record.value.toString('utf8'));
      } catch (err) {
        this.logger.error({ key, offset: record.offset, err }, 'skipping an unreadable config record');
        return;
      }
    }
    const obj = isJsonObject(value) ? (value as Record<string, JsonNode>) : null;
    if (key.startsWith(CONNECTOR_PREFIX)) {
      const name = key.slice(CONNECTOR_PREFIX.length);
      const props = stringProps(obj?.properties);
      if (props === null) {
        this.connectorConfigs.delete(name);
        this.taskConfigs.delete(name);
        this.targetStates.delete(name);
        this.pendingTasks.delete(name);
      } else {
        this.connectorConfigs.set(name, props);
        if (!this.targetStates.has(name)) this.targetStates.set(name, 'STARTED');
      }
      this.listener.onConnectorConfig(name);
    } else if (key.startsWith(TASK_PREFIX)) {
      const m = /^task-(.*)-(\d+)$/.exec(key);
      const props = stringProps(obj?.properties);
      if (!m || props === null) return;
      const pending = this.pendingTasks.get(m[1]!) ?? new Map<number, Record<string, string>>();
      pending.set(Number(m[2]), props);
      this.pendingTasks.set(m[1]!, pending);
    } else if (key.startsWith(COMMIT_PREFIX)) {
      const name = key.slice(COMMIT_PREFIX.length);
      const count = obj?.tasks;
      if (typeof count !== 'number') return;
      const pending = this.pendingTasks.get(name) ?? new Map<number, Record<string, string>>();
      const configs: Record<string, string>[] = [];
      for (let i = 0; i < count; i++) {
        const c = pending.get(i) ?? this.taskConfigs.get(name)?.[i];
        if (!c) {
          this.logger.error({ connector: name, task: i }, 'a task config commit names a task never written');
          return;
        }
        configs.push(c);
      }
      this.pendingTasks.delete(name);
      this.taskConfigs.set(name, configs);
      this.listener.onTaskConfigs(name);
    } else if (key.startsWith(TARGET_STATE_PREFIX)) {
      const name = key.slice(TARGET_STATE_PREFIX.length);
      const raw = obj?.['state.v2'] ?? obj?.state;
      if (obj === null) this.targetStates.delete(name);
      else if (raw === 'STARTED' || raw === 'PAUSED' || raw === 'STOPPED') this.targetStates.set(name, raw);
      else return;
      this.listener.onTargetState(name);
    } else if (key.startsWith(RESTART_PREFIX) && obj !== null) {
      this.listener.onRestartRequest({
        connector: key.slice(RESTART_PREFIX.length),
        includeTasks: obj['include-tasks'] === true,
        onlyFailed: obj['only-failed'] === true,
      });
    }
  }
}

/** The records ConfigState reads, for writers. */
export const configRecords = {
  connector(name: string, props: Readonly<Record<string, string>> | null): [string, string | null] {
    return [`${CONNECTOR_PREFIX}${name}`, props === null ? null : writeJson({ properties: { ...props } })];
  },
  task(name: string, task: number, props: Readonly<Record<string, string>>): [string, string] {
    return [`${TASK_PREFIX}${name}-${task}`, writeJson({ properties: { ...props } })];
  },
  commit(name: string, tasks: number): [string, string] {
    return [`${COMMIT_PREFIX}${name}`, writeJson({ tasks })];
  },
  /** Kafka writes PAUSED in `state` for STOPPED too, so workers older than KIP-875 pause it. */
  targetState(name: string, state: TargetState | null): [string, string | null] {
    return [
      `${TARGET_STATE_PREFIX}${name}`,
      state === null ? null : writeJson({ state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state }),
    ];
  },
  restart(r: RestartRequest): [string, string] {
    return [
      `${RESTART_PREFIX}${r.connector}`,
      writeJson({ 'include-tasks': r.includeTasks, 'only-failed': r.onlyFailed }),
    ];
  },
};
