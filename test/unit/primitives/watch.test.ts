import { describe, expect, it } from 'vitest'
import { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { Watchable } from '../../../runtime/primitives/watch.ts'

describe('Watchable', () => {
  it('resolves immediately when the condition already holds, later when it becomes true', async () => {
    const w = new Watchable(1)
    await expect(w.when((v) => v >= 1)).resolves.toBe(1)
    const later = w.when((v) => v >= 3)
    w.set(2)
    w.set(3)
    await expect(later).resolves.toBe(3)
  })

  it('rejects on timeout and on abort with typed errors', async () => {
    const w = new Watchable(0)
    await expect(w.when((v) => v > 0, { timeout: 5 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    const controller = new AbortController()
    const pending = w.when((v) => v > 0, { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await expect(w.when(() => false, { signal: controller.signal })).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    })
  })

  it('rejects pending waits when closed and notifies only on real changes', async () => {
    const w = new Watchable('a')
    const seen: string[] = []
    w.subscribe((v) => seen.push(v))
    w.set('a')
    w.set('b')
    const pending = w.changed()
    w.close()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CLOSED' })
    w.set('c')
    expect(seen).toEqual(['b'])
    expect(w.value).toBe('b')
  })
})

describe('Lifecycle', () => {
  it('releases resources in reverse order, once, and aborts its signal', async () => {
    const life = new Lifecycle()
    const order: string[] = []
    life.defer(() => {
      order.push('first')
    })
    const child = life.child()
    child.defer(() => {
      order.push('child')
    })
    let fired = false
    life.setTimeout(() => {
      fired = true
    }, 60_000)
    life.setInterval(() => {}, 60_000)
    await Promise.all([life.close(), life.close()])
    expect(order).toEqual(['child', 'first'])
    expect(fired).toBe(false)
    expect(life.signal.aborted).toBe(true)
    expect(() => life.assertOpen('thing')).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }))
  })

  it('runs every cleanup even when one fails, then reports the failure', async () => {
    const life = new Lifecycle()
    let ran = false
    life.defer(() => {
      ran = true
    })
    life.defer(() => {
      throw new Error('boom')
    })
    await expect(life.close()).rejects.toThrow('boom')
    expect(ran).toBe(true)
  })
})
