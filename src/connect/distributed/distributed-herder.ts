import type { Admin } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import type { Connector } from '../api/connector.js';
import { type ConfigInfos, invalidConfigMessage, validateConnectorConfig } from '../config/config-infos.js';
import { ConnectError } from '../connect-error.js';
import { alterConnectorOffsets, notStopped, readConnectorOffsets } from '../runtime/connector-offsets.js';
import type { Herder } from '../runtime/herder.js';
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
} from '../runtime/herder-types.js';
import { type ConnectState, type TargetState, traceOf } from '../runtime/task-status.js';
import { taskTransactionalId, type Worker } from '../runtime/worker.js';
import type { WorkerTask } from '../runtime/worker-task.js';
import {
  type ConfigSnapshot,
  ConfigState,
  configRecords,
  type RestartRequest,
} from './config-backing-store.js';
import type { ConnectAssignment, ConnectorsAndTasks } from './connect-protocol.js';
import { KafkaBasedLog, type TopicSettings } from './kafka-based-log.js';
import type { KafkaStatusBackingStore, StatusRecord } from './status-backing-store.js';
import { WorkerCoordinator, type WorkerCoordinatorOptions } from './worker-coordinator.js';

interface LocalConnector {
  connector: Connector | null;
  state: ConnectState;
  error: Error | null;
}

interface LocalTask {
  worker: WorkerTask | null;
  state: ConnectState;
  error: Error | null;
}

export interface DistributedHerderOptions {
  readonly worker: Worker;
  readonly admin: Admin;
  readonly logger: Logger;
  readonly configTopic: TopicSettings;
  readonly statusStore: KafkaStatusBackingStore;
  readonly taskShutdownTimeoutMs: number;
  /** exactly.once.source.support=enabled: a source connector's old tasks are fenced before new task configs. */
  readonly exactlyOnceSource: boolean;
  readonly group: Pick<
    WorkerCoordinatorOptions,
    | 'groupId'
    | 'sessionTimeoutMs'
    | 'heartbeatIntervalMs'
    | 'rebalanceTimeoutMs'
    | 'scheduledRebalanceMaxDelayMs'
    | 'protocol'
  >;
  /** This worker's REST URL as the others reach it. */
  url(): string;
}

const taskKey = (connector: string, task: number): string => `${connector}\u0000${task}`;
const notFound = (name: string): ConnectError => new ConnectError('NOT_FOUND', `Connector ${name} not found`);

/**
 * A worker of a Connect cluster (Kafka's DistributedHerder): connector configs, task configs and
 * target states live in the config topic, which every worker follows; the group's leader assigns
 * connectors and tasks to workers and writes what the REST API changes (other workers forward
 * those requests to it); each worker runs what it is assigned and reports its states to the
 * status topic, from which any worker answers status requests.
 */
export class DistributedHerder implements Herder {
  private readonly configState: ConfigState;
  private readonly configLog: KafkaBasedLog;
  readonly coordinator: WorkerCoordinator;
  private readonly connectors = new Map<string, LocalConnector>();
  private readonly tasks = new Map<string, LocalTask>();
  private queue: Promise<unknown> = Promise.resolve();
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wakeLoop: (() => void) | null = null;
  private readonly log: Logger;

