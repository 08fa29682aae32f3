/**
 * The receiving side's bookkeeping of one run: deliveries, order and one-way latency
 * (receiver `wallNow()` minus the `ts` the sender stamped into the datum).
 */

import type { ParentChannel } from '../lib/child.ts'
import { DeliveryCounter } from '../lib/delivery.ts'
import type { ReceiverIn, ReceiverOut } from './protocol.ts'

type Done = Extract<ReceiverOut, { type: 'done' }>

export class RunMeter {
  #expected = 0
  #counter = new DeliveryCounter(0, 0)
  #cpuAtStart = process.cpuUsage()
  #onDone: ((done: Done) => void) | undefined

  /** Starts a run; `onDone` gets the report once every expected datum arrived (or `report()`). */
  start(expected: number, warmup: number, onDone: (done: Done) => void): void {
    this.#expected = expected
    this.#counter = new DeliveryCounter(expected, warmup)
    this.#onDone = onDone
    this.#cpuAtStart = process.cpuUsage()
  }

  record(seq: number, ts: number): void {
    this.#counter.record(seq, ts)
    if (this.#counter.received === this.#expected) this.report()
  }

  /** Reports the run as it stands (once). */
  report(): void {
    const onDone = this.#onDone
    if (onDone === undefined) return
    this.#onDone = undefined
    const counter = this.#counter
    onDone({
      type: 'done',
      received: counter.received,
      lastReceiveAt: counter.lastAt,
      outOfOrder: counter.outOfOrder,
      latency: counter.latency(),
      cpuMs: cpuMsSince(this.#cpuAtStart),
    })
  }
}

/** Answers the orchestrator's `expect` (start a run) and `report` (report it now) forever. */
export async function serveRuns(
  parent: ParentChannel<ReceiverIn, ReceiverOut>,
  meter: RunMeter,
): Promise<void> {
  for (;;) {
    const message = await parent.receive(['expect', 'report'])
    if (message.type === 'report') {
      meter.report()
      continue
    }
    meter.start(message.expected, message.warmup, (done) => parent.send(done))
    parent.send({ type: 'expecting' })
  }
}

/** CPU time (user + system) in ms since `start` (a `process.cpuUsage()` reading). */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}
