/**
 * `mosaik/schema`: what users import to declare streams, groups and collections.
 */
export {}
