/**
 * Virtual time: a priority queue of callbacks ordered by (time, insertion order), so equal-time
 * events run in a fixed order and a seed always replays the same way.
 */
interface Scheduled {
  time: number
  seq: number
  run: () => void
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq)
}

export class EventQueue {
  #heap: Scheduled[] = []
  #seq = 0
  now = 0

  get size(): number {
    return this.#heap.length
  }

  /** Runs `run` at virtual time `now + delay`. */
  after(delay: number, run: () => void): void {
    this.#push({ time: this.now + Math.max(0, delay), seq: this.#seq++, run })
  }

  /** Runs the next event (advancing `now`); false when none is due at or before `until`. */
  runNext(until: number): boolean {
    const top = this.#heap[0]
    if (top === undefined || top.time > until) return false
    this.#pop()
    this.now = top.time
    top.run()
    return true
  }

  #push(item: Scheduled): void {
    const heap = this.#heap
    heap.push(item)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(item, heap[parent] as Scheduled)) break
      heap[i] = heap[parent] as Scheduled
      i = parent
    }
    heap[i] = item
  }

  #pop(): void {
    const heap = this.#heap
    const last = heap.pop() as Scheduled
    if (heap.length === 0) return
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= heap.length) break
      const right = left + 1
      const child =
        right < heap.length && before(heap[right] as Scheduled, heap[left] as Scheduled) ? right : left
      if (!before(heap[child] as Scheduled, last)) break
      heap[i] = heap[child] as Scheduled
      i = child
    }
    heap[i] = last
  }
}
