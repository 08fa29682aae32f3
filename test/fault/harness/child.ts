/**
 * The child side of the message channel, for scripts started with `ManagedProcess`/`Host.spawnNode`:
 * `emit()` prints one message line on stdout, `commands()` yields the messages the test sends on
 * stdin. When stdin ends — the test closed it or the test process died — the child exits, so no
 * orphan outlives its test on loopback (in namespaces the harness also kills what is left inside).
 */
import { formatMessage, LineSplitter, type Message, parseMessage } from './lines.ts'

/** Prints one message line on stdout (synchronous for pipes on Linux, so none is lost at exit). */
export function emit(message: Message): void {
  process.stdout.write(formatMessage(message))
}

/**
 * Yields each valid message line from stdin; invalid lines are skipped. When stdin ends the process
 * exits with `exitCode` (default 0) unless `exitOnEnd` is false, in which case the iteration ends.
 */
export async function* commands<M extends Message = Message>(
  options: { exitOnEnd?: boolean; exitCode?: number } = {},
): AsyncGenerator<M> {
  const splitter = new LineSplitter()
  for await (const chunk of process.stdin) {
    for (const line of splitter.push(chunk as Buffer)) {
      const message = parseMessage(line)
      if (message) yield message as M
    }
  }
  if (options.exitOnEnd ?? true) process.exit(options.exitCode ?? 0)
}

/** Exits when stdin ends, for children that never read commands. */
export function exitWhenParentGone(exitCode = 0): void {
  process.stdin.on('data', () => {})
  process.stdin.on('end', () => process.exit(exitCode))
}
