import type { Admin } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import type { Connector } from '../api/connector.js';
import { type ConfigInfos, invalidConfigMessage, validateConnectorConfig } from '../config/config-infos.js';
import { ConnectError } from '../connect-error.js';
import { alterConnectorOffsets, notStopped, readConnectorOffsets } from './connector-offsets.js';
import type { Herder } from './herder.js';
import type {
  ConnectorInfo,
  ConnectorOffset,
  ConnectorOffsets,
  ConnectorStateInfo,
  ConnectorType,
  OffsetsMessage,
  StateJson,
  TaskInfo,
  TaskStateJson,
} from './herder-types.js';
import { type ConnectState, type TargetState, traceOf } from './task-status.js';
import type { Worker } from './worker.js';
import type { WorkerTask } from './worker-task.js';

interface TaskEntry {
  worker: WorkerTask | null;
  state: ConnectState;
  error: Error | null;
}

interface ConnectorEntry {
  name: string;
  config: Record<string, string>;
  type: ConnectorType;
  target: TargetState;
  connector: Connector | null;
  state: ConnectState;
  error: Error | null;
  taskConfigs: Record<string, string>[];
  tasks: TaskEntry[];
}

export interface HerderOptions {
  readonly worker: Worker;
  readonly logger: Logger;
  /** Admin client for sink connectors' offsets (their consumer group's). */
  readonly admin: () => Admin;
  readonly taskShutdownTimeoutMs: number;
}

const notFound = (name: string): ConnectError => new ConnectError('NOT_FOUND', `Connector ${name} not found`);

/**
 * Runs every connector in this process (Kafka's StandaloneHerder): connector configs come from
 * the command line or the REST API and live in memory, source offsets in the worker's offset
 * file. Answers the REST API's questions with Kafka Connect's JSON shapes.
 */
export class StandaloneHerder implements Herder {
  private readonly connectors = new Map<string, ConnectorEntry>();
  /** Operations run one at a time, as Kafka's herder thread runs them. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: HerderOptions) {}

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => {});
    return run;
  }

  private entry(name: string): ConnectorEntry {
    const entry = this.connectors.get(name);
    if (!entry) throw notFound(name);
    return entry;
  }

  connectorNames(): string[] {
    return [...this.connectors.keys()].sort();
  }

  validate(config: Readonly<Record<string, string>>): Promise<ConfigInfos> {
    return validateConnectorConfig(this.options.worker.options.plugins, config);
  }

  /** Creates or (with allowReplace) updates a connector; `created` is false for an update. */
  putConnectorConfig(
    name: string,
    config: Readonly<Record<string, string>>,
    allowReplace: boolean,
    initialState: TargetState = 'STARTED',
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.serial(async () => {
      const props = { ...config, name };
      const infos = await this.validate(props);
      if (infos.error_count > 0) throw new ConnectError('BAD_REQUEST', invalidConfigMessage(infos));
      const existing = this.connectors.get(name);
      if (existing && !allowReplace)
        throw new ConnectError('ALREADY_EXISTS', `Connector ${name} already exists`);
      if (existing) await this.shutdown(existing);
      const entry: ConnectorEntry = {
        name,
        config: props,
        type: this.options.worker.isSink(props) ? 'sink' : 'source',
        target: existing?.target ?? initialState,
        connector: null,
        state: 'UNASSIGNED',
        error: null,
        taskConfigs: [],
        tasks: [],
      };
      this.connectors.set(name, entry);
      await this.startConnector(entry);
      return { created: !existing, info: this.info(entry) };
    });
  }

  /** PATCH /connectors/{name}/config (KIP-477): keys set to null are removed. */
  async patchConnectorConfig(
    name: string,
    patch: Readonly<Record<string, string | null>>,
  ): Promise<ConnectorInfo> {
    const current = this.entry(name).config;
    const next: Record<string, string> = { ...current };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    return (await this.putConnectorConfig(name, next, true)).info;
  }

  deleteConnector(name: string): Promise<void> {
    return this.serial(async () => {
      const entry = this.entry(name);
      await this.shutdown(entry);
      this.connectors.delete(name);
    });
  }

  connectorInfo(name: string): ConnectorInfo {
    return this.info(this.entry(name));
  }

  connectorConfig(name: string): Record<string, string> {
    return { ...this.entry(name).config };
  }

