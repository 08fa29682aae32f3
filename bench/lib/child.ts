/**
 * The child side of the benchmark channel (see channel.ts). A child script calls
 * `runChild(async (parent) => { … })`: it receives typed messages on stdin, sends typed messages on
 * stdout, and reports any failure to the parent as an `error` message. When the parent closes the
 * child's stdin (normal stop, or the parent died) the child runs its cleanups and exits.
 */
import { Lifecycle } from '../../runtime/primitives/lifecycle.ts'
import type { WaitOptions } from '../../runtime/primitives/watch.ts'
import { type ErrorMessage, encodeMessage, Inbox, LineSplitter, type Message, parseLine } from './channel.ts'

/** How long a child's cleanups may take once its parent has gone. */
const CLEANUP_GRACE_MS = 2_000

export interface ParentChannel<In extends Message, Out extends Message> {
  send(message: Out): void
  receive<T extends In['type']>(
    type: T | readonly T[],
    options?: WaitOptions,
  ): Promise<Extract<In, { type: T }>>
  /** Reports `err` to the parent and exits 1 (for failures inside library callbacks). */
  fail(err: unknown): void
  /** Resources to release before exiting (connections, timers); closed on stdin end or failure. */
  readonly scope: Lifecycle
}

function send(message: Message): void {
  process.stdout.write(encodeMessage(message))
}

function reportAndExit(err: unknown): void {
  const failure = err instanceof Error ? err : new Error(String(err))
  const message: ErrorMessage = { type: 'error', message: failure.message }
  if (failure.stack !== undefined) message.stack = failure.stack
  send(message)
  process.exitCode = 1
  // Let stdout drain the error line before leaving.
  process.stdout.write('', () => process.exit(1))
}

async function closeThenExit(scope: Lifecycle, code: number): Promise<void> {
  const timer = setTimeout(() => process.exit(code), CLEANUP_GRACE_MS)
  try {
    await scope.close()
  } finally {
    clearTimeout(timer)
    process.stdout.write('', () => process.exit(code))
  }
}

/**
 * Runs a child's main function with a channel to its parent. The process exits 0 when `main`
 * resolves and 1 (after sending an `error` message) when it throws or anything goes uncaught.
 */
export function runChild<In extends Message, Out extends Message>(
  main: (parent: ParentChannel<In, Out>) => Promise<void>,
): void {
  const inbox = new Inbox<In>('parent')
  const scope = new Lifecycle()
  const splitter = new LineSplitter()
  let parentGone = false
  process.on('uncaughtException', reportAndExit)
  process.on('unhandledRejection', reportAndExit)
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) {
      const message = parseLine(line)
      if (message !== undefined) inbox.push(message)
    }
  })
  process.stdin.on('end', () => {
    parentGone = true
    inbox.close('parent closed the channel')
    void closeThenExit(scope, 0)
  })
  const channel: ParentChannel<In, Out> = {
    send,
    receive: (type, options) => inbox.receive(type, options),
    fail: reportAndExit,
    scope,
  }
  main(channel).then(
    () => closeThenExit(scope, 0),
    (err: unknown) => {
      // A stop from the parent rejects pending receives; that is the normal way out, not a failure.
      if (parentGone) return
      void scope.close().catch(() => undefined)
      reportAndExit(err)
    },
  )
}
