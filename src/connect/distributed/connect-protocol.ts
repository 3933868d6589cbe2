import { ConnectError } from '../connect-error.js';

/**
 * Kafka Connect's group protocol bytes (ConnectProtocol and IncrementalCooperativeConnectProtocol):
 * a worker's metadata in JoinGroup and its assignment in SyncGroup, in Kafka's classic struct
 * encoding (int16-length strings, int32-length arrays and bytes, -1 for null), so tools that
 * decode a Connect group read Strom's as Kafka's.
 */

/** The sentinel task id meaning "the connector itself" in an assignment (ConnectProtocol.CONNECTOR_TASK). */
export const CONNECTOR_TASK = -1;

/** connect.protocol's values and the version each writes: eager V0, incremental cooperative V1/V2. */
export const CONNECT_PROTOCOLS = { default: 0, compatible: 1, sessioned: 2 } as const;
export type ConnectProtocolName = keyof typeof CONNECT_PROTOCOLS;

/** Connectors and tasks by connector, as Kafka's ConnectAssignment lists them. */
export interface ConnectorsAndTasks {
  connectors: string[];
  /** Task ids as `<connector>-<n>`, Kafka's ConnectorTaskId.toString(). */
  tasks: { connector: string; task: number }[];
}

export interface ConnectAssignment extends ConnectorsAndTasks {
  version: number;
  /** 0, or 1 (CONFIG_MISMATCH: the leader could not read the config topic to the members' offset). */
  error: number;
  leader: string;
  leaderUrl: string;
  configOffset: bigint;
  revoked: ConnectorsAndTasks;
  /** Milliseconds after which the worker rejoins so lost work is reassigned (KIP-415). */
  delayMs: number;
}

export interface WorkerState {
  version: number;
  url: string;
  configOffset: bigint;
  /** V1+: what the worker runs now (null in V0 and for a worker with nothing). */
  allocation: ConnectAssignment | null;
}

export const emptyConnectorsAndTasks = (): ConnectorsAndTasks => ({ connectors: [], tasks: [] });

class Writer {
  private readonly parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  string(v: string): this {
    const bytes = Buffer.from(v, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.parts.push(v);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new ConnectError('DATA_ERROR', `Connect protocol data ends early at byte ${this.pos}`);
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  string(): string {
    const n = this.int16();
    if (n < 0) throw new ConnectError('DATA_ERROR', `null string at byte ${this.pos}`);
    this.need(n);
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  bytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

/** CONNECTOR_ASSIGNMENT: per connector, its task ids with CONNECTOR_TASK for the connector itself. */
function writeConnectorAssignments(w: Writer, items: ConnectorsAndTasks | null): void {
  if (items === null) {
    w.int32(-1);
    return;
  }
  const byConnector = new Map<string, number[]>();
  for (const c of items.connectors) byConnector.set(c, [CONNECTOR_TASK]);
  for (const t of items.tasks) {
    const list = byConnector.get(t.connector) ?? [];
    list.push(t.task);
    byConnector.set(t.connector, list);
  }
  w.int32(byConnector.size);
  for (const [connector, ids] of byConnector) {
    w.string(connector);
    w.int32(ids.length);
    for (const id of ids) w.int32(id);
  }
}

function readConnectorAssignments(r: Reader): ConnectorsAndTasks {
  const out = emptyConnectorsAndTasks();
  const n = r.int32();
  for (let i = 0; i < n; i++) {
    const connector = r.string();
    const count = r.int32();
    for (let j = 0; j < count; j++) {
      const task = r.int32();
      if (task === CONNECTOR_TASK) out.connectors.push(connector);
      else out.tasks.push({ connector, task });
    }
  }
  return out;
}

export function encodeAssignment(a: ConnectAssignment): Buffer {
  const w = new Writer()
    .int16(a.version)
    .int16(a.error)
    .string(a.leader)
    .string(a.leaderUrl)
    .int64(a.configOffset);
  writeConnectorAssignments(w, a);
  if (a.version >= 1) {
    writeConnectorAssignments(w, a.revoked);
    w.int32(a.delayMs);
  }
  return w.done();
}

export function decodeAssignment(buf: Buffer): ConnectAssignment {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0) throw new ConnectError('DATA_ERROR', `Unsupported assignment version: ${version}`);
  const error = r.int16();
  const leader = r.string();
  const leaderUrl = r.string();
  const configOffset = r.int64();
  const assigned = readConnectorAssignments(r);
  let revoked = emptyConnectorsAndTasks();
  let delayMs = 0;
  // V1 fields tolerate being absent, as Kafka's schema does (TOLERATE_MISSING_FIELDS_WITH_DEFAULTS).
  if (version >= 1 && r.remaining > 0) revoked = readConnectorAssignments(r);
  if (version >= 1 && r.remaining >= 4) delayMs = r.int32();
  return { version, error, leader, leaderUrl, configOffset, ...assigned, revoked, delayMs };
}

export function encodeWorkerState(s: WorkerState): Buffer {
  const w = new Writer().int16(s.version).string(s.url).int64(s.configOffset);
  if (s.version >= 1) {
    const empty =
      s.allocation === null || (s.allocation.connectors.length === 0 && s.allocation.tasks.length === 0);
    w.bytes(empty ? null : encodeAssignment(s.allocation!));
  }
  return w.done();
}

export function decodeWorkerState(buf: Buffer): WorkerState {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0) throw new ConnectError('DATA_ERROR', `Unsupported subscription version: ${version}`);
  const url = r.string();
  const configOffset = r.int64();
  let allocation: ConnectAssignment | null = null;
  if (version >= 1 && r.remaining > 0) {
    const bytes = r.bytes();
    allocation = bytes === null ? null : decodeAssignment(bytes);
  }
  return { version, url, configOffset, allocation };
}