  taskConfigs(name: string): TaskInfo[] {
    const entry = this.entry(name);
    return entry.taskConfigs.map((config, task) => ({
      id: { connector: name, task },
      config: { ...config },
    }));
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const entry = this.entry(name);
    return {
      name,
      connector: this.stateJson(entry.state, entry.error),
      tasks: entry.tasks.map((t, id) => ({ id, ...this.stateJson(t.state, t.error) })),
      type: entry.type,
    };
  }

  taskStatus(name: string, task: number): TaskStateJson {
    const entry = this.entry(name);
    const t = entry.tasks[task];
    if (!t) throw new ConnectError('NOT_FOUND', `No status found for task ${name}-${task}`);
    return { id: task, ...this.stateJson(t.state, t.error) };
  }

  /**
   * POST /connectors/{name}/restart (KIP-745): the connector, and with includeTasks its tasks;
   * onlyFailed restricts both to those FAILED. Returns the status with RESTARTING for what restarts.
   */
  restartConnector(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<ConnectorStateInfo> {
    return this.serial(async () => {
      const entry = this.entry(name);
      const restartConnector = !onlyFailed || entry.state === 'FAILED';
      const tasks = includeTasks
        ? entry.tasks.map((t, i) => (!onlyFailed || t.state === 'FAILED' ? i : -1)).filter((i) => i >= 0)
        : [];
      const status = this.connectorStatus(name);
      if (restartConnector) status.connector.state = 'RESTARTING';
      for (const i of tasks) status.tasks[i]!.state = 'RESTARTING';
      if (restartConnector) {
        await this.stopTasks(entry, tasks);
        await this.stopConnectorInstance(entry);
        await this.startConnectorInstance(entry);
        for (const i of tasks) this.startTask(entry, i);
      } else {
        await this.stopTasks(entry, tasks);
        for (const i of tasks) this.startTask(entry, i);
      }
      return status;
    });
  }

  restartTask(name: string, task: number): Promise<void> {
    return this.serial(async () => {
      const entry = this.entry(name);
      if (!entry.tasks[task]) throw new ConnectError('NOT_FOUND', `Task ${name}-${task} not found`);
      await this.stopTasks(entry, [task]);
      this.startTask(entry, task);
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.serial(async () => {
      const entry = this.entry(name);
      if (entry.target === 'STOPPED') {
        entry.target = 'PAUSED';
        await this.startConnector(entry);
        return;
      }
      entry.target = 'PAUSED';
      if (entry.state === 'RUNNING') entry.state = 'PAUSED';
      for (const t of entry.tasks) t.worker?.transitionTo('PAUSED');
    });
  }

  resumeConnector(name: string): Promise<void> {
    return this.serial(async () => {
      const entry = this.entry(name);
      const wasStopped = entry.target === 'STOPPED';
      entry.target = 'STARTED';
      if (wasStopped) {
        await this.startConnector(entry);
        return;
      }
      if (entry.state === 'PAUSED') entry.state = 'RUNNING';
      for (const t of entry.tasks) t.worker?.transitionTo('STARTED');
    });
  }

  /** PUT /connectors/{name}/stop (KIP-875): tasks and connector shut down, no tasks remain. */
  stopConnector(name: string): Promise<void> {
    return this.serial(async () => {
      const entry = this.entry(name);
      entry.target = 'STOPPED';
      await this.stopTasks(
        entry,
        entry.tasks.map((_, i) => i),
      );
      await this.stopConnectorInstance(entry);
      entry.taskConfigs = [];
      entry.tasks = [];
      entry.state = 'STOPPED';
      entry.error = null;
    });
  }

  /** GET /connectors/{name}/offsets (KIP-875). */
  async offsets(name: string): Promise<ConnectorOffsets> {
    const entry = this.entry(name);
    return readConnectorOffsets(this.options.worker, this.options.admin, name, entry.type);
  }

  /** PATCH /connectors/{name}/offsets, or DELETE (reset) when `offsets` is null (KIP-875). */
  alterOffsets(name: string, offsets: readonly ConnectorOffset[] | null): Promise<OffsetsMessage> {
    return this.serial(async () => {
      const entry = this.entry(name);
      if (entry.target !== 'STOPPED' || entry.state !== 'STOPPED') throw notStopped(name);
      return alterConnectorOffsets(
        this.options.worker,
        this.options.admin,
        entry.name,
        entry.config,
        entry.type,
        offsets,
      );
    });
  }

  /** Stops every connector and task (worker shutdown). */
  stopAll(): Promise<void> {
    return this.serial(async () => {
      for (const entry of this.connectors.values()) await this.shutdown(entry);
    });
  }

  private info(entry: ConnectorEntry): ConnectorInfo {
    return {
      name: entry.name,
      config: { ...entry.config },
      tasks: entry.taskConfigs.map((_, task) => ({ connector: entry.name, task })),
      type: entry.type,
    };
  }

  private stateJson(state: ConnectState, error: Error | null): StateJson {
    const out: StateJson = { state, worker_id: this.options.worker.workerId };
    const trace = state === 'FAILED' ? traceOf(error) : null;
    if (trace !== null) out.trace = trace;
    return out;
  }

  private async startConnector(entry: ConnectorEntry): Promise<void> {
    if (entry.target === 'STOPPED') {
      entry.state = 'STOPPED';
      return;
    }
    await this.startConnectorInstance(entry);
    if (entry.state === 'FAILED') return;
    entry.tasks = entry.taskConfigs.map(() => ({ worker: null, state: 'UNASSIGNED', error: null }));
    for (let i = 0; i < entry.taskConfigs.length; i++) this.startTask(entry, i);
  }

  /** Starts the connector itself and computes its task configs; a failure leaves it FAILED. */
  private async startConnectorInstance(entry: ConnectorEntry): Promise<void> {
    const log = this.options.logger.child({ connector: entry.name });
    try {
      const connector = this.options.worker.newConnector(entry.config);
      entry.connector = connector;
      connector.initialize({
        requestTaskReconfiguration: () => {
          void this.serial(() => this.reconfigureTasks(entry)).catch((err: unknown) =>
            log.error({ err }, 'task reconfiguration failed'),
          );
        },
        raiseError: (error) => {
          log.error({ err: error }, 'connector raised an error');
          entry.state = 'FAILED';
          entry.error = error;
        },
      });
      await connector.start(entry.config);
      entry.taskConfigs = await this.options.worker.taskConfigs(connector, entry.config);
      entry.state = entry.target === 'PAUSED' ? 'PAUSED' : 'RUNNING';
      entry.error = null;
      log.info({ tasks: entry.taskConfigs.length }, 'connector started');
    } catch (err) {
      log.error({ err }, 'failed to start connector');
      entry.state = 'FAILED';
      entry.error = err instanceof Error ? err : new Error(String(err));
    }
  }

  private async reconfigureTasks(entry: ConnectorEntry): Promise<void> {
    if (this.connectors.get(entry.name) !== entry || !entry.connector || entry.target === 'STOPPED') return;
    const next = await this.options.worker.taskConfigs(entry.connector, entry.config);
    if (JSON.stringify(next) === JSON.stringify(entry.taskConfigs)) return;
    await this.stopTasks(
      entry,
      entry.tasks.map((_, i) => i),
    );
    entry.taskConfigs = next;
    entry.tasks = next.map(() => ({ worker: null, state: 'UNASSIGNED', error: null }));
    for (let i = 0; i < next.length; i++) this.startTask(entry, i);
  }

  private startTask(entry: ConnectorEntry, index: number): void {
    const task: TaskEntry = { worker: null, state: 'UNASSIGNED', error: null };
    entry.tasks[index] = task;
    try {
      task.worker = this.options.worker.startTask(
        { connector: entry.name, task: index },
        entry.config,
        entry.taskConfigs[index]!,
        entry.target,
        (state, error) => {
          // A stopped or replaced task's late reports do not overwrite its successor's state.
          if (entry.tasks[index] !== task) return;
          task.state = state;
          task.error = error;
        },
      );
    } catch (err) {
      this.options.logger.error({ connector: entry.name, task: index, err }, 'failed to start task');
      task.state = 'FAILED';
      task.error = err instanceof Error ? err : new Error(String(err));
    }
  }

  private async stopTasks(entry: ConnectorEntry, indexes: readonly number[]): Promise<void> {
    await Promise.all(
      indexes.map(async (i) => {
        const task = entry.tasks[i];
        if (!task?.worker) return;
        const worker = task.worker;
        task.worker = null;
        await worker.stop(this.options.taskShutdownTimeoutMs);
      }),
    );
  }

  private async stopConnectorInstance(entry: ConnectorEntry): Promise<void> {
    const connector = entry.connector;
    entry.connector = null;
    if (!connector) return;
    try {
      await connector.stop();
    } catch (err) {
      this.options.logger.warn({ connector: entry.name, err }, 'connector failed to stop cleanly');
    }
  }

  private async shutdown(entry: ConnectorEntry): Promise<void> {
    await this.stopTasks(
      entry,
      entry.tasks.map((_, i) => i),
    );
    await this.stopConnectorInstance(entry);
  }
}
