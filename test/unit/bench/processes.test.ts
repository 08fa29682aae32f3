import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { freePorts, LOOPBACK, waitForPort } from '../../../bench/lib/ports.ts'
import { livePids, spawnNode, spawnServer } from '../../../bench/lib/processes.ts'
import { scopedTempDir } from '../../../bench/lib/tempdir.ts'
import { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { scaled } from '../../../runtime/primitives/time.ts'

type In = { type: 'echo'; value: number } | { type: 'fail'; reason: string } | { type: 'noise' }
type Out = { type: 'echoed'; value: number } | { type: 'noisy' }

const echoChild = join(import.meta.dirname, 'fixtures', 'echo-child.ts')
const start = { timeout: scaled(20_000) }

describe('spawnNode', () => {
  it('exchanges typed messages, survives stdout noise, and exits cleanly when stopped', async () => {
    const scope = new Lifecycle()
    try {
      const child = spawnNode<In, Out>(echoChild, { name: 'echo', scope })
      child.send({ type: 'echo', value: 41 })
      await expect(child.receive('echoed', start)).resolves.toEqual({ type: 'echoed', value: 41 })
      child.send({ type: 'noise' })
      await child.receive('noisy', start)
      child.send({ type: 'echo', value: 42 })
      await expect(child.receive('echoed', start)).resolves.toEqual({ type: 'echoed', value: 42 })
      await expect(child.stop()).resolves.toEqual({ code: 0, signal: null })
      expect(livePids()).not.toContain(child.pid)
    } finally {
      await scope.close()
    }
  })

  it("turns a child's exception into a rejected receive and kills children on scope close", async () => {
    const scope = new Lifecycle()
    const failing = spawnNode<In, Out>(echoChild, { name: 'failing', scope })
    const idle = spawnNode<In, Out>(echoChild, { name: 'idle', scope })
    failing.send({ type: 'fail', reason: 'out of cheese' })
    await expect(failing.receive('echoed', start)).rejects.toThrow('failing failed: out of cheese')
    await expect(failing.exited).resolves.toMatchObject({ code: 1 })
    await scope.close()
    await idle.exited
    expect(livePids()).toEqual([])
  })
})

describe('spawnServer', () => {
  it('stops an external program by PID when its scope closes', async () => {
    const scope = new Lifecycle()
    const server = spawnServer('sleep', ['60'], { name: 'sleeper', scope })
    expect(livePids()).toContain(server.pid)
    await scope.close()
    await expect(server.exited).resolves.toMatchObject({ signal: 'SIGTERM' })
    expect(livePids()).not.toContain(server.pid)
  })
})

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('cleanup when the orchestrator dies', () => {
  it('kills its servers and removes its temp dirs on exit, and removes them on scope close', async () => {
    type Out = { type: 'ready'; dir: string; serverPid: number }
    const orchestrator = spawnNode<{ type: 'crash' }, Out>(
      join(import.meta.dirname, 'fixtures', 'crashing-orchestrator.ts'),
      {
        name: 'orchestrator',
      },
    )
    const { dir, serverPid } = await orchestrator.receive('ready', start)
    expect(existsSync(dir)).toBe(true)
    orchestrator.send({ type: 'crash' })
    await expect(orchestrator.exited).resolves.toMatchObject({ code: 3 })
    expect(existsSync(dir)).toBe(false)
    // SIGKILL was sent on exit; the orphan is reaped by init shortly after.
    const deadline = Date.now() + scaled(5_000)
    while (isRunning(serverPid) && Date.now() < deadline) await delay(20)
    expect(isRunning(serverPid)).toBe(false)

    const scope = new Lifecycle()
    const own = await scopedTempDir(scope, 'mosaik-bench-test-')
    expect(existsSync(own)).toBe(true)
    await scope.close()
    expect(existsSync(own)).toBe(false)
  })
})

describe('ports', () => {
  it('hands out distinct free ports and waits for a listener', async () => {
    const ports = await freePorts(6)
    expect(new Set(ports).size).toBe(6)
    const listener = createServer()
    await new Promise<void>((resolve) => listener.listen(ports[0], LOOPBACK, resolve))
    try {
      await waitForPort(ports[0] as number, { timeoutMs: scaled(2_000) })
    } finally {
      await new Promise((resolve) => listener.close(resolve))
    }
    await expect(waitForPort(ports[1] as number, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
    })
  })
})
