import { GroupCoordinator } from '../../../../src/broker/group-coordinator/core/group-coordinator.js';
import type {
  GroupApi,
  GroupApis,
  GroupEffect,
  GroupRequest,
} from '../../../../src/broker/group-coordinator/core/group-effects.js';
import {
  type EncodedGroupRecord,
  type GroupRecord,
  groupRecordCodec,
} from '../../../../src/broker/group-coordinator/core/group-record-codec.js';
import { ManualClock } from '../../../../src/common/clock.js';
import { SeededRandom } from '../../../../src/common/random.js';
import { errorInfo } from '../../../../src/protocol/error-codes.js';
import {
  decodeAssignment,
  encodeAssignment,
  encodeSubscription,
} from '../../../helpers/consumer-protocol-v0.js';

/**
 * Runs a golden trace: a text file of commands, each followed by the events it caused (indented).
 * Member ids are random, so they print as aliases m1, m2… in order of appearance; commands name
 * members by alias. Commands:
 *
 *   config key=value…                       coordinator settings (before anything else)
 *   join <group> <alias|new> [instance=I] [v=N] [protocols=a,b] [session=MS] [rebalance=MS] [topics=t,u]
 *   sync <group> <alias> gen=N [assign=alias:topic/p+p,…]
 *   heartbeat <group> <alias> gen=N
 *   leave <group> <alias|instance=I>…
 *   commit <group> <alias|-> gen=N topic/partition=offset…
 *   fetch <group>
 *   describe <group>
 *   delete <group>…
 *   advance <ms>
 *   restart                                 a new coordinator loads the log written so far
 */
export class GroupTraceRunner {
  private readonly clock = new ManualClock(1_000_000);
  private coordinator!: GroupCoordinator;
  private config: Record<string, number> = {};
  private readonly log: { partition: number; record: EncodedGroupRecord }[] = [];
  private readonly aliases = new Map<string, string>();
  private readonly ids = new Map<string, string>();
  private requestId = 0;
  private started = false;

  run(text: string): string {
    const out: string[] = [];
    for (const raw of text.split('\n')) {
      if (raw.startsWith(' ') || raw.trim() === '') continue;
      out.push(raw);
      if (raw.startsWith('#')) continue;
      for (const line of this.step(raw.trim().split(/\s+/))) out.push(`  ${line}`);
    }
    return `${out.join('\n')}\n`;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.coordinator = this.newCoordinator(1);
    for (let p = 0; p < this.coordinator.config.offsetsTopicNumPartitions; p++)
      this.coordinator.loadFrom(p, []);
  }

  private newCoordinator(seed: number): GroupCoordinator {
    return new GroupCoordinator({
      clock: this.clock,
      random: new SeededRandom(seed),
      config: { offsetsTopicNumPartitions: 1, groupInitialRebalanceDelayMs: 0, ...this.config },
    });
  }

