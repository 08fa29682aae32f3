/**
 * A cluster of "hosts" on one machine: each host is a network namespace with one veth interface
 * into a bridge that lives in a namespace of its own, so nothing touches the root namespace and
 * the 10.x addresses exist only inside the cluster. Faults are applied at the bridge: partitions
 * (two-way, one-way), random packet loss per directed link, and link down/up. Processes started on
 * hosts are killed and every namespace is deleted on `close()`; an exit hook does the same if the
 * test process ends without closing, and `sweepStaleNamespaces()` (run by every `create`) removes
 * what a crashed run left behind.
 *
 * Typical use:
 * ```ts
 * await using cluster = await Cluster.create({ hosts: 5 })
 * const nodes = cluster.hosts.map((h) => h.spawnNode('test/fault/fixtures/node.ts', [h.address]))
 * await cluster.partition([cluster.hosts[0]], cluster.hosts.slice(1))
 * await cluster.heal()
 * ```
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'
import { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { requireFaultCapability } from './capability.ts'
import { type CommandOutput, type RunOptions, run } from './exec.ts'
import type { Message } from './lines.ts'
import { type Link, LinkFaults } from './link-faults.ts'
import { deleteNamespace, runPrefix, sweepStaleNamespaces } from './netns.ts'
import {
  type ManagedProcess,
  nodeSpec,
  type ProcessOptions,
  ProcessSet,
  type ProcessSpec,
} from './process.ts'

export interface ClusterOptions {
  /** How many hosts (named `n1`…`nN`), or their names (lowercase letters and digits, ≤ 8 chars). */
  hosts: number | readonly string[]
  /** The /24 the hosts live in, as its first three octets; must be in 10.0.0.0/8. Default `10.77.0`. */
  subnet?: string
}

/** A host, or its name. */
export type HostRef = Host | string

/** Faults in force, by host name. */
export interface ClusterFaults {
  blocked: Array<{ from: string; to: string }>
  loss: Array<{ from: string; to: string; probability: number }>
  linksDown: string[]
}

const HOST_NAME = /^[a-z][a-z0-9]{0,7}$/
const SUBNET = /^10\.(\d{1,3})\.(\d{1,3})$/
const MAX_HOSTS = 250

/** Clusters not yet closed, cleaned up synchronously if the process exits without closing them. */
const openClusters = new Set<Cluster>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const cluster of openClusters) cluster.destroySync()
  })
}

/** One namespace of the cluster, with its address on the cluster's /24. */
export class Host {
  /** Position in `cluster.hosts` (0-based); its address ends in `index + 1`. */
  readonly index: number
  readonly name: string
  /** The network namespace (`ip netns exec <namespace> …`). */
  readonly namespace: string
  /** IPv4 address of its `eth0`, e.g. `10.77.0.1`. */
  readonly address: string
  readonly #processes: ProcessSet

  constructor(index: number, name: string, namespace: string, address: string, processes: ProcessSet) {
    this.index = index
    this.name = name
    this.namespace = namespace
    this.address = address
    this.#processes = processes
  }

  /** Runs a short command inside the host and returns its output (SubprocessError on failure). */
  exec(command: string, args: readonly string[] = [], options?: RunOptions): Promise<CommandOutput> {
    return run('ip', ['netns', 'exec', this.namespace, command, ...args], options)
  }

  /** Starts a long-running process inside the host; the cluster kills it on close. */
  spawn<M extends Message = Message>(
    spec: Omit<ProcessSpec, 'namespace'>,
    options?: ProcessOptions,
  ): ManagedProcess<M> {
    return this.#processes.spawn<M>({ name: this.name, ...spec, namespace: this.namespace }, options)
  }

  /**
   * Starts `node --conditions=mosaik-source <script> …args` (the test's Node 24) inside the host.
   * The process is named after the host unless `spec.name` says otherwise.
   */
  spawnNode<M extends Message = Message>(
    script: string,
    args: readonly string[] = [],
    spec: Partial<Omit<ProcessSpec, 'command' | 'args' | 'namespace'>> = {},
    options?: ProcessOptions,
  ): ManagedProcess<M> {
    return this.spawn<M>(nodeSpec(script, args, { name: this.name, ...spec }), options)
  }

  toString(): string {
    return `${this.name}(${this.address})`
  }
}

/** Hosts in network namespaces joined by a bridge, with partitions, loss and link faults. */
export class Cluster implements AsyncDisposable {
  readonly hosts: readonly Host[]
  /** Namespace holding the bridge (`br0`) and the fault rules. */
  readonly bridgeNamespace: string
  /** Common prefix of every namespace of this cluster. */
  readonly prefix: string
  readonly #processes: ProcessSet
  readonly #faults = new LinkFaults()
  readonly #linksDown = new Set<number>()
  readonly #lifecycle = new Lifecycle()
  /** Fault changes apply one at a time, in call order. */
  #applying: Promise<void> = Promise.resolve()

