/**
 * Child processes under test control: start, stop, SIGKILL, SIGSTOP/SIGCONT, and a typed
 * JSON-lines channel (the child prints `{"type":…}` lines on stdout; the test waits on them with
 * timeouts and can send lines to the child's stdin). Output that is not a message is kept in a
 * short ring for diagnostics and appears in timeout errors.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { ClosedError, InvalidInputError, TimeoutError } from '../../../runtime/primitives/errors.ts'
import { scaled } from '../../../runtime/primitives/time.ts'
import { type WaitOptions, waitFor } from '../../../runtime/primitives/watch.ts'
import { SubprocessError } from './errors.ts'
import { formatMessage, LineSplitter, type Message, parseMessage } from './lines.ts'
import { until } from './until.ts'

/** What to run. `namespace` runs it inside that network namespace via `ip netns exec`. */
export interface ProcessSpec {
  command: string
  args?: readonly string[]
  /** Added to the parent's environment (MOSAIK_DHT is always forced to `off`). */
  env?: Readonly<Record<string, string>>
  cwd?: string
  /** Label used in errors and echoed output; defaults to the command's base name. */
  name?: string
  namespace?: string
}

export interface ProcessOptions {
  /** Messages kept for `waitFor(…, { since: 'start' })`; the oldest are dropped beyond this. */
  maxMessages?: number
  /** Lines of stderr / non-message stdout kept for diagnostics. */
  logLines?: number
  /** Copy the child's output to the test's stderr, prefixed by its name (also: MOSAIK_FAULT_ECHO=1). */
  echo?: boolean
}

/** How a process ended: an exit code, or the signal that killed it. */
export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface MessageWaitOptions extends WaitOptions {
  /** `start` (default) also matches messages received before the call; `now` only later ones. */
  since?: 'start' | 'now'
}

/** True while the kernel reports the process stopped by a signal (state T in /proc/<pid>/stat). */
function isStopped(pid: number | undefined): boolean {
  if (pid === undefined) return false
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.charAt(stat.lastIndexOf(')') + 2) === 'T'
  } catch {
    return false
  }
}

/** Default wait for a message, generous for a loaded 2-core machine. */
const DEFAULT_WAIT_MS = 15_000

/** The node binary running the tests (Node 24) with the source condition, for TypeScript scripts. */
export function nodeSpec(
  script: string,
  args: readonly string[] = [],
  spec: Partial<ProcessSpec> = {},
): ProcessSpec {
  return {
    ...spec,
    command: process.execPath,
    args: ['--conditions=mosaik-source', script, ...args],
    name: spec.name ?? script.split('/').pop() ?? script,
  }
}

/** A running (or finished) child process with a typed message channel. */
export class ManagedProcess<M extends Message = Message> {
  readonly spec: ProcessSpec
  readonly name: string
  /** Resolves once the process has exited and all its output has been read. */
  readonly exited: Promise<ExitInfo>
  readonly #child: ChildProcess
  readonly #messages: M[] = []
  readonly #log: string[] = []
  readonly #listeners = new Set<(message: M) => void>()
  readonly #exitListeners = new Set<(info: ExitInfo) => void>()
  readonly #maxMessages: number
  readonly #logLines: number
  readonly #echo: boolean
  #exit: ExitInfo | undefined
  #paused = false
  /** stdout lines that were not messages (or were oversized). */
  malformedLines = 0

