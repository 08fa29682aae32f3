/** Ports of mosaik's tests/streams/smoke.rs. */
import { describe, expect, it } from 'vitest'
import { meshed, take, text, wait } from './helpers.ts'

describe('streams smoke', () => {
  it('send_recv: two consumers each receive 100 datums in order', async () => {
    const [n0, n1, n2] = await meshed(3)
    const producer = text.producer(n0!)
    const c1 = text.consumer(n1!)
    const c2 = text.consumer(n2!)
    await producer.when.subscribed({ min: 2 }, wait())
    const sent = Array.from({ length: 100 }, (_, i) => `datum-${i}`)
    for (const d of sent) await producer.send(d)
    expect(await take(c1, 100)).toEqual(sent)
    expect(await take(c2, 100)).toEqual(sent)
    expect(c1.stats.datums).toBe(100)
    expect(c2.stats.datums).toBe(100)
  })
})
