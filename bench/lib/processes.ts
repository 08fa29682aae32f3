/**
 * Child processes of a benchmark: Node scripts that talk over the typed channel, and external
 * servers (nats-server, etcd). Every child is tracked by PID so that nothing outlives the
 * orchestrator: `stop()` ends one politely, a Lifecycle scope stops all of a benchmark's children
 * on success or error, and a process `exit` hook SIGKILLs whatever is still running (crash,
 * Ctrl-C via `installSignalReaper`).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { Lifecycle } from '../../runtime/primitives/lifecycle.ts'
import type { WaitOptions } from '../../runtime/primitives/watch.ts'
import { encodeMessage, Inbox, LineSplitter, type Message, parseLine } from './channel.ts'

/** How a child ended. */
export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

const live = new Set<ChildProcess>()
const exitTasks = new Set<() => void>()
let exitHookInstalled = false

/** SIGKILLs every tracked child, then runs the registered exit tasks. Synchronous: runs on exit. */
function killAllNow(): void {
  for (const child of live) {
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }
  live.clear()
  for (const task of exitTasks) {
    try {
      task()
    } catch {
      // Best effort: the process is leaving.
    }
  }
  exitTasks.clear()
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', killAllNow)
}

function track(child: ChildProcess): void {
  installExitHook()
  live.add(child)
  child.once('exit', () => live.delete(child))
}

/**
 * Runs `task` (synchronous) if the orchestrator exits before the returned function is called —
 * for leftovers such as temp dirs when a benchmark is interrupted. Children are killed first.
 */
export function atExit(task: () => void): () => void {
  installExitHook()
  exitTasks.add(task)
  return () => exitTasks.delete(task)
}

/** PIDs of the children still running (for diagnostics and tests). */
export function livePids(): number[] {
  return [...live].flatMap((c) => (c.pid === undefined ? [] : [c.pid]))
}

/** Makes SIGINT/SIGTERM kill every tracked child before the orchestrator exits. For entry points. */
export function installSignalReaper(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllNow()
      process.exit(signal === 'SIGINT' ? 130 : 143)
    })
  }
}

/** Keeps the last `size` lines a child wrote, for error messages. */
class Tail {
  readonly #lines: string[] = []
  readonly #size: number

  constructor(size: number) {
    this.#size = size
  }

  add(line: string): void {
    if (line === '') return
    this.#lines.push(line)
    if (this.#lines.length > this.#size) this.#lines.shift()
  }

  toString(): string {
    return this.#lines.join('\n')
  }
}

function exitInfo(child: ChildProcess): Promise<ExitInfo> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  }
  return once(child, 'exit').then(([code, signal]) => ({ code, signal }) as ExitInfo)
}

function describeExit(info: ExitInfo): string {
  return info.signal === null ? `exit code ${info.code}` : `signal ${info.signal}`
}

/** Stops `child`: `graceful()` first, SIGKILL after `timeoutMs` if it has not exited. */
async function stopChild(child: ChildProcess, graceful: () => void, timeoutMs: number): Promise<ExitInfo> {
  const exited = exitInfo(child)
  if (child.exitCode === null && child.signalCode === null) {
    graceful()
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
    }
  }
  return exited
}

