import type { ConfigInfos } from '../config/config-infos.js';
import type {
  ConnectorInfo,
  ConnectorOffset,
  ConnectorOffsets,
  ConnectorStateInfo,
  OffsetsMessage,
  TaskInfo,
  TaskStateJson,
} from './herder-types.js';
import type { TargetState } from './task-status.js';

/**
 * What the REST API asks of a worker (Kafka's Herder), answered by the standalone herder from
 * memory and by the distributed herder from the config and status topics.
 */
export interface Herder {
  connectorNames(): string[];
  validate(config: Readonly<Record<string, string>>): Promise<ConfigInfos>;
  putConnectorConfig(
    name: string,
    config: Readonly<Record<string, string>>,
    allowReplace: boolean,
    initialState?: TargetState,
  ): Promise<{ created: boolean; info: ConnectorInfo }>;
  patchConnectorConfig(name: string, patch: Readonly<Record<string, string | null>>): Promise<ConnectorInfo>;
  deleteConnector(name: string): Promise<void>;
  connectorInfo(name: string): ConnectorInfo;
  connectorConfig(name: string): Record<string, string>;
  taskConfigs(name: string): TaskInfo[];
  connectorStatus(name: string): ConnectorStateInfo;
  taskStatus(name: string, task: number): TaskStateJson;
  restartConnector(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<ConnectorStateInfo>;
  restartTask(name: string, task: number): Promise<void>;
  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  stopConnector(name: string): Promise<void>;
  offsets(name: string): Promise<ConnectorOffsets>;
  alterOffsets(name: string, offsets: readonly ConnectorOffset[] | null): Promise<OffsetsMessage>;
  /**
   * Where requests that change the cluster's configuration go when this worker cannot make them
   * (Kafka forwards them to the group leader's REST URL): null to handle them here. Throws a
   * CONFLICT error when the leader is not known yet (during a rebalance).
   */
  forwardUrl?(): string | null;
}
