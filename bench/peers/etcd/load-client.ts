/**
 * The etcd load process: `concurrency` async workers issuing puts (or linearizable single-key
 * ranges) of `valueBytes` values over a cycling key space, timed per call; and the failover probe,
 * which after the leader's SIGKILL fires one put every `intervalMs`, alternating between the
 * survivors, each with its own deadline, and reports the first success.
 */
import { randomBytes } from 'node:crypto'
import type { Etcd3 } from 'etcd3'
import { waitFor } from '../../../runtime/primitives/watch.ts'
import { type ParentChannel, runChild } from '../../lib/child.ts'
import { wallNow } from '../../lib/clock.ts'
import { LatencyRecorder } from '../../lib/latency.ts'
import { createClient } from './client.ts'
import type { FailoverJob, LoadClientIn, LoadClientOut, LoadJob } from './protocol.ts'

async function load(job: LoadJob): Promise<Extract<LoadClientOut, { type: 'loaded' }>> {
  const client = createClient(job.endpoints)
  try {
    const value = randomBytes(job.valueBytes)
    const recorder = new LatencyRecorder(1 << 16)
    let next = 0
    let ops = 0
    let errors = 0
    let firstError: string | undefined
    const call = (key: string): Promise<unknown> =>
      job.op === 'put' ? client.put(key).value(value).exec() : client.get(key).serializable(false).exec()
    // Seed the keys for reads, and open the channels before the clock starts.
    if (job.op === 'range') {
      for (let i = 0; i < job.keySpace; i += 256) {
        const batch = Array.from({ length: Math.min(256, job.keySpace - i) }, (_, k) =>
          client
            .put(`bench/${i + k}`)
            .value(value)
            .exec(),
        )
        await Promise.all(batch)
      }
    } else {
      await client.get('bench/0').exec()
    }
    const measureFrom = wallNow() + job.warmupMs
    const measureTo = measureFrom + job.durationMs
    const worker = async (): Promise<void> => {
      for (;;) {
        const started = wallNow()
        if (started >= measureTo) return
        const key = `bench/${next++ % job.keySpace}`
        try {
          await call(key)
        } catch (err) {
          errors++
          firstError ??= (err as Error).message
          continue
        }
        const ended = wallNow()
        if (ended >= measureFrom && ended <= measureTo) ops++
        if (started >= measureFrom) recorder.record(ended - started)
      }
    }
    await Promise.all(Array.from({ length: job.concurrency }, worker))
    const loaded: Extract<LoadClientOut, { type: 'loaded' }> = {
      type: 'loaded',
      ops,
      errors,
      measuredMs: job.durationMs,
      latency: recorder.summary() ?? null,
    }
    if (firstError !== undefined) loaded.firstError = firstError
    return loaded
  } finally {
    client.close()
  }
}

type Parent = ParentChannel<LoadClientIn, LoadClientOut>

async function failover(
  parent: Parent,
  job: FailoverJob,
): Promise<Extract<LoadClientOut, { type: 'failover-done' }>> {
  const clients: Etcd3[] = job.endpoints.map((endpoint) => createClient([endpoint]))
  let timer: NodeJS.Timeout | undefined
  try {
    // Open the survivors' channels first: the kill comes only after `failover-ready`.
    await Promise.all(clients.map((c) => c.get('bench/0').exec()))
    parent.send({ type: 'failover-ready' })
    await parent.receive('failover-go', { timeout: 60_000 })
    const value = randomBytes(128)
    const first = Promise.withResolvers<{ at: number; sentAt: number }>()
    let attempts = 0
    let errors = 0
    const fire = (): void => {
      const client = clients[attempts % clients.length] as Etcd3
      const sentAt = wallNow()
      attempts++
      client
        .put('bench/failover')
        .value(value)
        .options({ deadline: Date.now() + job.callDeadlineMs })
        .exec()
        .then(
          () => first.resolve({ at: wallNow(), sentAt }),
          () => {
            errors++
          },
        )
    }
    fire()
    timer = setInterval(fire, job.intervalMs)
    const success = await waitFor<{ at: number; sentAt: number }>({ timeout: job.giveUpMs }, (resolve) => {
      void first.promise.then(resolve)
      return () => undefined
    })
    return {
      type: 'failover-done',
      firstSuccessAt: success.at,
      firstSuccessSentAt: success.sentAt,
      attempts,
      errors,
    }
  } finally {
    clearInterval(timer)
    for (const client of clients) client.close()
  }
}

runChild<LoadClientIn, LoadClientOut>(async (parent) => {
  for (;;) {
    const job = await parent.receive(['load', 'failover-prepare'])
    parent.send(job.type === 'load' ? await load(job) : await failover(parent, job))
  }
})
