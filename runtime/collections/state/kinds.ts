/** The six replicated collection kinds (SPEC §6). */
export type CollectionKind = 'map' | 'vec' | 'set' | 'cell' | 'once' | 'priorityQueue'