/** What every child handle offers: its PID, its exit, and ways to end it. */
export interface ProcessControls {
  readonly name: string
  readonly pid: number
  /** Resolves when the process exits, however that happens. */
  readonly exited: Promise<ExitInfo>
  /** Ends it politely (see each spawner), SIGKILL after `timeoutMs` (5 s). */
  stop(timeoutMs?: number): Promise<ExitInfo>
  /** Sends a signal right away (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>
}

/** Tracks a just-spawned child and builds its controls; `scope` stops it on close. */
function controlsFor(
  child: ChildProcess,
  name: string,
  graceful: () => void,
  scope: Lifecycle | undefined,
): ProcessControls {
  // Spawn failures (ENOENT…) arrive as an 'error' event after pid came back undefined.
  child.on('error', () => undefined)
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${name}`)
  track(child)
  const exited = exitInfo(child)
  const controls: ProcessControls = {
    name,
    pid,
    exited,
    stop: (timeoutMs = 5_000) => stopChild(child, graceful, timeoutMs),
    kill: (signal = 'SIGKILL') => {
      child.kill(signal)
      return exited
    },
  }
  scope?.defer(async () => {
    await controls.stop()
  })
  return controls
}

/** A running external program; `stop()` sends SIGTERM. */
export interface ServerProcess extends ProcessControls {
  /** The last lines of its stdout and stderr. */
  output(): string
}

export interface SpawnServerOptions {
  name: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Stops the server when this scope closes. */
  scope?: Lifecycle
  /** Copies the server's output to our stderr as it comes (for debugging a benchmark). */
  echo?: boolean
}

/** Starts an external program with its output captured (last 40 lines kept). */
export function spawnServer(
  command: string,
  args: readonly string[],
  options: SpawnServerOptions,
): ServerProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const controls = controlsFor(child, options.name, () => child.kill('SIGTERM'), options.scope)
  const tail = new Tail(40)
  for (const stream of [child.stdout, child.stderr]) {
    const splitter = new LineSplitter()
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      for (const line of splitter.push(chunk)) tail.add(line)
      if (options.echo) process.stderr.write(chunk)
    })
  }
  return { ...controls, output: () => tail.toString() }
}

/** A Node child speaking the typed channel: we send `ToChild`, it sends `FromChild`. `stop()` closes its stdin. */
export interface NodeChild<ToChild extends Message, FromChild extends Message> extends ProcessControls {
  send(message: ToChild): void
  receive<T extends FromChild['type']>(
    type: T | readonly T[],
    options?: WaitOptions,
  ): Promise<Extract<FromChild, { type: T }>>
}

export interface SpawnNodeOptions {
  name: string
  args?: readonly string[]
  env?: NodeJS.ProcessEnv
  /** Extra Node flags (e.g. `--max-old-space-size=4096`). */
  nodeFlags?: readonly string[]
  scope?: Lifecycle
}

/**
 * Runs `file` (TypeScript is fine) in a new Node process of the same binary, with the
 * `mosaik-source` condition, stderr inherited and stdio carrying the typed channel. Non-protocol
 * stdout lines are copied to our stderr.
 */
/**
 * Flags from `MOSAIK_BENCH_NODE_FLAGS` (space-separated) for every benchmark child, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile both ends of a run (NODE_OPTIONS refuses those).
 */
function extraNodeFlags(): string[] {
  return (process.env.MOSAIK_BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '')
}

export function spawnNode<ToChild extends Message, FromChild extends Message>(
  file: string,
  options: SpawnNodeOptions,
): NodeChild<ToChild, FromChild> {
  const args = [
    ...(options.nodeFlags ?? []),
    ...extraNodeFlags(),
    '--conditions=mosaik-source',
    file,
    ...(options.args ?? []),
  ]
  const child = spawn(process.execPath, args, {
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const controls = controlsFor(child, options.name, () => child.stdin.end(), options.scope)
  const inbox = new Inbox<FromChild>(options.name)
  const splitter = new LineSplitter()
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    try {
      for (const line of splitter.push(chunk)) {
        const message = parseLine(line)
        if (message === undefined) process.stderr.write(`[${options.name}] ${line}\n`)
        else inbox.push(message)
      }
    } catch (err) {
      inbox.fail(err as Error)
      child.kill('SIGKILL')
    }
  })
  // A closed pipe when the child dies first is reported through `exited`, not as a crash here.
  child.stdin.on('error', () => undefined)
  void controls.exited.then((info) => inbox.fail(new Error(`${options.name} exited (${describeExit(info)})`)))
  return {
    ...controls,
    send: (message) => {
      child.stdin.write(encodeMessage(message))
    },
    receive: (type, waitOptions) => inbox.receive(type, waitOptions),
  }
}
