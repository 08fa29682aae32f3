/**
 * The replicated Once state machine: the first committed `set` wins; later ones still commit (the
 * version advances) but change nothing.
 */
import type { OnceChange } from '../../codegen/collections.ts'
import type { ChangeRecorder } from './machine.ts'
import { SingleValueState } from './single.ts'

/** Once commands (plain data). */
export type OnceCommand<T> = { readonly op: 'set'; readonly value: T }

/** The result of each Once command. */
export interface OnceResults {
  /** Whether this write was the first and took effect. */
  set: boolean
}

type Change<T> = OnceChange<T>

export class OnceState<T> extends SingleValueState<OnceCommand<T>, OnceResults, Change<T>, T> {
  readonly kind = 'once'

  protected execute(command: OnceCommand<T>, changes: ChangeRecorder<Change<T>>): unknown {
    if (command.op !== 'set') throw this.unknownOp(command)
    const value = this.value(command.value) as T
    if (this.current !== undefined) return false
    this.current = value
    changes.emit({ version: changes.version, type: 'set', value })
    return true
  }
}
