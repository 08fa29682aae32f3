/**
 * Items released at their due time, earliest first (ties in insertion order), driven by a single
 * timer however many items wait. The proxies use it to delay packets without one timer per packet.
 */
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'

interface Entry<T> {
  due: number
  seq: number
  item: T
}

/** Milliseconds on a monotonic clock. */
export type Clock = () => number

export class DelayQueue<T> {
  readonly #deliver: (item: T) => void
  readonly #now: Clock
  readonly #heap: Entry<T>[] = []
  #seq = 0
  #timer: NodeJS.Timeout | undefined
  #timerDue = Number.POSITIVE_INFINITY
  #closed = false

  /** `deliver` is called for each item when it is due. */
  constructor(deliver: (item: T) => void, now: Clock = () => performance.now()) {
    this.#deliver = deliver
    this.#now = now
  }

  /** Items waiting. */
  get size(): number {
    return this.#heap.length
  }

  /** Queues `item` for delivery `delayMs` from now (≤ 0: on the next flush, still in order). */
  push(item: T, delayMs: number): void {
    this.pushAt(item, this.#now() + delayMs)
  }

  /** Queues `item` for delivery at time `due` on the queue's clock. */
  pushAt(item: T, due: number): void {
    if (!Number.isFinite(due)) throw new InvalidInputError(`due time must be finite, got ${due}`)
    if (this.#closed) return
    this.#insert({ due, seq: this.#seq++, item })
    this.#arm()
  }

  /** Delivers every item that is due now. */
  flush(): void {
    const now = this.#now()
    while (!this.#closed && this.#heap.length > 0 && (this.#heap[0] as Entry<T>).due <= now) {
      this.#deliver(this.#pop().item)
    }
    this.#arm()
  }

  /** Drops every waiting item and stops the timer; later pushes are ignored. */
  close(): void {
    this.#closed = true
    this.#heap.length = 0
    this.#disarm()
  }

  #arm(): void {
    const head = this.#heap[0]
    if (this.#closed || head === undefined) {
      this.#disarm()
      return
    }
    if (this.#timer !== undefined && this.#timerDue <= head.due) return
    this.#disarm()
    this.#timerDue = head.due
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined
        this.#timerDue = Number.POSITIVE_INFINITY
        this.flush()
      },
      Math.max(0, head.due - this.#now()),
    )
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerDue = Number.POSITIVE_INFINITY
  }

  #less(a: Entry<T>, b: Entry<T>): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq)
  }

  #insert(entry: Entry<T>): void {
    const heap = this.#heap
    heap.push(entry)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#less(heap[i] as Entry<T>, heap[parent] as Entry<T>)) break
      ;[heap[i], heap[parent]] = [heap[parent] as Entry<T>, heap[i] as Entry<T>]
      i = parent
    }
  }

  #pop(): Entry<T> {
    const heap = this.#heap
    const top = heap[0] as Entry<T>
    const last = heap.pop() as Entry<T>
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let smallest = i
        if (l < heap.length && this.#less(heap[l] as Entry<T>, heap[smallest] as Entry<T>)) smallest = l
        if (r < heap.length && this.#less(heap[r] as Entry<T>, heap[smallest] as Entry<T>)) smallest = r
        if (smallest === i) break
        ;[heap[i], heap[smallest]] = [heap[smallest] as Entry<T>, heap[i] as Entry<T>]
        i = smallest
      }
    }
    return top
  }
}