  private constructor(prefix: string, hosts: readonly Host[], processes: ProcessSet) {
    this.prefix = prefix
    this.bridgeNamespace = `${prefix}-br`
    this.hosts = hosts
    this.#processes = processes
    this.#lifecycle.defer(() => this.#destroy())
    this.#lifecycle.defer(() => this.#processes.close())
  }

  /**
   * Creates the namespaces, the bridge and one veth per host. Throws UnsupportedError (with the
   * reason) when the machine cannot, and removes whatever it created if a step fails.
   */
  static async create(options: ClusterOptions): Promise<Cluster> {
    const names = hostNames(options.hosts)
    const subnet = parseSubnet(options.subnet ?? '10.77.0')
    await requireFaultCapability()
    await sweepStaleNamespaces()
    const prefix = `${runPrefix()}-${randomBytes(3).toString('hex')}`
    const processes = new ProcessSet()
    const hosts = names.map(
      (name, index) => new Host(index, name, `${prefix}-${name}`, `${subnet}.${index + 1}`, processes),
    )
    const cluster = new Cluster(prefix, hosts, processes)
    openClusters.add(cluster)
    installExitHook()
    try {
      await cluster.#build()
    } catch (err) {
      await cluster.close()
      throw err
    }
    return cluster
  }

  /** Looks a host up by name (or returns the host given). */
  host(ref: HostRef): Host {
    if (typeof ref !== 'string') {
      if (this.hosts[ref.index] !== ref) throw new InvalidInputError(`${ref} is not a host of this cluster`)
      return ref
    }
    const found = this.hosts.find((h) => h.name === ref)
    if (!found)
      throw new InvalidInputError(
        `no host named '${ref}' (hosts: ${this.hosts.map((h) => h.name).join(', ')})`,
      )
    return found
  }

  /**
   * Cuts every link between hosts of different groups, both ways. Hosts named in no group keep
   * their links. Adds to faults already in force; `heal()` removes them.
   */
  async partition(...groups: ReadonlyArray<readonly HostRef[]>): Promise<void> {
    const resolved = groups.map((group) => group.map((ref) => this.host(ref)))
    return this.#change(() => {
      for (const [i, a] of resolved.entries()) {
        for (const [j, b] of resolved.entries()) {
          if (i !== j) for (const x of a) for (const y of b) this.#faults.block(x.index, y.index)
        }
      }
    })
  }

  /** Isolates one host from all others (both directions). */
  async isolate(ref: HostRef): Promise<void> {
    const host = this.host(ref)
    return this.partition(
      [host],
      this.hosts.filter((h) => h !== host),
    )
  }

  /** One-way partition: IP packets from any of `from` to any of `to` are dropped; replies still flow. */
  async block(from: HostRef | readonly HostRef[], to: HostRef | readonly HostRef[]): Promise<void> {
    return this.#change(() => {
      for (const link of this.#links(from, to)) this.#faults.block(link.from, link.to)
    })
  }

  /** Removes a one-way block (does not touch the opposite direction). */
  async unblock(from: HostRef | readonly HostRef[], to: HostRef | readonly HostRef[]): Promise<void> {
    return this.#change(() => {
      for (const link of this.#links(from, to)) this.#faults.unblock(link.from, link.to)
    })
  }

  /**
   * Drops each IP packet on the selected directed links with `probability` (0 removes the loss).
   * Without `from`/`to`, every link in the cluster. Loss of one host's traffic in both directions:
   * `setLoss(p, { from: h })` and `setLoss(p, { to: h })`.
   */
  async setLoss(
    probability: number,
    links: { from?: HostRef | readonly HostRef[]; to?: HostRef | readonly HostRef[] } = {},
  ): Promise<void> {
    const selected = this.#links(links.from ?? this.hosts, links.to ?? this.hosts)
    return this.#change(() => {
      for (const link of selected) this.#faults.setLoss(link.from, link.to, probability)
    })
  }

  /** Takes the host's bridge port down: it loses carrier and all traffic, ARP included. */
  async linkDown(ref: HostRef): Promise<void> {
    const host = this.host(ref)
    return this.#serialize(async () => {
      await this.#bridgeIp(['link', 'set', portName(host.index), 'down'])
      this.#linksDown.add(host.index)
    })
  }

  /** Brings the host's bridge port back up. */
  async linkUp(ref: HostRef): Promise<void> {
    const host = this.host(ref)
    return this.#serialize(async () => {
      await this.#bridgeIp(['link', 'set', portName(host.index), 'up'])
      this.#linksDown.delete(host.index)
    })
  }

  /** Removes every fault: partitions, one-way blocks, loss, and links that are down. */
  async heal(): Promise<void> {
    return this.#serialize(async () => {
      this.#faults.clear()
      await this.#applyRules()
      for (const index of [...this.#linksDown].sort((a, b) => a - b)) {
        await this.#bridgeIp(['link', 'set', portName(index), 'up'])
        this.#linksDown.delete(index)
      }
    })
  }

  /** The faults in force, by host name. */
  faults(): ClusterFaults {
    const named = (l: Link) => ({ from: this.#name(l.from), to: this.#name(l.to) })
    const { blocked, loss } = this.#faults.snapshot()
    return {
      blocked: blocked.map(named),
      loss: loss.map((l) => ({ ...named(l), probability: l.probability })),
      linksDown: [...this.#linksDown].sort((a, b) => a - b).map((i) => this.#name(i)),
    }
  }

  /** Kills every process started on the hosts and deletes every namespace. Idempotent. */
  close(): Promise<void> {
    return this.#lifecycle.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** Exit-hook cleanup: synchronous, best effort. Not for normal use; call `close()`. */
  destroySync(): void {
    for (const child of this.#processes.running) child.signal('SIGKILL')
    for (const namespace of this.#namespaces()) {
      try {
        execFileSync('ip', ['netns', 'delete', namespace], { stdio: 'ignore' })
      } catch {
        // already gone, or the sweep of a later run will remove it
      }
    }
    openClusters.delete(this)
  }

  async #build(): Promise<void> {
    await ipBatch(
      undefined,
      this.#namespaces().map((ns) => `netns add ${ns}`),
    )
    await ipBatch(this.bridgeNamespace, ['link set lo up', 'link add br0 type bridge', 'link set br0 up'])
    for (const host of this.hosts) {
      await ipBatch(host.namespace, [
        'link set lo up',
        `link add eth0 type veth peer name ${portName(host.index)} netns ${this.bridgeNamespace}`,
        `addr add ${host.address}/24 dev eth0`,
        'link set eth0 up',
      ])
    }
    await ipBatch(
      this.bridgeNamespace,
      this.hosts.flatMap((h) => [
        `link set ${portName(h.index)} master br0`,
        `link set ${portName(h.index)} up`,
      ]),
    )
    await this.#applyRules()
  }

  async #destroy(): Promise<void> {
    // Hosts first (killing what still runs inside), the bridge namespace last.
    for (const namespace of this.#namespaces().reverse()) await deleteNamespace(namespace)
    openClusters.delete(this)
  }

  #namespaces(): string[] {
    return [this.bridgeNamespace, ...this.hosts.map((h) => h.namespace)]
  }

  #links(from: HostRef | readonly HostRef[], to: HostRef | readonly HostRef[]): Link[] {
    const list = (refs: HostRef | readonly HostRef[]): Host[] =>
      (Array.isArray(refs) ? (refs as readonly HostRef[]) : [refs as HostRef]).map((r) => this.host(r))
    const targets = list(to)
    return list(from).flatMap((a) =>
      targets.filter((b) => b !== a).map((b) => ({ from: a.index, to: b.index })),
    )
  }

  #name(index: number): string {
    return (this.hosts[index] as Host).name
  }

  /** Changes the model and applies the new ruleset (serialized with every other fault change). */
  #change(mutate: () => void): Promise<void> {
    return this.#serialize(async () => {
      mutate()
      await this.#applyRules()
    })
  }

  #serialize(step: () => Promise<void>): Promise<void> {
    this.#lifecycle.assertOpen('cluster')
    const next = this.#applying.then(step)
    this.#applying = next.catch(() => {})
    return next
  }

  async #applyRules(): Promise<void> {
    await run('ip', ['netns', 'exec', this.bridgeNamespace, 'nft', '-f', '-'], {
      input: this.#faults.render(portName),
    })
  }

  async #bridgeIp(args: readonly string[]): Promise<void> {
    await run('ip', ['-n', this.bridgeNamespace, ...args])
  }
}

