/**
 * What a user-space proxy does to each packet in one direction: delay (fixed + uniform jitter),
 * loss, duplication and reordering, each decided with a (seedable) random source. The kernel here
 * has no netem, so these faults live in user space.
 */
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'
import type { Random } from '../../../runtime/testing/random.ts'

/** Faults for one direction of a proxy. Every field is optional; `{}` forwards untouched. */
export interface Impairment {
  /** Fixed delay added to every packet, in ms. */
  delayMs?: number
  /** Extra delay drawn uniformly from [0, jitterMs) per packet; large jitter also reorders. */
  jitterMs?: number
  /** Probability that a packet is dropped. */
  loss?: number
  /** Probability that a packet is sent twice (the copy draws its own jitter). */
  duplicate?: number
  /** Probability that a packet is held back by `reorderMs` so later ones overtake it. */
  reorder?: number
  /** Hold-back for reordered packets, in ms (default 20). */
  reorderMs?: number
}

/** What happens to one packet: the delays of its copies (none: dropped), and how it was chosen. */
export interface PacketPlan {
  delays: number[]
  dropped: boolean
  duplicated: boolean
  reordered: boolean
}

const DEFAULT_REORDER_MS = 20
const MAX_DELAY_MS = 10 * 60_000

/** Checks ranges and returns a normalized copy; throws InvalidInputError naming the bad field. */
export function validateImpairment(impairment: Impairment): Required<Impairment> {
  const probability = (name: keyof Impairment): number => {
    const value = impairment[name] ?? 0
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new InvalidInputError(`impairment.${name} must be a probability in [0, 1], got ${value}`)
    }
    return value
  }
  const millis = (name: keyof Impairment, fallback: number): number => {
    const value = impairment[name] ?? fallback
    if (!Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
      throw new InvalidInputError(`impairment.${name} must be within [0, ${MAX_DELAY_MS}] ms, got ${value}`)
    }
    return value
  }
  return {
    delayMs: millis('delayMs', 0),
    jitterMs: millis('jitterMs', 0),
    loss: probability('loss'),
    duplicate: probability('duplicate'),
    reorder: probability('reorder'),
    reorderMs: millis('reorderMs', DEFAULT_REORDER_MS),
  }
}

/** Decides the fate of one packet. Random draws happen in a fixed order, so a seed replays exactly. */
export function planPacket(impairment: Required<Impairment>, random: Random): PacketPlan {
  if (impairment.loss > 0 && random() < impairment.loss) {
    return { delays: [], dropped: true, duplicated: false, reordered: false }
  }
  const draw = (): number =>
    impairment.delayMs + (impairment.jitterMs > 0 ? random() * impairment.jitterMs : 0)
  let first = draw()
  const reordered = impairment.reorder > 0 && random() < impairment.reorder
  if (reordered) first += impairment.reorderMs
  const duplicated = impairment.duplicate > 0 && random() < impairment.duplicate
  return {
    delays: duplicated ? [first, draw()] : [first],
    dropped: false,
    duplicated,
    reordered,
  }
}