  constructor(private readonly options: DistributedHerderOptions) {
    this.log = options.logger;
    this.configState = new ConfigState(
      {
        onConnectorConfig: (name) => this.enqueue(() => this.onConnectorConfig(name)),
        onTaskConfigs: (name) => this.enqueue(() => this.onTaskConfigs(name)),
        onTargetState: (name) => this.enqueue(() => this.onTargetState(name)),
        onRestartRequest: (r) => this.enqueue(() => this.onRestartRequest(r)),
      },
      this.log,
    );
    const kafka = options.worker.options.kafka;
    this.configLog = new KafkaBasedLog(
      kafka,
      options.configTopic,
      (r) => this.configState.apply(r),
      this.log,
    );
    this.coordinator = new WorkerCoordinator({
      kafka,
      ...options.group,
      logger: this.log,
      url: () => options.url(),
      configOffset: () => this.configState.configOffset,
      readConfig: async () => {
        await this.configLog.readToEnd(options.admin);
        const snapshot = this.configState.snapshot();
        return { configured: configuredWork(snapshot), offset: snapshot.offset };
      },
      owned: () => this.owned(),
      revokeAll: () => this.serial(() => this.revoke(this.owned())),
      onAssignment: (a, generation) => this.serial(() => this.applyAssignment(a, generation)),
      wake: () => this.wakeLoop?.(),
    });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => {});
    return run;
  }

  private enqueue(op: () => Promise<void>): void {
    if (!this.running) return;
    void this.serial(op).catch((err: unknown) => this.log.error({ err }, 'applying a config change failed'));
  }

  /** Reads the config topic, then joins the group and keeps the membership alive. */
  async start(): Promise<void> {
    await this.configLog.start(this.options.admin);
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.coordinator.member.ensureActive();
      } catch (err) {
        if (!this.running) return;
        this.log.warn({ err }, 'joining the Connect group failed; retrying');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.wakeLoop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeLoop = null;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeLoop?.();
    await this.serial(() => this.revoke(this.owned()));
    await this.coordinator.member
      .leave()
      .catch((err: unknown) => this.log.warn({ err }, 'leaving the group failed'));
    this.coordinator.close();
    await this.loop;
    await this.configLog.stop();
  }

  // ---- What this worker runs -------------------------------------------------------------------

  private owned(): ConnectorsAndTasks {
    return {
      connectors: [...this.connectors.keys()],
      tasks: [...this.tasks.keys()].map((k) => {
        const [connector, task] = k.split('\u0000');
        return { connector: connector!, task: Number(task) };
      }),
    };
  }

  private async applyAssignment(a: ConnectAssignment, generation: number): Promise<void> {
    if (a.configOffset > this.configState.configOffset) await this.configLog.readToEnd(this.options.admin);
    if (a.version === 0) await this.revoke(this.owned());
    else await this.revoke(a.revoked);
    this.log.info(
      {
        generation,
        leader: a.leader,
        connectors: a.connectors,
        tasks: a.tasks.map((t) => `${t.connector}-${t.task}`),
      },
      'assignment received',
    );
    for (const name of a.connectors) await this.startConnector(name);
    for (const t of a.tasks) this.startTask(t.connector, t.task);
  }

  private async revoke(items: ConnectorsAndTasks): Promise<void> {
    await Promise.all(items.tasks.map((t) => this.stopTask(t.connector, t.task)));
    for (const name of items.connectors) await this.stopConnector_(name);
  }

  private status(state: ConnectState, error: Error | null): StatusRecord {
    return {
      state,
      trace: state === 'FAILED' ? traceOf(error) : null,
      workerId: this.options.worker.workerId,
      generation: this.coordinator.generationId,
    };
  }

  private reportConnector(name: string, local: LocalConnector): void {
    if (this.connectors.get(name) !== local) return;
    void this.options.statusStore
      .putConnector(name, this.status(local.state, local.error))
      .catch((err: unknown) => this.log.warn({ err, connector: name }, 'writing a connector status failed'));
  }

  private async startConnector(name: string): Promise<void> {
    const snapshot = this.configState.snapshot();
    const config = snapshot.connectorConfigs.get(name);
    if (!config) return;
    const target = snapshot.targetStates.get(name) ?? 'STARTED';
    const local: LocalConnector = { connector: null, state: 'UNASSIGNED', error: null };
    this.connectors.set(name, local);
    if (target === 'STOPPED') {
      local.state = 'STOPPED';
      this.reportConnector(name, local);
      return;
    }
    const log = this.log.child({ connector: name });
    try {
      const connector = this.options.worker.newConnector(config);
      local.connector = connector;
      connector.initialize({
        requestTaskReconfiguration: () => {
          this.enqueue(() => this.reconfigure(name));
        },
        raiseError: (error) => {
          log.error({ err: error }, 'connector raised an error');
          local.state = 'FAILED';
          local.error = error;
          this.reportConnector(name, local);
        },
      });
      await connector.start(config);
      local.state = target === 'PAUSED' ? 'PAUSED' : 'RUNNING';
      this.reportConnector(name, local);
      log.info({}, 'connector started');
      await this.reconfigure(name);
    } catch (err) {
      log.error({ err }, 'failed to start connector');
      local.state = 'FAILED';
      local.error = err instanceof Error ? err : new Error(String(err));
      this.reportConnector(name, local);
    }
  }

  /**
   * The connector's task configs: written to the config topic (task records, then the commit)
   * when they differ from what is there. Kafka's owner asks the leader to write them; Strom's
   * owner writes them itself, the only worker running the connector.
   */
  private async reconfigure(name: string): Promise<void> {
    const local = this.connectors.get(name);
    const config = this.configState.snapshot().connectorConfigs.get(name);
    if (!local?.connector || !config || local.state === 'FAILED') return;
    const next = await this.options.worker.taskConfigs(local.connector, config);
    const current = this.configState.snapshot().taskConfigs.get(name) ?? [];
    if (JSON.stringify(next) === JSON.stringify(current)) return;
    if (this.options.exactlyOnceSource && !this.options.worker.isSink(config))
      await this.fenceTasks(name, next.length, current.length);
    await Promise.all(next.map((c, i) => this.configLog.send(...configRecords.task(name, i, c))));
    await this.configLog.send(...configRecords.commit(name, next.length));
  }

  /**
   * Fences the producers of a source connector's tasks that the new task configs drop, before
   * writing them (Kafka's zombie fencing, KIP-618): initializing a task's transactional id bumps
   * its epoch, so a task of the old generation still running somewhere can commit nothing more.
   * Tasks the new generation keeps are fenced by their successors' own initialization.
   */
  private async fenceTasks(name: string, from: number, to: number): Promise<void> {
    const kafka = this.options.worker.options.kafka;
    for (let task = from; task < to; task++) {
      const producer = kafka.producer({
        acks: 'all',
        transactionalId: taskTransactionalId(this.options.group.groupId, { connector: name, task }),
      });
      try {
        await producer.initTransactions();
      } finally {
        await producer.close();
      }
    }
    if (to > from) this.log.info({ connector: name, from, to }, 'fenced the tasks the new generation drops');
  }

  private async stopConnector_(name: string): Promise<void> {
    const local = this.connectors.get(name);
    if (!local) return;
    this.connectors.delete(name);
    const connector = local.connector;
    local.connector = null;
    if (!connector) return;
    try {
      await connector.stop();
    } catch (err) {
      this.log.warn({ connector: name, err }, 'connector failed to stop cleanly');
    }
  }

  private startTask(name: string, index: number): void {
    const snapshot = this.configState.snapshot();
    const config = snapshot.connectorConfigs.get(name);
    const taskConfig = snapshot.taskConfigs.get(name)?.[index];
    const task: LocalTask = { worker: null, state: 'UNASSIGNED', error: null };
    const key = taskKey(name, index);
    this.tasks.set(key, task);
    const report = (): void => {
      if (this.tasks.get(key) !== task) return;
      void this.options.statusStore
        .putTask(name, index, this.status(task.state, task.error))
        .catch((err: unknown) =>
          this.log.warn({ err, connector: name, task: index }, 'writing a task status failed'),
        );
    };
    if (!config || !taskConfig) return;
    try {
      task.worker = this.options.worker.startTask(
        { connector: name, task: index },
        config,
        taskConfig,
        snapshot.targetStates.get(name) ?? 'STARTED',
        (state, error) => {
          task.state = state;
          task.error = error;
          report();
        },
      );
    } catch (err) {
      this.log.error({ connector: name, task: index, err }, 'failed to start task');
      task.state = 'FAILED';
      task.error = err instanceof Error ? err : new Error(String(err));
      report();
    }
  }

  private async stopTask(name: string, index: number): Promise<void> {
    const key = taskKey(name, index);
    const task = this.tasks.get(key);
    if (!task) return;
    this.tasks.delete(key);
    const worker = task.worker;
    task.worker = null;
    if (worker) await worker.stop(this.options.taskShutdownTimeoutMs);
  }

  private localTasksOf(name: string): number[] {
    return [...this.tasks.keys()]
      .map((k) => k.split('\u0000'))
      .filter(([c]) => c === name)
      .map(([, t]) => Number(t));
  }

  // ---- Config topic updates --------------------------------------------------------------------

  private async onConnectorConfig(name: string): Promise<void> {
    const config = this.configState.snapshot().connectorConfigs.get(name);
    if (this.connectors.has(name)) {
      // A changed config restarts the connector here; a removed one stops with its tasks.
      await this.stopConnector_(name);
      if (config) await this.startConnector(name);
    }
    if (!config) await Promise.all(this.localTasksOf(name).map((t) => this.stopTask(name, t)));
    this.coordinator.member.requestRejoin();
  }

  private async onTaskConfigs(name: string): Promise<void> {
    // Tasks restart with their new configs wherever the next assignment puts them.
    await Promise.all(this.localTasksOf(name).map((t) => this.stopTask(name, t)));
    this.coordinator.member.requestRejoin();
  }

  private async onTargetState(name: string): Promise<void> {
    const target = this.configState.snapshot().targetStates.get(name);
    if (!target) return;
    const local = this.connectors.get(name);
    if (local) {
      const wasStopped = local.state === 'STOPPED' || local.connector === null;
      if (target === 'STOPPED' || wasStopped) {
        await this.stopConnector_(name);
        await this.startConnector(name);
      } else if (local.state !== 'FAILED') {
        local.state = target === 'PAUSED' ? 'PAUSED' : 'RUNNING';
        this.reportConnector(name, local);
      }
    }
    for (const t of this.localTasksOf(name)) this.tasks.get(taskKey(name, t))?.worker?.transitionTo(target);
  }

  private async onRestartRequest(r: RestartRequest): Promise<void> {
    const local = this.connectors.get(r.connector);
    if (local && (!r.onlyFailed || local.state === 'FAILED')) {
      await this.stopConnector_(r.connector);
      await this.startConnector(r.connector);
    }
    if (!r.includeTasks) return;
    for (const t of this.localTasksOf(r.connector)) {
      const task = this.tasks.get(taskKey(r.connector, t));
      if (r.onlyFailed && task?.state !== 'FAILED') continue;
      await this.stopTask(r.connector, t);
      this.startTask(r.connector, t);
    }
  }

  // ---- REST API ---------------------------------------------------------------------------------

  forwardUrl(): string | null {
    if (this.coordinator.isLeader) return null;
    const leader = this.coordinator.leader;
    if (!leader)
      throw new ConnectError(
        'CONFLICT',
        'Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.',
      );
    return leader.url;
  }

  private requireLeader(): void {
    if (!this.coordinator.isLeader)
      throw new ConnectError(
        'CONFLICT',
        'Cannot complete request because of a conflicting operation (e.g. worker rebalance)',
      );
  }

  private snapshot(): ConfigSnapshot {
    return this.configState.snapshot();
  }

  private configOf(name: string): Readonly<Record<string, string>> {
    const config = this.snapshot().connectorConfigs.get(name);
    if (!config) throw notFound(name);
    return config;
  }

  private typeOf(config: Readonly<Record<string, string>>): ConnectorType {
    try {
      return this.options.worker.isSink(config) ? 'sink' : 'source';
    } catch {
      return 'unknown';
    }
  }

  connectorNames(): string[] {
    return [...this.snapshot().connectorConfigs.keys()].sort();
  }

  validate(config: Readonly<Record<string, string>>): Promise<ConfigInfos> {
    return validateConnectorConfig(this.options.worker.options.plugins, config);
  }

  async putConnectorConfig(
    name: string,
    config: Readonly<Record<string, string>>,
    allowReplace: boolean,
    initialState: TargetState = 'STARTED',
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    this.requireLeader();
    const props = { ...config, name };
    const infos = await this.validate(props);
    if (infos.error_count > 0) throw new ConnectError('BAD_REQUEST', invalidConfigMessage(infos));
    await this.configLog.readToEnd(this.options.admin);
    const exists = this.snapshot().connectorConfigs.has(name);
    if (exists && !allowReplace) throw new ConnectError('ALREADY_EXISTS', `Connector ${name} already exists`);
    // The target state goes first, so the worker that starts the connector starts it in that state.
    if (!exists && initialState !== 'STARTED') {
      if (initialState === 'STOPPED') await this.configLog.send(...configRecords.commit(name, 0));
      await this.configLog.send(...configRecords.targetState(name, initialState));
    }
    await this.configLog.send(...configRecords.connector(name, props));
    await this.configLog.readToEnd(this.options.admin);
    return { created: !exists, info: this.connectorInfo(name) };
  }

  async patchConnectorConfig(
    name: string,
    patch: Readonly<Record<string, string | null>>,
  ): Promise<ConnectorInfo> {
    const next: Record<string, string> = { ...this.configOf(name) };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    return (await this.putConnectorConfig(name, next, true)).info;
  }

  async deleteConnector(name: string): Promise<void> {
    this.requireLeader();
    await this.configLog.readToEnd(this.options.admin);
    const tasks = this.snapshot().taskConfigs.get(name)?.length ?? 0;
    this.configOf(name);
    await this.configLog.send(...configRecords.connector(name, null));
    await this.configLog.send(...configRecords.targetState(name, null));
    await this.configLog.readToEnd(this.options.admin);
    await this.options.statusStore.deleteConnector(name, tasks);
  }

  connectorInfo(name: string): ConnectorInfo {
    const config = this.configOf(name);
    const tasks = this.snapshot().taskConfigs.get(name) ?? [];
    return {
      name,
      config: { ...config },
      tasks: tasks.map((_, task) => ({ connector: name, task })),
      type: this.typeOf(config),
    };
  }

  connectorConfig(name: string): Record<string, string> {
    return { ...this.configOf(name) };
  }

  taskConfigs(name: string): TaskInfo[] {
    this.configOf(name);
    return (this.snapshot().taskConfigs.get(name) ?? []).map((config, task) => ({
      id: { connector: name, task },
      config: { ...config },
    }));
  }

  private stateJson(s: StatusRecord | null): StateJson {
    if (s === null) return { state: 'UNASSIGNED', worker_id: '' };
    const out: StateJson = { state: s.state, worker_id: s.workerId };
    if (s.state === 'FAILED' && s.trace !== null) out.trace = s.trace;
    return out;
  }

  connectorStatus(name: string): ConnectorStateInfo {
    const config = this.configOf(name);
    const store = this.options.statusStore;
    const count = this.snapshot().taskConfigs.get(name)?.length ?? 0;
    const tasks: TaskStateJson[] = [];
    for (let id = 0; id < count; id++) tasks.push({ id, ...this.stateJson(store.task(name, id)) });
    return { name, connector: this.stateJson(store.connector(name)), tasks, type: this.typeOf(config) };
  }

  taskStatus(name: string, task: number): TaskStateJson {
    this.configOf(name);
    const s = this.options.statusStore.task(name, task);
    if (!s || task >= (this.snapshot().taskConfigs.get(name)?.length ?? 0))
      throw new ConnectError('NOT_FOUND', `No status found for task ${name}-${task}`);
    return { id: task, ...this.stateJson(s) };
  }

  async restartConnector(
    name: string,
    includeTasks: boolean,
    onlyFailed: boolean,
  ): Promise<ConnectorStateInfo> {
    this.requireLeader();
    const status = this.connectorStatus(name);
    if (!onlyFailed || status.connector.state === 'FAILED') status.connector.state = 'RESTARTING';
    if (includeTasks)
      for (const t of status.tasks) if (!onlyFailed || t.state === 'FAILED') t.state = 'RESTARTING';
    await this.configLog.send(...configRecords.restart({ connector: name, includeTasks, onlyFailed }));
    return status;
  }

  /** Restarts a task here when this worker runs it, else on the worker the status names (as Kafka forwards it). */
  async restartTask(name: string, task: number): Promise<void> {
    this.configOf(name);
    if ((this.snapshot().taskConfigs.get(name)?.length ?? 0) <= task)
      throw new ConnectError('NOT_FOUND', `Task ${name}-${task} not found`);
    if (this.tasks.has(taskKey(name, task))) {
      await this.serial(async () => {
        await this.stopTask(name, task);
        this.startTask(name, task);
      });
      return;
    }
    const owner = this.options.statusStore.task(name, task)?.workerId ?? '';
    if (owner === '' || owner === this.options.worker.workerId)
      throw new ConnectError(
        'CONFLICT',
        'Cannot complete request because of a conflicting operation (e.g. worker rebalance)',
      );
    const res = await fetch(`http://${owner}/connectors/${encodeURIComponent(name)}/tasks/${task}/restart`, {
      method: 'POST',
    });
    if (res.status >= 400) {
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      throw new ConnectError(
        res.status === 404 ? 'NOT_FOUND' : 'CONFLICT',
        body.message ?? `HTTP ${res.status}`,
      );
    }
  }

  private async putTargetState(name: string, state: TargetState): Promise<void> {
    this.requireLeader();
    this.configOf(name);
    // Kafka empties a stopped connector's task configs first, so no task of it stays assigned (KIP-875).
    if (state === 'STOPPED') await this.configLog.send(...configRecords.commit(name, 0));
    await this.configLog.send(...configRecords.targetState(name, state));
    await this.configLog.readToEnd(this.options.admin);
  }

  pauseConnector(name: string): Promise<void> {
    return this.putTargetState(name, 'PAUSED');
  }

  resumeConnector(name: string): Promise<void> {
    return this.putTargetState(name, 'STARTED');
  }

  stopConnector(name: string): Promise<void> {
    return this.putTargetState(name, 'STOPPED');
  }

  async offsets(name: string): Promise<ConnectorOffsets> {
    const config = this.configOf(name);
    return readConnectorOffsets(
      this.options.worker,
      () => this.options.worker.options.kafka.admin(),
      name,
      this.typeOf(config),
    );
  }

  async alterOffsets(name: string, offsets: readonly ConnectorOffset[] | null): Promise<OffsetsMessage> {
    this.requireLeader();
    await this.configLog.readToEnd(this.options.admin);
    const config = this.configOf(name);
    const snapshot = this.snapshot();
    const status = this.options.statusStore.connector(name);
    if (
      snapshot.targetStates.get(name) !== 'STOPPED' ||
      (snapshot.taskConfigs.get(name)?.length ?? 0) > 0 ||
      (status !== null && status.state !== 'STOPPED')
    )
      throw notStopped(name);
    return alterConnectorOffsets(
      this.options.worker,
      () => this.options.worker.options.kafka.admin(),
      name,
      config,
      this.typeOf(config),
      offsets,
    );
  }
}

/** Every connector the config topic has, with its committed tasks. */
function configuredWork(snapshot: ConfigSnapshot): ConnectorsAndTasks {
  const connectors = [...snapshot.connectorConfigs.keys()].sort();
  const tasks = connectors.flatMap((connector) =>
    (snapshot.taskConfigs.get(connector) ?? []).map((_, task) => ({ connector, task })),
  );
  return { connectors, tasks };
}