/** Name of host i's port on the bridge (inside the bridge namespace, so short names suffice). */
function portName(index: number): string {
  return `h${index}`
}

/** Runs several `ip` commands in one process, inside `namespace` if given. */
async function ipBatch(namespace: string | undefined, commands: readonly string[]): Promise<void> {
  const args = namespace === undefined ? ['-batch', '-'] : ['-n', namespace, '-batch', '-']
  await run('ip', args, { input: `${commands.join('\n')}\n` })
}

function hostNames(hosts: ClusterOptions['hosts']): string[] {
  const names =
    typeof hosts === 'number'
      ? Array.from({ length: Number.isSafeInteger(hosts) && hosts > 0 ? hosts : 0 }, (_, i) => `n${i + 1}`)
      : [...hosts]
  if (names.length === 0 || names.length > MAX_HOSTS) {
    throw new InvalidInputError(`a cluster has 1 to ${MAX_HOSTS} hosts, got ${String(hosts)}`)
  }
  for (const name of names) {
    if (!HOST_NAME.test(name) || name === 'br') {
      throw new InvalidInputError(
        `host name '${name}' must be 1–8 lowercase letters/digits starting with a letter, not 'br'`,
      )
    }
  }
  if (new Set(names).size !== names.length)
    throw new InvalidInputError(`duplicate host names in ${names.join(', ')}`)
  return names
}

function parseSubnet(subnet: string): string {
  const match = SUBNET.exec(subnet)
  if (!match || Number(match[1]) > 255 || Number(match[2]) > 255) {
    throw new InvalidInputError(`subnet must look like '10.x.y' (a /24 inside 10.0.0.0/8), got '${subnet}'`)
  }
  return subnet
}
