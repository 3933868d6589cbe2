import { DataError } from '../connect-error.js';
import { type Lsn, readLsn } from './lsn.js';

/**
 * The messages of PostgreSQL's logical replication protocol as pgoutput writes them (protocol
 * version 1: "Logical Replication Message Formats" in PostgreSQL's documentation). Column values
 * stay the text PostgreSQL's output functions wrote, so that conversion to Connect types is ours
 * and loses nothing (microseconds, numerics wider than a double).
 */
export type PgoutputMessage =
  | { readonly tag: 'begin'; readonly finalLsn: Lsn; readonly commitTimeUs: number; readonly xid: number }
  | {
      readonly tag: 'commit';
      readonly commitLsn: Lsn;
      readonly endLsn: Lsn;
      readonly commitTimeUs: number;
    }
  | RelationMessage
  | { readonly tag: 'insert'; readonly relationId: number; readonly newTuple: TupleData }
  | {
      readonly tag: 'update';
      readonly relationId: number;
      /** The old key ('K') or whole old row ('O', REPLICA IDENTITY FULL), when PostgreSQL sent one. */
      readonly oldTuple: TupleData | null;
      readonly oldIsKey: boolean;
      readonly newTuple: TupleData;
    }
  | {
      readonly tag: 'delete';
      readonly relationId: number;
      readonly oldTuple: TupleData;
      readonly oldIsKey: boolean;
    }
  | { readonly tag: 'truncate'; readonly relationIds: readonly number[] }
  | { readonly tag: 'other'; readonly type: string };

export interface RelationColumn {
  /** Bit 1: part of the replica identity (the key for REPLICA IDENTITY DEFAULT). */
  readonly flags: number;
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
}

export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationId: number;
  readonly schema: string;
  readonly table: string;
  /** d (default), n (nothing), f (full), i (index). */
  readonly replicaIdentity: string;
  readonly columns: readonly RelationColumn[];
}

/**
 * A row: one entry per column, a string (text format), null (SQL NULL) or UNCHANGED_TOAST (a
 * TOASTed value the update did not change, which pgoutput does not resend).
 */
export type TupleData = readonly (string | null | typeof UNCHANGED_TOAST)[];
export const UNCHANGED_TOAST = Symbol('unchanged-toast');

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  lsn(): Lsn {
    this.need(8);
    const v = readLsn(this.buf, this.pos);
    this.pos += 8;
    return v;
  }
  /** A timestamp in microseconds since 2000-01-01, returned as microseconds since 1970. */
  timeUs(): number {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return Number(v) + PG_EPOCH_US;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new DataError(`pgoutput: unterminated string at byte ${this.pos}`);
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length)
      throw new DataError(`pgoutput: message truncated at byte ${this.pos}`);
  }
}

/** Microseconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
const PG_EPOCH_US = 946_684_800_000_000;

function tuple(r: Reader): TupleData {
  const n = r.i16();
  const out: (string | null | typeof UNCHANGED_TOAST)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = r.u8();
    if (kind === 0x6e /* n */) out[i] = null;
    else if (kind === 0x75 /* u */) out[i] = UNCHANGED_TOAST;
    else if (kind === 0x74 /* t */ || kind === 0x62 /* b */) out[i] = r.bytes(r.i32()).toString('utf8');
    else throw new DataError(`pgoutput: unknown column kind ${kind}`);
  }
  return out;
}

/** Decodes one pgoutput message (the payload of an XLogData message). */
export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = String.fromCharCode(r.u8());
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: r.lsn(), commitTimeUs: r.timeUs(), xid: r.u32() };
    case 'C': {
      r.u8(); // flags, unused
      return { tag: 'commit', commitLsn: r.lsn(), endLsn: r.lsn(), commitTimeUs: r.timeUs() };
    }
    case 'R': {
      const relationId = r.u32();
      const schema = r.cstring();
      const table = r.cstring();
      const replicaIdentity = String.fromCharCode(r.u8());
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++)
        columns.push({ flags: r.u8(), name: r.cstring(), typeOid: r.u32(), typeMod: r.i32() });
      return { tag: 'relation', relationId, schema, table, replicaIdentity, columns };
    }
    case 'I': {
      const relationId = r.u32();
      r.u8(); // 'N'
      return { tag: 'insert', relationId, newTuple: tuple(r) };
    }
    case 'U': {
      const relationId = r.u32();
      let kind = String.fromCharCode(r.u8());
      let oldTuple: TupleData | null = null;
      const oldIsKey = kind === 'K';
      if (kind === 'K' || kind === 'O') {
        oldTuple = tuple(r);
        kind = String.fromCharCode(r.u8());
      }
      if (kind !== 'N') throw new DataError(`pgoutput: unexpected update part ${kind}`);
      return { tag: 'update', relationId, oldTuple, oldIsKey, newTuple: tuple(r) };
    }
    case 'D': {
      const relationId = r.u32();
      const kind = String.fromCharCode(r.u8());
      if (kind !== 'K' && kind !== 'O') throw new DataError(`pgoutput: unexpected delete part ${kind}`);
      return { tag: 'delete', relationId, oldIsKey: kind === 'K', oldTuple: tuple(r) };
    }
    case 'T': {
      const n = r.u32();
      r.u8(); // options
      const relationIds: number[] = [];
      for (let i = 0; i < n; i++) relationIds.push(r.u32());
      return { tag: 'truncate', relationIds };
    }
    default:
      // Origin, Type and logical decoding messages carry nothing a change event needs.
      return { tag: 'other', type: tag };
  }
}
