/**
 * A linearizability checker in the style of porcupine: the Wing–Gong search with Lowe's
 * improvements (a doubly linked list of call/return events, and a cache of (linearized set,
 * state) pairs already explored), applied per key (P-compositionality: a history is linearizable
 * iff each key's sub-history is).
 *
 * An operation whose outcome is unknown (the client timed out or its server crashed) has return
 * time `Infinity` and no output: it may take effect at any point after its call, or never.
 */

export interface Operation<I, O> {
  client: number
  input: I
  /** Undefined when the outcome is unknown. */
  output: O | undefined
  call: number
  /** Infinity when the outcome is unknown. */
  ret: number
}

/** A sequential specification. `step` says whether `input` may produce `output` in `state`. */
export interface Model<S, I, O> {
  init(): S
  step(state: S, input: I, output: O | undefined): { ok: boolean; next: S }
  /** A string identifying the state, for the search cache. */
  key(state: S): string
  /** True for an operation that never changes the state, whatever the state (a read). */
  readOnly(input: I, output: O | undefined): boolean
}

export type CheckOutcome = 'ok' | 'violation' | 'unknown'

interface Event {
  op: number
  call: boolean
  time: number
  match: Event | null
  prev: Event | null
  next: Event | null
}

/** Builds the time-ordered event list; at equal times calls come first (the permissive order). */
function eventList<I, O>(ops: readonly Operation<I, O>[]): Event {
  const events: Event[] = []
  ops.forEach((op, i) => {
    const call: Event = { op: i, call: true, time: op.call, match: null, prev: null, next: null }
    const ret: Event = { op: i, call: false, time: op.ret, match: null, prev: null, next: null }
    call.match = ret
    events.push(call, ret)
  })
  events.sort((a, b) => a.time - b.time || (a.call === b.call ? a.op - b.op : a.call ? -1 : 1))
  const head: Event = { op: -1, call: false, time: -Infinity, match: null, prev: null, next: null }
  let prev = head
  for (const e of events) {
    prev.next = e
    e.prev = prev
    prev = e
  }
  return head
}

function unlink(e: Event): void {
  ;(e.prev as Event).next = e.next
  if (e.next !== null) e.next.prev = e.prev
}

function relink(e: Event): void {
  ;(e.prev as Event).next = e
  if (e.next !== null) e.next.prev = e
}

/**
 * Checks one history against a model. `budget` bounds the search steps; beyond it the answer is
 * 'unknown' rather than a guess.
 */
export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  budget = 5_000_000,
): CheckOutcome {
  const head = eventList(ops)
  const cache = new Set<string>()
  const stack: { call: Event; state: S; forced: boolean }[] = []
  let state = model.init()
  let linearized = 0n
  let entry = head.next
  let steps = 0

  /** Linearizes the operation of `call` next; false if that configuration was already explored. */
  const take = (call: Event, next: S, forced: boolean): boolean => {
    const bits = linearized | (1n << BigInt(call.op))
    const key = `${bits.toString(36)}|${model.key(next)}`
    if (cache.has(key)) return false
    cache.add(key)
    stack.push({ call, state, forced })
    state = next
    linearized = bits
    unlink(call)
    unlink(call.match as Event)
    entry = head.next
    return true
  }

  /** Undoes linearization steps back to the latest real choice; false when there is none left. */
  const backtrack = (): boolean => {
    for (;;) {
      const top = stack.pop()
      if (top === undefined) return false
      state = top.state
      linearized &= ~(1n << BigInt(top.call.op))
      relink(top.call.match as Event)
      relink(top.call)
      if (!top.forced) {
        entry = top.call.next
        return true
      }
    }
  }

  /**
   * A read-only operation that may go next and fits the current state. Linearizing it at once
   * loses no solution: if one exists, one exists with it first (it changes nothing, and all that
   * must precede it already does). So it is no choice point, and a dead end after it is a dead
   * end before it. This keeps reads from multiplying the orders tried for concurrent writes.
   */
  const freeRead = (): { call: Event; next: S } | undefined => {
    for (let e = head.next; e?.call; e = e.next) {
      const op = ops[e.op] as Operation<I, O>
      if (!model.readOnly(op.input, op.output)) continue
      const { ok, next } = model.step(state, op.input, op.output)
      if (ok) return { call: e, next }
    }
    return undefined
  }

  while (head.next !== null && entry !== null) {
    if (++steps > budget) return 'unknown'
    if (entry === head.next) {
      const free = freeRead()
      if (free !== undefined) {
        if (!take(free.call, free.next, true) && !backtrack()) return 'violation'
        continue
      }
    }
    if (!entry.call) {
      if (!backtrack()) return 'violation'
      continue
    }
    const op = ops[entry.op] as Operation<I, O>
    const { ok, next } = model.step(state, op.input, op.output)
    if (!ok || !take(entry, next, false)) entry = entry.next
  }
  return 'ok'
}

/** Operations on one register of the simulator's KV store. */
export type RegisterInput =
  | { op: 'put'; value: string }
  | { op: 'cas'; expect: string | null; value: string }
  | { op: 'get' }

/** put: true; cas: whether it swapped; get: the value read. */
export type RegisterOutput = boolean | string | null

export const registerModel: Model<string | null, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input, output) {
    switch (input.op) {
      case 'put':
        return { ok: true, next: input.value }
      case 'cas': {
        const swapped = state === input.expect
        if (output !== undefined && output !== swapped) return { ok: false, next: state }
        return { ok: true, next: swapped ? input.value : state }
      }
      case 'get':
        return { ok: output === undefined || output === state, next: state }
    }
  },
  key: (state) => (state === null ? '∅' : `=${state}`),
  readOnly: (input, output) => input.op === 'get' || (input.op === 'cas' && output === false),
}

/** A KV operation as the simulator's clients record it. */
export type KvOperation = Operation<RegisterInput, RegisterOutput> & { key: string }

export interface KvCheckResult {
  outcome: CheckOutcome
  /** Keys whose history is not linearizable (or could not be decided). */
  failedKeys: string[]
  unknownKeys: string[]
}

/** Checks a whole KV history key by key. */
export function checkKvHistory(history: readonly KvOperation[], budget?: number): KvCheckResult {
  const byKey = new Map<string, KvOperation[]>()
  for (const op of history) {
    const list = byKey.get(op.key)
    if (list === undefined) byKey.set(op.key, [op])
    else list.push(op)
  }
  const failedKeys: string[] = []
  const unknownKeys: string[] = []
  for (const [key, ops] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const outcome = checkOperations(registerModel, ops, budget)
    if (outcome === 'violation') failedKeys.push(key)
    else if (outcome === 'unknown') unknownKeys.push(key)
  }
  const outcome = failedKeys.length > 0 ? 'violation' : unknownKeys.length > 0 ? 'unknown' : 'ok'
  return { outcome, failedKeys, unknownKeys }
}
