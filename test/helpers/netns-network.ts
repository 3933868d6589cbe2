import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

/**
 * A network of Linux network namespaces for chaos tests: one namespace per node (each broker, and
 * etcd), each joined to one bridge in the root namespace by a veth pair, with an address
 * 10.a.b.n/24 of a subnet no interface of the machine uses. The test process reaches every node
 * from the root namespace through the bridge (10.a.b.1); nodes reach each other through it too.
 *
 * Faults: `isolate` sets a node's veth down (it reaches nothing and nothing reaches it), `cut`
 * drops traffic between two nodes only (a blackhole route in each namespace, so the rest of the
 * network still works: a partial partition), `delay` adds tc netem delay and loss when the kernel
 * has sch_netem. `heal` undoes all of them for a node.
 *
 * Names carry this process's pid (`strom-chaos-<pid>-<n>-<node>` for namespaces, `sc<pid>_<n>...`
 * for links), so that `cleanStale` removes only what a crashed earlier run of this harness left and
 * never what a live run (of another test process) uses. `close`, and an exit hook if a test never
 * reaches it, delete every namespace, link and the bridge and kill what still runs inside.
 * Needs root (CAP_NET_ADMIN): `netnsUnavailable()` says why not, for a test to skip with.
 */

export const NETNS_PREFIX = 'strom-chaos-';
const LINK_PREFIX = 'sc';

/** Networks not closed yet, torn down when the test process exits whatever the way. */
const open = new Set<NetnsNetwork>();
process.once('exit', () => {
  for (const n of open) n.closeSync();
});

let created = 0;

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryIp(args: readonly string[]): boolean {
  try {
    ip(args);
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Null when namespaces can be made here, else the reason (for a test's skip message). */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  try {
    ip(['netns', 'list']);
  } catch (err) {
    return `ip netns does not work here: ${(err as Error).message}`;
  }
  return null;
}

/** Kills the processes left in namespaces and deletes the namespaces and links of dead runs. */
export function cleanStale(): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^strom-chaos-(\d+)-/.exec(name);
    if (!m || pidAlive(Number(m[1]))) continue;
    killInside(name);
    tryIp(['netns', 'delete', name]);
  }
  for (const line of ip(['-o', 'link', 'show']).split('\n')) {
    const m = /^\d+:\s+(sc([0-9a-z]+)_[0-9a-z]+)[@:]/.exec(line);
    if (!m || pidAlive(Number.parseInt(m[2]!, 36))) continue;
    tryIp(['link', 'delete', m[1]!]);
  }
}

