/**
 * One orderbook node process as the demo sees it: started with an IPC channel, its reported events
 * folded into a watchable state, commands sent as messages, and a clean stop.
 */
import { type ChildProcess, fork } from 'node:child_process'
import path from 'node:path'
import { type WaitOptions, Watchable } from 'mosaik'
import type { MarketSummary } from '../orderbook/src/matcher.ts'
import type { NodeCommand, NodeEvent } from '../orderbook/src/protocol.ts'

const NODE_SCRIPT = path.join(import.meta.dirname, '..', 'orderbook', 'src', 'node.ts')

/** Everything a node has reported so far. */
export interface NodeState {
  readonly peerId: string | undefined
  readonly name: string | undefined
  readonly peers: number
  readonly leader: string | undefined
  /** Matchers: the book and the balances both have a leader this node follows. */
  readonly online: boolean
  /** Traders: subscribed to the fills of every matcher. */
  readonly following: boolean
  readonly sent: number
  readonly fills: { readonly seen: number; readonly own: number }
  readonly published: number
  readonly summary: MarketSummary | undefined
  readonly error: string | undefined
  /** The last trouble the node reported and retried. */
  readonly warning: string | undefined
  readonly exit: { readonly code: number | null; readonly signal: string | null } | undefined
}

const INITIAL: NodeState = {
  peerId: undefined,
  name: undefined,
  peers: 0,
  leader: undefined,
  online: false,
  following: false,
  sent: 0,
  fills: { seen: 0, own: 0 },
  published: 0,
  summary: undefined,
  error: undefined,
  warning: undefined,
  exit: undefined,
}

function fold(state: NodeState, event: NodeEvent): NodeState {
  switch (event.type) {
    case 'ready':
      return { ...state, peerId: event.peerId, name: event.name }
    case 'peers':
      return { ...state, peers: event.count }
    case 'leader':
      return { ...state, leader: event.leader }
    case 'online':
      return { ...state, online: true }
    case 'following':
      return { ...state, following: true }
    case 'sent':
      return { ...state, sent: event.count }
    case 'fills':
    case 'status':
      return { ...state, fills: { seen: event.seen, own: event.own } }
    case 'published':
      return { ...state, published: event.through }
    case 'summary': {
      const { type: _, ...summary } = event
      return { ...state, summary }
    }
    case 'warning':
      return { ...state, warning: event.message }
    case 'error':
      return { ...state, error: event.message }
  }
}

export class NodeProcess {
  readonly role: 'matcher' | 'trader'
  readonly state = new Watchable<NodeState>(INITIAL)
  readonly #child: ChildProcess
  readonly exited: Promise<void>

  constructor(role: 'matcher' | 'trader', args: readonly string[]) {
    this.role = role
    this.#child = fork(NODE_SCRIPT, args, {
      execArgv: ['--conditions=mosaik-source'],
      // The demo prints its own progress; nodes log only errors unless MOSAIK_LOG says otherwise.
      env: { ...process.env, MOSAIK_LOG: process.env.MOSAIK_LOG ?? 'error' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    // Our own children, started with our arguments: their messages have the shape we sent for.
    this.#child.on('message', (event) => this.state.update((s) => fold(s, event as NodeEvent)))
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.state.update((s) => ({ ...s, exit: { code, signal } }))
        resolve()
      })
    })
  }

  get label(): string {
    return this.state.value.name ?? this.role
  }

  send(command: NodeCommand): void {
    if (this.#child.connected) this.#child.send(command)
  }

  /**
   * Waits until `predicate` holds for the node's state; rejects early (naming the node) if it
   * reports an error or exits.
   */
  async until(
    what: string,
    predicate: (state: NodeState) => boolean,
    options: WaitOptions,
  ): Promise<NodeState> {
    const state = await this.state
      .when((s) => predicate(s) || s.error !== undefined || s.exit !== undefined, options)
      .catch((err: unknown) => {
        throw new Error(`${this.label}: gave up waiting for ${what}`, { cause: err })
      })
    if (predicate(state)) return state
    throw new Error(
      state.error !== undefined
        ? `${this.label} failed while waiting for ${what}: ${state.error}`
        : `${this.label} exited (code ${state.exit?.code}, signal ${state.exit?.signal}) while waiting for ${what}`,
    )
  }

  /** Asks the node to stop; SIGKILLs it if it has not exited after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.state.value.exit) return
    this.send({ type: 'stop' })
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
  }
}
