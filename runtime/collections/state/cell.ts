/** The replicated Cell state machine: one optional value, with compare-and-swap. */
import type { CellChange } from '../../codegen/collections.ts'
import type { ChangeRecorder } from './machine.ts'
import { SingleValueState } from './single.ts'
import { valuesEqual } from './values.ts'

/** Cell commands (plain data). An absent `expected`/`next` means "empty". */
export type CellCommand<T> =
  | { readonly op: 'set'; readonly value: T }
  | { readonly op: 'clear' }
  | { readonly op: 'compareAndSwap'; readonly expected?: T; readonly next?: T }

/** The result of each Cell command. */
export interface CellResults<T> {
  /** The previous value, if any. */
  set: T | undefined
  /** The removed value, if any. */
  clear: T | undefined
  /** Whether the current value matched `expected` (and was replaced). */
  compareAndSwap: boolean
}

type Change<T> = CellChange<T>

export class CellState<T> extends SingleValueState<CellCommand<T>, CellResults<T>, Change<T>, T> {
  readonly kind = 'cell'

  protected execute(command: CellCommand<T>, changes: ChangeRecorder<Change<T>>): unknown {
    switch (command.op) {
      case 'set':
        return this.#set(this.value(command.value) as T, changes)
      case 'clear':
        return this.#clear(changes)
      case 'compareAndSwap': {
        const expected = this.optionalValue(command.expected)
        const next = this.optionalValue(command.next) as T | undefined
        const current = this.current
        const matches =
          expected === undefined
            ? current === undefined
            : current !== undefined && valuesEqual(current, expected)
        if (!matches) return false
        if (next === undefined) this.#clear(changes)
        else this.#set(next, changes)
        return true
      }
      default:
        throw this.unknownOp(command)
    }
  }

  #set(value: T, changes: ChangeRecorder<Change<T>>): T | undefined {
    const previous = this.current
    this.current = value
    changes.emit({ version: changes.version, type: 'set', value, previous })
    return previous
  }

  #clear(changes: ChangeRecorder<Change<T>>): T | undefined {
    const previous = this.current
    if (previous === undefined) return undefined
    this.current = undefined
    changes.emit({ version: changes.version, type: 'clear', previous })
    return previous
  }
}