  private step([cmd, ...args]: string[]): string[] {
    if (cmd === 'config') {
      for (const a of args) {
        const [k, v] = a.split('=');
        this.config[k!] = Number(v);
      }
      return [];
    }
    this.start();
    const opts = new Map(args.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));
    const plain = args.filter((a) => !a.includes('='));
    const groupId = plain[0] ?? '';
    switch (cmd) {
      case 'join': {
        const topics = (opts.get('topics') ?? 't').split(',');
        return this.send('JoinGroup', Number(opts.get('v') ?? 9), {
          groupId,
          sessionTimeoutMs: Number(opts.get('session') ?? 10_000),
          rebalanceTimeoutMs: Number(opts.get('rebalance') ?? 30_000),
          memberId: plain[1] === 'new' ? '' : this.id(plain[1]!),
          groupInstanceId: opts.get('instance') ?? null,
          protocolType: 'consumer',
          protocols: (opts.get('protocols') ?? 'range').split(',').map((name) => ({
            name,
            metadata: encodeSubscription(topics),
          })),
          reason: null,
        });
      }
      case 'sync': {
        const assignments = (opts.get('assign') ?? '')
          .split(',')
          .filter((x) => x !== '')
          .map((x) => {
            const [alias, tp] = x.split(':');
            const [topic, parts] = tp!.split('/');
            const partitions = parts!.split('+').map(Number);
            return {
              memberId: this.id(alias!),
              assignment: encodeAssignment([{ topic: topic!, partitions }]),
            };
          });
        return this.send('SyncGroup', 5, {
          groupId,
          generationId: Number(opts.get('gen')),
          memberId: this.id(plain[1]!),
          groupInstanceId: opts.get('instance') ?? null,
          protocolType: null,
          protocolName: null,
          assignments,
        });
      }
      case 'heartbeat':
        return this.send('Heartbeat', 4, {
          groupId,
          generationId: Number(opts.get('gen')),
          memberId: this.id(plain[1]!),
          groupInstanceId: opts.get('instance') ?? null,
        });
      case 'leave':
        return this.send('LeaveGroup', 5, {
          groupId,
          members: [
            ...plain.slice(1).map((a) => ({ memberId: this.id(a), groupInstanceId: null, reason: null })),
            ...(opts.has('instance')
              ? [{ memberId: '', groupInstanceId: opts.get('instance')!, reason: null }]
              : []),
          ],
        });
      case 'commit': {
        const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint }[]>();
        for (const [k, v] of opts) {
          if (!k.includes('/')) continue;
          const [topic, p] = k.split('/');
          byTopic.set(topic!, [
            ...(byTopic.get(topic!) ?? []),
            { partitionIndex: Number(p), committedOffset: BigInt(v) },
          ]);
        }
        return this.send('OffsetCommit', 8, {
          groupId,
          generationIdOrMemberEpoch: Number(opts.get('gen') ?? -1),
          memberId: plain[1] === '-' || plain[1] === undefined ? '' : this.id(plain[1]),
          groupInstanceId: null,
          retentionTimeMs: -1n,
          topics: [...byTopic].map(([name, ps]) => ({
            name,
            partitions: ps.map((p) => ({
              ...p,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            })),
          })),
        });
      }
      case 'fetch':
        return this.send('OffsetFetch', 8, { requireStable: false, groups: [{ groupId, topics: null }] });
      case 'describe':
        return this.send('DescribeGroups', 5, { groups: [groupId], includeAuthorizedOperations: false });
      case 'delete':
        return this.send('DeleteGroups', 2, { groupsNames: plain });
      case 'advance':
        this.clock.advance(Number(plain[0]));
        return this.describe(this.coordinator.tick(this.clock.monotonicMs()));
      case 'restart': {
        this.coordinator = this.newCoordinator(2);
        const records = this.log.map((e) => groupRecordCodec.decode(e.record));
        return this.describe(this.coordinator.loadFrom(0, records));
      }
      default:
        throw new Error(`unknown trace command ${cmd}`);
    }
  }

  private send<A extends GroupApi>(api: A, apiVersion: number, request: GroupApis[A]['request']): string[] {
    const requestId = ++this.requestId;
    const input = { api, context: { requestId, apiVersion, clientId: 'c', clientHost: '/h' }, request };
    return this.describe(this.coordinator.handle(input as GroupRequest));
  }

  private id(alias: string): string {
    return this.ids.get(alias) ?? alias;
  }

  private alias(id: string | null): string {
    if (id === null) return 'null';
    if (id === '') return "''";
    let a = this.aliases.get(id);
    if (!a) {
      a = `m${this.aliases.size + 1}`;
      this.aliases.set(id, a);
      this.ids.set(a, id);
    }
    return a;
  }

  private describe(effects: GroupEffect[]): string[] {
    const lines: string[] = [];
    for (const e of effects) {
      if (e.type === 'append') {
        for (const r of e.records) {
          this.log.push({ partition: e.partition, record: groupRecordCodec.encode(r) });
          lines.push(`append ${this.record(r)}`);
        }
      } else {
        lines.push(`#${e.requestId} ${e.api} ${this.response(e.api, e.response)}`);
      }
    }
    return lines;
  }

  private record(r: GroupRecord): string {
    if (r.type === 'OffsetCommit') {
      const k = `${r.key.group} ${r.key.topic}/${r.key.partition}`;
      return r.value === null ? `OffsetCommit ${k} tombstone` : `OffsetCommit ${k}=${r.value.offset}`;
    }
    if (r.value === null) return `GroupMetadata ${r.key.group} tombstone`;
    const v = r.value;
    const members = v.members.map((m) => `${this.alias(m.memberId)}${this.assignment(m.assignment)}`);
    return `GroupMetadata ${r.key.group} gen=${v.generation} protocol=${v.protocol} leader=${this.alias(v.leader)} members=[${members.join(' ')}]`;
  }

  private assignment(b: Buffer): string {
    const tps = decodeAssignment(b);
    return tps.length === 0 ? '' : `:${tps.map((tp) => `${tp.topic}/${tp.partitions.join('+')}`).join(',')}`;
  }

  private response(api: GroupApi, r: unknown): string {
    const err = (code: number) => (code === 0 ? 'ok' : errorInfo(code).name);
    switch (api) {
      case 'JoinGroup': {
        const j = r as GroupApis['JoinGroup']['response'];
        if (j.errorCode !== 0) return `${err(j.errorCode)} member=${this.alias(j.memberId)}`;
        const members =
          j.members.length > 0 ? ` members=[${j.members.map((m) => this.alias(m.memberId)).join(' ')}]` : '';
        return `ok gen=${j.generationId} member=${this.alias(j.memberId)} leader=${this.alias(j.leader)} protocol=${j.protocolName}${members}${j.skipAssignment ? ' skipAssignment' : ''}`;
      }
      case 'SyncGroup': {
        const s = r as GroupApis['SyncGroup']['response'];
        return `${err(s.errorCode)}${this.assignment(s.assignment)}`;
      }
      case 'Heartbeat':
        return err((r as GroupApis['Heartbeat']['response']).errorCode);
      case 'LeaveGroup': {
        const l = r as GroupApis['LeaveGroup']['response'];
        return `${err(l.errorCode)} [${l.members.map((m) => `${this.alias(m.memberId)}:${err(m.errorCode)}`).join(' ')}]`;
      }
      case 'OffsetCommit': {
        const c = r as GroupApis['OffsetCommit']['response'];
        return c.topics
          .flatMap((t) => t.partitions.map((p) => `${t.name}/${p.partitionIndex}:${err(p.errorCode)}`))
          .join(' ');
      }
      case 'OffsetFetch': {
        const g = (r as GroupApis['OffsetFetch']['response']).groups[0]!;
        const offs = g.topics.flatMap((t) =>
          t.partitions.map((p) => `${t.name}/${p.partitionIndex}=${p.committedOffset}`),
        );
        return `${err(g.errorCode)} [${offs.join(' ')}]`;
      }
      case 'DescribeGroups': {
        const g = (r as GroupApis['DescribeGroups']['response']).groups[0]!;
        return `${err(g.errorCode)} ${g.groupState} protocol=${g.protocolData || '-'} members=[${g.members.map((m) => this.alias(m.memberId)).join(' ')}]`;
      }
      case 'DeleteGroups':
        return (r as GroupApis['DeleteGroups']['response']).results
          .map((x) => `${x.groupId}:${err(x.errorCode)}`)
          .join(' ');
      default:
        return JSON.stringify(r);
    }
  }
}
