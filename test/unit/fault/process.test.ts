import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { TimeoutError } from '../../../runtime/primitives/errors.ts'
import { scaled } from '../../../runtime/primitives/time.ts'
import { nodeSpec, ProcessSet } from '../../fault/harness/process.ts'

const CHATTY = 'test/fault/fixtures/chatty.ts'

type Chatty =
  | { type: 'ready'; pid: number }
  | { type: 'echo'; value: unknown }
  | { type: 'item'; i: number }
  | { type: 'terminating' }

/** Process state letter from /proc (R running, S sleeping, T stopped…). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
}

describe('ManagedProcess', () => {
  const processes = new ProcessSet()
  afterAll(() => processes.close())

  it('exchanges typed messages and keeps other output for diagnostics', async () => {
    const child = processes.spawn<Chatty>(nodeSpec(CHATTY, [], { name: 'chatty' }))
    const ready = await child.waitForType('ready')
    expect(ready.pid).toBe(child.pid)
    child.send({ type: 'echo', value: { nested: [1, 'two'] } })
    await expect(child.waitForType('echo')).resolves.toEqual({ type: 'echo', value: { nested: [1, 'two'] } })
    child.send({ type: 'flood', count: 500 })
    const last = await child.waitForType('item', { where: (m) => m.i === 499 })
    expect(last.i).toBe(499)
    expect(child.messages.filter((m) => m.type === 'item')).toHaveLength(500)
    // since: 'now' ignores what already arrived.
    await expect(child.waitForType('ready', { since: 'now', timeout: 50 })).rejects.toBeInstanceOf(
      TimeoutError,
    )
    expect(child.logTail()).toContain('plain log line (not a message)')
    expect(child.logTail()).toContain('a line on stderr')
    expect(child.malformedLines).toBe(1)
    child.send({ type: 'exit', code: 3 })
    await expect(child.exited).resolves.toEqual({ code: 3, signal: null })
    expect(() => child.send({ type: 'echo' })).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }))
  })

  it('fails a wait at once when the process exits, naming it and its last output', async () => {
    const child = processes.spawn<Chatty>(nodeSpec(CHATTY, [], { name: 'quitter' }))
    await child.waitForType('ready')
    const never = child.waitForType('echo', { timeout: scaled(20_000) })
    child.send({ type: 'exit', code: 1 })
    await expect(never).rejects.toMatchObject({
      code: 'ERR_SUBPROCESS',
      message: expect.stringMatching(/quitter exited \(code 1\)[\s\S]*stderr/),
    })
  })

  it('pauses with SIGSTOP, resumes with SIGCONT, stops with SIGTERM and kills with SIGKILL', async () => {
    const child = processes.spawn<Chatty>(nodeSpec(CHATTY))
    await child.waitForType('ready')
    const pid = child.pid as number
    await child.pause()
    expect(processState(pid)).toBe('T')
    child.send({ type: 'echo', value: 'while paused' })
    await expect(child.waitForType('echo', { timeout: 200 })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      message: expect.stringContaining('no matching message'),
    })
    await child.resume()
    await expect(child.waitForType('echo')).resolves.toMatchObject({ value: 'while paused' })

    // stop() resumes a paused process so it can handle SIGTERM.
    await child.pause()
    await expect(child.stop()).resolves.toEqual({ code: 0, signal: null })
    expect(child.messages.at(-1)).toEqual({ type: 'terminating' })

    const victim = processes.spawn<Chatty>(nodeSpec(CHATTY))
    await victim.waitForType('ready')
    await expect(victim.kill()).resolves.toEqual({ code: null, signal: 'SIGKILL' })
    expect(victim.running).toBe(false)
  })

  it('kills everything still running when the set closes', async () => {
    const set = new ProcessSet()
    const children = [set.spawn(nodeSpec(CHATTY)), set.spawn(nodeSpec(CHATTY))]
    await Promise.all(children.map((c) => c.waitForType('ready')))
    expect(set.running).toHaveLength(2)
    await set.close()
    expect(children.map((c) => c.exitInfo?.signal)).toEqual(['SIGKILL', 'SIGKILL'])
    expect(() => set.spawn(nodeSpec(CHATTY))).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }))
  })

  it('reports a command that cannot start as an exit, not a hang', async () => {
    const child = processes.spawn({ command: '/nonexistent/binary', name: 'missing' })
    await expect(child.waitForType('ready')).rejects.toMatchObject({ code: 'ERR_SUBPROCESS' })
    expect(child.logTail()).toContain('ENOENT')
  })
})