  constructor(spec: ProcessSpec, options: ProcessOptions = {}) {
    if (spec.command === '') throw new InvalidInputError('process spec has an empty command')
    this.spec = spec
    this.name = spec.name ?? spec.command.split('/').pop() ?? spec.command
    this.#maxMessages = options.maxMessages ?? 10_000
    this.#logLines = options.logLines ?? 200
    this.#echo = options.echo ?? process.env.MOSAIK_FAULT_ECHO === '1'
    const [command, args] = spec.namespace
      ? ['ip', ['netns', 'exec', spec.namespace, spec.command, ...(spec.args ?? [])]]
      : [spec.command, [...(spec.args ?? [])]]
    this.#child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...spec.env, MOSAIK_DHT: 'off' },
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
    })
    // Writing to a child that stopped reading must not crash the test process.
    this.#child.stdin?.on('error', () => {})
    this.#readStdout()
    this.#readStderr()
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.#child.on('error', (err) => {
        this.#remember(`spawn error: ${err.message}`)
        if (this.#child.pid === undefined) this.#finish({ code: null, signal: null }, resolve)
      })
      this.#child.on('close', (code, signal) => this.#finish({ code, signal }, resolve))
    })
  }

  /** Process id (of the program itself: `ip netns exec` replaces itself with it). */
  get pid(): number | undefined {
    return this.#child.pid
  }

  get running(): boolean {
    return this.#exit === undefined
  }

  get paused(): boolean {
    return this.#paused
  }

  /** How it ended, once it has. */
  get exitInfo(): ExitInfo | undefined {
    return this.#exit
  }

  /** Messages received so far (the most recent `maxMessages`). */
  get messages(): readonly M[] {
    return this.#messages
  }

  /** The last lines of stderr and of non-message stdout. */
  logTail(): string {
    return this.#log.join('\n')
  }

  /** Calls `listener` for every message received from now on; returns the unsubscribe function. */
  onMessage(listener: (message: M) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Resolves with the first message satisfying `predicate`. Rejects with TimeoutError (default
   * 15 s, scaled) or with SubprocessError if the process exits first. Messages are untrusted
   * child output: the type parameter `M` is the test's claim about their shape, not a check.
   */
  waitFor<T extends M>(predicate: (message: M) => message is T, options?: MessageWaitOptions): Promise<T>
  waitFor(predicate: (message: M) => boolean, options?: MessageWaitOptions): Promise<M>
  waitFor(predicate: (message: M) => boolean, options: MessageWaitOptions = {}): Promise<M> {
    if (options.since !== 'now') {
      const found = this.#messages.find(predicate)
      if (found) return Promise.resolve(found)
    }
    if (this.#exit) return Promise.reject(this.#exitedError(this.#exit))
    const timeout = options.timeout ?? scaled(DEFAULT_WAIT_MS)
    const waiting = waitFor<M>({ ...options, timeout }, (resolve, reject) => {
      const onMessage = (message: M): void => {
        if (predicate(message)) resolve(message)
      }
      const onExit = (info: ExitInfo): void => reject(this.#exitedError(info))
      this.#listeners.add(onMessage)
      this.#exitListeners.add(onExit)
      return () => {
        this.#listeners.delete(onMessage)
        this.#exitListeners.delete(onExit)
      }
    })
    return waiting.catch((err: unknown) => {
      if (err instanceof TimeoutError) {
        throw new TimeoutError(
          `${this.name}: no matching message within ${timeout} ms\n${this.#diagnostics()}`,
          {
            cause: err,
          },
        )
      }
      throw err
    })
  }

  /** Waits for a message of the given `type` (optionally also satisfying `where`). */
  waitForType<K extends M['type']>(
    type: K,
    options: MessageWaitOptions & { where?: (message: Extract<M, { type: K }>) => boolean } = {},
  ): Promise<Extract<M, { type: K }>> {
    const { where, ...wait } = options
    return this.waitFor(
      (m): m is Extract<M, { type: K }> =>
        m.type === type && (where === undefined || where(m as Extract<M, { type: K }>)),
      wait,
    )
  }

  /** Writes one message line to the child's stdin. */
  send(message: Message): void {
    if (this.#exit || !this.#child.stdin?.writable) throw new ClosedError(`${this.name} is not running`)
    this.#child.stdin.write(formatMessage(message))
  }

  /** Sends a signal; a no-op once the process has exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit) return
    try {
      this.#child.kill(signal)
    } catch {
      // raced with exit
    }
  }

  /**
   * SIGSTOP: the process freezes (a "pause" fault); its peers see it go silent. Resolves once the
   * kernel reports it stopped (or it has exited).
   */
  async pause(): Promise<void> {
    this.signal('SIGSTOP')
    this.#paused = true
    await until(() => !this.running || isStopped(this.pid), { what: `${this.name} stopped` })
  }

  /** SIGCONT: resumes a paused process; resolves once it runs again (or has exited). */
  async resume(): Promise<void> {
    this.signal('SIGCONT')
    this.#paused = false
    await until(() => !this.running || !isStopped(this.pid), { what: `${this.name} resumed` })
  }

  /** SIGKILL (a crash) and waits until it is gone. */
  async kill(): Promise<ExitInfo> {
    this.signal('SIGKILL')
    return this.exited
  }

  /** SIGTERM (resuming it if paused), then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = scaled(5_000)): Promise<ExitInfo> {
    if (this.#exit) return this.#exit
    this.signal('SIGTERM')
    if (this.#paused) {
      this.signal('SIGCONT')
      this.#paused = false
    }
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs)
    })
    await Promise.race([this.exited, deadline])
    clearTimeout(timer)
    return this.kill()
  }

  #readStdout(): void {
    const splitter = new LineSplitter()
    const onLines = (lines: string[]): void => {
      for (const line of lines) this.#onStdoutLine(line)
    }
    this.#child.stdout?.on('data', (chunk: Buffer) => onLines(splitter.push(chunk)))
    this.#child.stdout?.on('end', () => {
      onLines(splitter.end())
      this.malformedLines += splitter.oversized
    })
  }

  #readStderr(): void {
    const splitter = new LineSplitter()
    const onLines = (lines: string[]): void => {
      for (const line of lines) this.#remember(line)
    }
    this.#child.stderr?.on('data', (chunk: Buffer) => onLines(splitter.push(chunk)))
    this.#child.stderr?.on('end', () => onLines(splitter.end()))
  }

  #onStdoutLine(line: string): void {
    const message = parseMessage(line) as M | undefined
    if (!message) {
      if (line.trim() !== '') this.malformedLines++
      this.#remember(line)
      return
    }
    if (this.#echo) process.stderr.write(`[${this.name}] ${line}\n`)
    this.#messages.push(message)
    if (this.#messages.length > this.#maxMessages) this.#messages.shift()
    for (const listener of [...this.#listeners]) listener(message)
  }

  #remember(line: string): void {
    if (this.#echo) process.stderr.write(`[${this.name}] ${line}\n`)
    this.#log.push(line)
    if (this.#log.length > this.#logLines) this.#log.shift()
  }

  #finish(info: ExitInfo, resolve: (info: ExitInfo) => void): void {
    if (this.#exit) return
    this.#exit = info
    this.#paused = false
    for (const listener of [...this.#exitListeners]) listener(info)
    this.#exitListeners.clear()
    this.#listeners.clear()
    resolve(info)
  }

  #exitedError(info: ExitInfo): SubprocessError {
    const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`
    return new SubprocessError(
      `${this.name} exited (${how}) before a matching message\n${this.#diagnostics()}`,
      {
        details: { name: this.name, ...info },
      },
    )
  }

  #diagnostics(): string {
    const tail = this.#log.slice(-20).join('\n')
    return tail === '' ? '(no other output)' : `last output:\n${tail}`
  }
}

/** Owns a set of processes and kills every one still running on `close()`. */
export class ProcessSet {
  readonly #processes = new Set<ManagedProcess<Message>>()
  #closed = false

  /** Starts a process that this set will kill on close. */
  spawn<M extends Message = Message>(spec: ProcessSpec, options?: ProcessOptions): ManagedProcess<M> {
    if (this.#closed) throw new ClosedError('process set is closed')
    const child = new ManagedProcess<M>(spec, options)
    this.#processes.add(child as unknown as ManagedProcess<Message>)
    void child.exited.then(() => this.#processes.delete(child as unknown as ManagedProcess<Message>))
    return child
  }

  /** Processes still running. */
  get running(): readonly ManagedProcess<Message>[] {
    return [...this.#processes]
  }

  /** SIGKILLs every process still running and waits for all of them to exit. */
  async close(): Promise<void> {
    this.#closed = true
    await Promise.all([...this.#processes].map((child) => child.kill()))
  }
}
