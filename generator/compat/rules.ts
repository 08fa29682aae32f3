/**
 * The compatibility rules of `mosaik check`: stable ids (never renamed or reused), a category by
 * consequence, a severity, and what each means. `mosaik rules` prints this catalog.
 *
 * Categories (SPEC §5):
 * - IDENTITY: an id or signature changes, so old and new nodes stop talking about the declaration;
 * - WIRE: old and new nodes could not decode or validate each other's values;
 * - SOURCE: the generated TypeScript API changes, so code using it must change.
 */

export type Category = 'IDENTITY' | 'WIRE' | 'SOURCE'

/** `breaking` findings make `mosaik check` exit 1; `note`s are informational. */
export type Severity = 'breaking' | 'note'

export interface Rule {
  readonly id: string
  readonly category: Category
  readonly severity: Severity
  readonly summary: string
  /** What goes wrong, and what to do about it. */
  readonly explanation: string
}

const catalog = [
  {
    id: 'DECLARATION_REMOVED',
    category: 'IDENTITY',
    severity: 'breaking',
    summary: 'a declaration was removed',
    explanation: 'Nodes still running the old code keep using it and find no peers among upgraded nodes.',
  },
  {
    id: 'DECLARATION_ADDED',
    category: 'SOURCE',
    severity: 'note',
    summary: 'a declaration was added',
    explanation: 'New handles appear in the generated code; nothing existing changes.',
  },
  {
    id: 'KIND_CHANGED',
    category: 'IDENTITY',
    severity: 'breaking',
    summary: 'a declaration changed kind (e.g. stream → map)',
    explanation: 'It is a different thing with the same name; old and new nodes cannot cooperate on it.',
  },
  {
    id: 'EXPORT_RENAMED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: 'a declaration moved to another export name or schema module',
    explanation: 'Code importing the generated handle under its old name or path no longer compiles.',
  },
  {
    id: 'STREAM_SIGNATURE_CHANGED',
    category: 'IDENTITY',
    severity: 'breaking',
    summary: "a stream's datum signature changed",
    explanation:
      'The subscribe handshake compares datum signatures, so old producers and new consumers (and vice versa) refuse each other with SchemaMismatch.',
  },
  {
    id: 'STORE_ID_CHANGED',
    category: 'IDENTITY',
    severity: 'breaking',
    summary: "a group's or collection's StoreId changed",
    explanation:
      'StoreId = derive(GroupId, typeSignature): nodes with the old and the new schemas form separate groups on every network and replicate nothing between them.',
  },
  {
    id: 'CAPACITY_CHANGED',
    category: 'IDENTITY',
    severity: 'breaking',
    summary: "a priority queue's capacity changed",
    explanation: 'Replicas must agree on evictions, so the capacity is part of the typeSignature.',
  },
  {
    id: 'FIELD_ADDED_REQUIRED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'a required field was added',
    explanation:
      'Values written by old nodes lack it and fail validation on new nodes. Add it as optional instead.',
  },
  {
    id: 'FIELD_ADDED_OPTIONAL',
    category: 'SOURCE',
    severity: 'note',
    summary: 'an optional field was added',
    explanation:
      'Old values stay valid; old readers accept new values unless the object forbids extra properties.',
  },
  {
    id: 'FIELD_REMOVED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'a required field was removed',
    explanation: 'Old nodes still require it and reject values from new nodes.',
  },
  {
    id: 'OPTIONAL_FIELD_REMOVED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: 'an optional field was removed',
    explanation:
      'Code reading or writing the field no longer compiles; values from old nodes may still carry it.',
  },
  {
    id: 'FIELD_TYPE_CHANGED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'a type changed (e.g. integer → string)',
    explanation: 'Values of the old type fail validation against the new schema and vice versa.',
  },
  {
    id: 'FIELD_MADE_REQUIRED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'an optional field became required',
    explanation: 'Values from old nodes that omit it fail validation on new nodes.',
  },
  {
    id: 'FIELD_MADE_OPTIONAL',
    category: 'SOURCE',
    severity: 'note',
    summary: 'a required field became optional',
    explanation: 'Readers must now handle its absence; old nodes reject new values that omit it.',
  },
  {
    id: 'ENUM_MEMBER_REMOVED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'a literal or enum member was removed',
    explanation: 'Values using the removed member, written by old nodes, fail validation on new nodes.',
  },
  {
    id: 'ENUM_MEMBER_ADDED',
    category: 'WIRE',
    severity: 'note',
    summary: 'a literal or enum member was added',
    explanation: 'Old nodes reject values that use the new member; upgrade readers before writers use it.',
  },
  {
    id: 'UNION_MEMBER_REMOVED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'a union alternative was removed',
    explanation: 'Values of the removed alternative fail validation on new nodes.',
  },
  {
    id: 'UNION_MEMBER_ADDED',
    category: 'WIRE',
    severity: 'note',
    summary: 'a union alternative was added',
    explanation: 'Old nodes reject values of the new alternative; upgrade readers first.',
  },
  {
    id: 'ARRAY_ITEM_TYPE_CHANGED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'the item type of an array changed',
    explanation: 'Arrays written with the old item type fail validation on new nodes and vice versa.',
  },
  {
    id: 'MAP_KEY_TYPE_CHANGED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'the key type of a map, priority queue or record changed',
    explanation: 'Existing keys no longer validate; replicated state written with old keys cannot be read.',
  },
  {
    id: 'CONSTRAINT_CHANGED',
    category: 'WIRE',
    severity: 'breaking',
    summary: 'a constraint changed (minimum, maxLength, pattern, …)',
    explanation: 'Values valid on one side of the change may be rejected on the other.',
  },
  {
    id: 'COMMAND_ADDED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: 'a group command was added',
    explanation: 'State machines must implement the new method; old nodes cannot apply the command.',
  },
  {
    id: 'COMMAND_REMOVED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: 'a group command was removed',
    explanation: 'Code calling execute/feed with it no longer compiles; old logs still contain it.',
  },
  {
    id: 'COMMAND_CHANGED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: "a group command's schema changed",
    explanation: 'The execute/feed parameter and the state-machine method change; see the detailed findings.',
  },
  {
    id: 'QUERY_ADDED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: 'a group query was added',
    explanation: 'State machines must implement the new method.',
  },
  {
    id: 'QUERY_REMOVED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: 'a group query was removed',
    explanation: 'Code calling it no longer compiles.',
  },
  {
    id: 'QUERY_INPUT_CHANGED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: "a group query's input schema changed",
    explanation: 'Callers must pass the new input; see the detailed findings.',
  },
  {
    id: 'QUERY_OUTPUT_CHANGED',
    category: 'SOURCE',
    severity: 'breaking',
    summary: "a group query's output schema changed",
    explanation: 'Callers receive a differently typed result; see the detailed findings.',
  },
] as const satisfies readonly Rule[]

/** A rule id. */
export type RuleId = (typeof catalog)[number]['id']

/** Every rule, in catalog order. */
export const RULES: readonly Rule[] = catalog

const byId = new Map<string, Rule>(catalog.map((rule) => [rule.id, rule]))

/** The rule with id `id`. */
export function rule(id: RuleId): Rule {
  return byId.get(id) as Rule
}
