/**
 * The state machine and the write-side validators of a collection declaration: keys, values and
 * priorities are checked against the declaration's compiled schemas before a command is proposed
 * (the caller gets a ValidationError) and again by every replica when it applies the command or
 * restores a snapshot (invalid data from a peer is refused, never applied).
 */
import type { CollectionDescriptor } from '../../codegen/descriptors.ts'
import { type Validator, validatorOf } from '../../codegen/validator.ts'
import { CellState } from '../state/cell.ts'
import { MapState } from '../state/map.ts'
import { OnceState } from '../state/once.ts'
import { PriorityQueueState } from '../state/priority-queue.ts'
import { SetState } from '../state/set.ts'
import { VecState } from '../state/vec.ts'
import type { AnyState } from './replica.ts'

/** The compiled schemas of a declaration, by role. */
export interface Validators {
  readonly key?: Validator<unknown>
  readonly value: Validator<unknown>
  readonly priority?: Validator<unknown>
}

/** The validators of `descriptor`'s schemas (compiled once per descriptor). */
export function validatorsOf(descriptor: CollectionDescriptor): Validators {
  const of = (schema: Parameters<typeof validatorOf>[1]) => validatorOf<unknown>(descriptor.name, schema)
  const value = of(descriptor.value)
  switch (descriptor.kind) {
    case 'map':
      return { key: of(descriptor.key), value }
    case 'set':
      // A Set's elements are its keys: the state checks them with the key validator.
      return { key: value, value }
    case 'priorityQueue':
      return { key: of(descriptor.key), value, priority: of(descriptor.priority) }
    default:
      return { value }
  }
}

/** A factory of empty states of `descriptor`'s kind that validate what they apply. */
export function stateFactory(descriptor: CollectionDescriptor, validators: Validators): () => AnyState {
  const options = {
    validateValue: validators.value,
    ...(validators.key === undefined ? {} : { validateKey: validators.key }),
  }
  switch (descriptor.kind) {
    case 'map':
      return () => new MapState(options)
    case 'vec':
      return () => new VecState(options)
    case 'set':
      return () => new SetState(options)
    case 'cell':
      return () => new CellState(options)
    case 'once':
      return () => new OnceState(options)
    case 'priorityQueue': {
      const pq = {
        ...options,
        ...(validators.priority === undefined ? {} : { validatePriority: validators.priority }),
        ...(descriptor.capacity === undefined ? {} : { capacity: descriptor.capacity }),
      }
      return () => new PriorityQueueState(pq)
    }
  }
}
