/**
 * The sender side of a run, the same for every system: the orchestrator asks for a throughput run
 * (send `count` datums as fast as back-pressure allows) or a paced one (`rate` per second, what is
 * due on each ~1 ms tick); the sender reports when it started, ended and how much CPU it used.
 */
import type { ParentChannel } from '../lib/child.ts'
import { pace, wallNow } from '../lib/clock.ts'
import { cpuMsSince } from './meter.ts'
import type { SenderIn, SenderOut } from './protocol.ts'

/** Sends the next `count` datums (numbered on from the previous call) and resolves when they are out. */
export type SendDue = (count: number) => Promise<void>

/** Serves runs forever; `sender()` makes a fresh sender (numbering from 0) for each run. */
export async function serveJobs(
  parent: ParentChannel<SenderIn, SenderOut>,
  sender: () => SendDue,
): Promise<void> {
  for (;;) {
    const job = await parent.receive(['throughput', 'paced'])
    const send = sender()
    const cpu = process.cpuUsage()
    let startedAt = wallNow()
    if (job.type === 'throughput') await send(job.count)
    else ({ startedAt } = await pace({ rate: job.rate, count: job.count, send }))
    parent.send({
      type: 'published',
      count: job.count,
      startedAt,
      endedAt: wallNow(),
      cpuMs: cpuMsSince(cpu),
    })
  }
}