function killInside(ns: string): void {
  let pids: string;
  try {
    pids = ip(['netns', 'pids', ns]);
  } catch {
    return;
  }
  for (const p of pids.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** A subnet 10.a.b.0/24 with no address of this machine in it. */
function freeSubnet(): string {
  const used = ip(['-o', '-4', 'addr', 'show']);
  for (;;) {
    const subnet = `10.${randomInt(200, 250)}.${randomInt(0, 255)}`;
    if (!used.includes(` ${subnet}.`)) return subnet;
  }
}

interface NodeLinks {
  namespace: string;
  /** The veth end in the root namespace, on the bridge: setting it down isolates the node. */
  hostLink: string;
  /** The veth end inside the namespace. */
  nodeLink: string;
  address: string;
  /** Nodes this one has blackhole routes to (see `cut`). */
  cutFrom: Set<string>;
  delayed: boolean;
}

export class NetnsNetwork {
  private readonly nodes = new Map<string, NodeLinks>();
  private closed = false;

  private constructor(
    private readonly tag: string,
    readonly subnet: string,
    private readonly bridge: string,
  ) {}

  /** Creates the bridge and one namespace per node name (after removing stale ones of dead runs). */
  static create(nodeNames: readonly string[]): NetnsNetwork {
    const why = netnsUnavailable();
    if (why) throw new Error(why);
    if (nodeNames.length > 200) throw new Error('at most 200 nodes');
    cleanStale();
    const tag = `${process.pid.toString(36)}_${(created++).toString(36)}`;
    const net = new NetnsNetwork(tag, freeSubnet(), `${LINK_PREFIX}${tag}b`);
    open.add(net);
    try {
      ip(['link', 'add', net.bridge, 'type', 'bridge']);
      ip(['addr', 'add', `${net.gateway}/24`, 'dev', net.bridge]);
      ip(['link', 'set', net.bridge, 'up']);
      nodeNames.forEach((name, i) => {
        net.addNode(name, i + 2);
      });
    } catch (err) {
      net.closeSync();
      throw err;
    }
    return net;
  }

  /** The bridge's address: where the test process's connections come from. */
  get gateway(): string {
    return `${this.subnet}.1`;
  }

  private addNode(name: string, host: number): void {
    const namespace = `${NETNS_PREFIX}${process.pid}-${this.tag.split('_')[1]}-${name}`;
    const hostLink = `${LINK_PREFIX}${this.tag}h${host}`;
    const nodeLink = `${LINK_PREFIX}${this.tag}n${host}`;
    const address = `${this.subnet}.${host}`;
    ip(['netns', 'add', namespace]);
    this.nodes.set(name, { namespace, hostLink, nodeLink, address, cutFrom: new Set(), delayed: false });
    ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nodeLink]);
    ip(['link', 'set', nodeLink, 'netns', namespace]);
    ip(['link', 'set', hostLink, 'master', this.bridge]);
    ip(['link', 'set', hostLink, 'up']);
    const inside = ['-n', namespace];
    ip([...inside, 'addr', 'add', `${address}/24`, 'dev', nodeLink]);
    ip([...inside, 'link', 'set', nodeLink, 'up']);
    ip([...inside, 'link', 'set', 'lo', 'up']);
  }

  private node(name: string): NodeLinks {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name} in the network`);
    return n;
  }

  /** The node's address, which its processes listen on and advertise. */
  address(name: string): string {
    return this.node(name).address;
  }

  /** The command prefix that runs a program inside the node's namespace (`ip netns exec` execs it, so the pid is the program's). */
  exec(name: string): string[] {
    return ['ip', 'netns', 'exec', this.node(name).namespace];
  }

  /** The node reaches nothing and nothing reaches it (its veth is down) until `heal`. */
  isolate(name: string): void {
    ip(['link', 'set', this.node(name).hostLink, 'down']);
  }

  /** Traffic between `a` and `b` is dropped both ways (blackhole routes), other paths still work. */
  cut(a: string, b: string): void {
    const [na, nb] = [this.node(a), this.node(b)];
    if (!na.cutFrom.has(b)) ip(['-n', na.namespace, 'route', 'add', 'blackhole', `${nb.address}/32`]);
    if (!nb.cutFrom.has(a)) ip(['-n', nb.namespace, 'route', 'add', 'blackhole', `${na.address}/32`]);
    na.cutFrom.add(b);
    nb.cutFrom.add(a);
  }

  /** Whether tc netem works on this kernel (sch_netem loaded or loadable). */
  netemAvailable(): boolean {
    const n = this.nodes.values().next().value as NodeLinks | undefined;
    if (!n) return false;
    if (!tryIp(['-n', n.namespace, 'link', 'show'])) return false;
    try {
      execFileSync(
        'tc',
        ['-n', n.namespace, 'qdisc', 'add', 'dev', n.nodeLink, 'root', 'netem', 'delay', '1ms'],
        {
          stdio: 'ignore',
        },
      );
      execFileSync('tc', ['-n', n.namespace, 'qdisc', 'del', 'dev', n.nodeLink, 'root'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  /** Delays (and drops `lossPercent` of) everything the node sends, with tc netem; throws without sch_netem. */
  delay(name: string, delayMs: number, lossPercent = 0): void {
    const n = this.node(name);
    const args = [
      '-n',
      n.namespace,
      'qdisc',
      n.delayed ? 'change' : 'add',
      'dev',
      n.nodeLink,
      'root',
      'netem',
    ];
    args.push('delay', `${delayMs}ms`);
    if (lossPercent > 0) args.push('loss', `${lossPercent}%`);
    execFileSync('tc', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    n.delayed = true;
  }

  /** Undoes `isolate`, `cut` and `delay` for the node. */
  heal(name: string): void {
    const n = this.node(name);
    ip(['link', 'set', n.hostLink, 'up']);
    for (const other of n.cutFrom) {
      const o = this.node(other);
      tryIp(['-n', n.namespace, 'route', 'del', 'blackhole', `${o.address}/32`]);
      tryIp(['-n', o.namespace, 'route', 'del', 'blackhole', `${n.address}/32`]);
      o.cutFrom.delete(name);
    }
    n.cutFrom.clear();
    if (n.delayed) {
      try {
        execFileSync('tc', ['-n', n.namespace, 'qdisc', 'del', 'dev', n.nodeLink, 'root'], {
          stdio: 'ignore',
        });
      } catch {
        // already gone
      }
      n.delayed = false;
    }
  }

  /** Heals every node. */
  healAll(): void {
    for (const name of this.nodes.keys()) this.heal(name);
  }

  /** Kills what still runs in the namespaces, deletes them (and their veths) and the bridge. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this);
    for (const n of this.nodes.values()) {
      killInside(n.namespace);
      tryIp(['netns', 'delete', n.namespace]);
      tryIp(['link', 'delete', n.hostLink]);
    }
    tryIp(['link', 'delete', this.bridge]);
  }
}
