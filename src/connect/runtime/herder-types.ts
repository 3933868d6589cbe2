import type { ConnectState } from './task-status.js';

/** Kafka's ConnectorTaskId as the REST API shows it. */
export interface TaskIdJson {
  connector: string;
  task: number;
}

export type ConnectorType = 'source' | 'sink' | 'unknown';

/** GET /connectors/{name} (Kafka's ConnectorInfo). */
export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: TaskIdJson[];
  type: ConnectorType;
}

/** One state in a status answer (Kafka's AbstractState): the trace only when FAILED. */
export interface StateJson {
  state: ConnectState;
  worker_id: string;
  trace?: string;
}

export interface TaskStateJson extends StateJson {
  id: number;
}

/** GET /connectors/{name}/status (Kafka's ConnectorStateInfo). */
export interface ConnectorStateInfo {
  name: string;
  connector: StateJson;
  tasks: TaskStateJson[];
  type: ConnectorType;
}

/** GET /connectors/{name}/tasks (Kafka's TaskInfo). */
export interface TaskInfo {
  id: TaskIdJson;
  config: Record<string, string>;
}

/** One entry of GET /connectors/{name}/offsets (KIP-875). */
export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

export interface ConnectorOffsets {
  offsets: ConnectorOffset[];
}

/** The answer to PATCH and DELETE /connectors/{name}/offsets. */
export interface OffsetsMessage {
  message: string;
}
