/**
 * Bootstrap through Mainline DHT slots, so nodes that share only a network name find each other.
 *
 * Each poll reads the 16 slots of the network in parallel. A slot naming a peer this node does not
 * know yet is dialed (a catalog sync, which authenticates the peer); one naming an unreachable peer,
 * a record older than `dhtRecordTtl`, or nothing at all may be replaced. A node holding no slot
 * claims a random replaceable one with compare-and-swap and reads it back to confirm; a node
 * holding one refreshes it before it goes stale or when its addresses change. Polls run every
 * `dhtFastPoll` while the catalog is empty and every `dhtSlowPoll` after, plus up to a third as
 * jitter so nodes started together do not poll in lockstep.
 */
import type { PeerId } from '../../network/identity.ts'
import type { Network } from '../../network/network.ts'
import type { Logger } from '../../primitives/logger.ts'
import type { Catalog } from '../catalog.ts'
import type { DiscoveryConfig } from '../config.ts'
import { Timers } from '../timers.ts'
import { DhtClient, type SlotState } from './client.ts'
import { type SlotKey, type SlotRecord, slotKeys } from './slots.ts'

/** What discovery lends the DHT bootstrap. */
export interface DhtHost {
  readonly network: Network
  readonly config: DiscoveryConfig
  readonly logger: Logger
  catalog(): Catalog
  /** Catalog sync with each address; resolves with the PeerIds reached. */
  dial(...addresses: string[]): Promise<PeerId[]>
}

/** How a slot looked at the last poll. */
export type SlotStatus = 'empty' | 'stale' | 'mine' | 'known' | 'reached' | 'unreachable'

export interface SlotReport {
  readonly index: number
  readonly status: SlotStatus
  readonly record: SlotRecord | undefined
}

export class DhtBootstrap {
  readonly #host: DhtHost
  readonly #bootstrap: 'public' | readonly string[]
  readonly #slots: SlotKey[]
  readonly #timers = new Timers()
  /** Peers that could not be reached, and until when they count as unreachable. */
  readonly #unreachable = new Map<PeerId, number>()
  #client: DhtClient | undefined
  #report: SlotReport[] = []
  readonly #claims: boolean
  #published: { index: number; addresses: string } | undefined
  #closed = false

  /** `claim: false` only reads the slots (an observer never advertises itself). */
  constructor(host: DhtHost, bootstrap: 'public' | readonly string[], options: { claim?: boolean } = {}) {
    this.#host = host
    this.#bootstrap = bootstrap
    this.#claims = options.claim ?? true
    this.#slots = slotKeys(host.network.networkId)
  }

  /** The slots as seen by the last poll. */
  get slots(): readonly SlotReport[] {
    return this.#report
  }

  /** `host:port` of this node's DHT socket, once started. */
  get address(): string | undefined {
    return this.#client?.address
  }

  /** Joins the DHT and starts polling; does not wait for the DHT (the public one can be slow). */
  async start(): Promise<void> {
    const loopbackOnly = this.#host.network.addresses.every((a) => a.startsWith('/ip4/127.'))
    const client = await DhtClient.start({
      bootstrap: this.#bootstrap,
      host: loopbackOnly ? '127.0.0.1' : '0.0.0.0',
      readyTimeout: this.#host.config.requestTimeout,
    })
    if (this.#closed) {
      await client.close()
      return
    }
    this.#client = client
    this.#schedule(0)
  }

  /** Stops polling and leaves the DHT. */
  async close(): Promise<void> {
    this.#closed = true
    this.#timers.clear()
    await this.#client?.close()
  }

  #schedule(delay: number): void {
    this.#timers.after(delay, () => {
      void this.#poll()
        .catch((err: unknown) => this.#host.logger.debug({ err }, 'dht poll failed'))
        .finally(() => {
          if (this.#closed) return
          const { dhtFastPoll, dhtSlowPoll } = this.#host.config
          const base = this.#host.catalog().size === 0 ? dhtFastPoll : dhtSlowPoll
          this.#schedule(base + Math.random() * (base / 3))
        })
    })
  }

  async #poll(): Promise<void> {
    const client = this.#client
    if (!client || this.#closed) return
    const states = await Promise.all(this.#slots.map((slot) => client.read(slot)))
    const report = await Promise.all(states.map((state) => this.#classify(state)))
    this.#report = report
    if (!this.#claims) return
    const mine = report.find((r) => r.status === 'mine')
    if (mine) await this.#refresh(client, states[mine.index] as SlotState)
    else await this.#claim(client, report, states)
    this.#forgetOldFailures()
  }

  async #classify(state: SlotState): Promise<SlotReport> {
    const { index, record } = state
    const self = this.#host.network.peerId
    if (!record) return { index, record, status: 'empty' }
    if (record.peerId === self) return { index, record, status: 'mine' }
    if (Date.now() - record.at > this.#host.config.dhtRecordTtl) return { index, record, status: 'stale' }
    if (this.#host.catalog().has(record.peerId)) return { index, record, status: 'known' }
    if ((this.#unreachable.get(record.peerId) ?? 0) > Date.now())
      return { index, record, status: 'unreachable' }
    const addresses = record.addresses.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${record.peerId}`))
    const reached = await this.#host.dial(...addresses)
    if (reached.includes(record.peerId)) return { index, record, status: 'reached' }
    this.#unreachable.set(record.peerId, Date.now() + this.#host.config.dhtSlowPoll)
    return { index, record, status: 'unreachable' }
  }

  /** Republishes the held slot before it goes stale, or when this node's addresses changed. */
  async #refresh(client: DhtClient, state: SlotState): Promise<void> {
    const addresses = this.#advertised()
    const age = Date.now() - (state.record?.at ?? 0)
    const changed = this.#published?.index !== state.index || this.#published.addresses !== addresses.join()
    if (!changed && age < this.#host.config.dhtRecordTtl / 2) return
    await this.#write(client, state, addresses)
  }

  /** Takes a random empty, stale or unreachable slot (compare-and-swap), then reads it back. */
  async #claim(
    client: DhtClient,
    report: readonly SlotReport[],
    states: readonly SlotState[],
  ): Promise<void> {
    const free = report.filter(
      (r) => r.status === 'empty' || r.status === 'stale' || r.status === 'unreachable',
    )
    if (free.length === 0) return
    const pick = free[Math.floor(Math.random() * free.length)] as SlotReport
    await this.#write(client, states[pick.index] as SlotState, this.#advertised())
  }

  async #write(client: DhtClient, state: SlotState, addresses: string[]): Promise<void> {
    const slot = this.#slots[state.index] as SlotKey
    const record = { peerId: this.#host.network.peerId, addresses, at: Date.now() }
    const stored = await client.write(slot, record, state.seq)
    const back = stored ? await client.read(slot) : undefined
    if (back?.record?.peerId === record.peerId) {
      this.#published = { index: state.index, addresses: addresses.join() }
      this.#report = this.#report.map((r) =>
        r.index === state.index ? { index: r.index, record, status: 'mine' } : r,
      )
      this.#host.logger.debug({ slot: state.index }, 'holding a dht slot')
    }
  }

  /** Addresses worth publishing: routable ones first; loopback only when there is nothing else. */
  #advertised(): string[] {
    const all = this.#host.catalog().local.addresses
    const routable = all.filter((a) => !a.startsWith('/ip4/127.') && !a.startsWith('/ip6/::1/'))
    return routable.length > 0 ? routable : [...all]
  }

  #forgetOldFailures(): void {
    const now = Date.now()
    for (const [peer, until] of this.#unreachable) if (until <= now) this.#unreachable.delete(peer)
  }
}
