/**
 * The fault model of a cluster's switch: which directed host-to-host links drop all IP traffic and
 * which drop a random share of it, rendered as one nftables ruleset for the bridge namespace.
 *
 * Rules match the bridge ports a frame enters and leaves by (`iifname`/`oifname`), so they apply to
 * every IP protocol and need no knowledge of addresses. Only IPv4/IPv6 frames are dropped: ARP
 * still flows, which keeps a one-way block one-way (otherwise the blocked side's ARP replies would
 * be lost and the other direction would fail too) and lets a healed link work at once. The whole
 * table is replaced in one `nft -f` transaction, so a change never leaves a half-applied state.
 */
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'

/** nftables table (in the bridge namespace) that holds every rule of the harness. */
export const FAULT_TABLE = 'mzf_faults'
/** Loss probabilities are rendered with this resolution (1 / 1,000,000). */
const LOSS_SCALE = 1_000_000

/** One directed link between two hosts, by host index. */
export interface Link {
  from: number
  to: number
}

/** A snapshot of the faults in force, for logs and assertions. */
export interface LinkFaultSnapshot {
  blocked: Link[]
  loss: Array<Link & { probability: number }>
}

const key = (from: number, to: number): string => `${from}>${to}`

function parseKey(k: string): Link {
  const [from, to] = k.split('>').map(Number)
  return { from: from as number, to: to as number }
}

function byLink(a: Link, b: Link): number {
  return a.from - b.from || a.to - b.to
}

/** Mutable set of link faults; `render()` turns it into an nftables script. */
export class LinkFaults {
  readonly #blocked = new Set<string>()
  readonly #loss = new Map<string, number>()

  /** Drops every IP packet sent from `from` to `to` (one direction only). */
  block(from: number, to: number): void {
    if (from !== to) this.#blocked.add(key(from, to))
  }

  unblock(from: number, to: number): void {
    this.#blocked.delete(key(from, to))
  }

  /** Drops each IP packet from `from` to `to` with `probability`; 0 removes the rule. */
  setLoss(from: number, to: number, probability: number): void {
    if (!Number.isFinite(probability) || probability < 0 || probability > 1) {
      throw new InvalidInputError(`loss probability must be within [0, 1], got ${probability}`)
    }
    if (from === to) return
    if (probability === 0) this.#loss.delete(key(from, to))
    else this.#loss.set(key(from, to), probability)
  }

  /** Removes every block and every loss rule. */
  clear(): void {
    this.#blocked.clear()
    this.#loss.clear()
  }

  snapshot(): LinkFaultSnapshot {
    return {
      blocked: [...this.#blocked].map(parseKey).sort(byLink),
      loss: [...this.#loss].map(([k, probability]) => ({ ...parseKey(k), probability })).sort(byLink),
    }
  }

  /**
   * The nftables script that replaces the fault table. `port(i)` names the bridge port of host i.
   * The leading `table …{}` makes the `delete` valid even when the table does not exist yet.
   */
  render(port: (host: number) => string): string {
    const { blocked, loss } = this.snapshot()
    const blockedKeys = new Set(blocked.map((l) => key(l.from, l.to)))
    const match = (l: Link): string =>
      `iifname "${port(l.from)}" oifname "${port(l.to)}" meta protocol { ip, ip6 }`
    const rules = [
      ...blocked.map((l) => `${match(l)} drop`),
      ...loss
        .filter((l) => !blockedKeys.has(key(l.from, l.to)))
        .map(
          (l) =>
            `${match(l)} numgen random mod ${LOSS_SCALE} < ${Math.round(l.probability * LOSS_SCALE)} drop`,
        ),
    ]
    return [
      `table bridge ${FAULT_TABLE} {}`,
      `delete table bridge ${FAULT_TABLE}`,
      `table bridge ${FAULT_TABLE} {`,
      '  chain links {',
      '    type filter hook forward priority 0; policy accept;',
      ...rules.map((rule) => `    ${rule}`),
      '  }',
      '}',
      '',
    ].join('\n')
  }
}
