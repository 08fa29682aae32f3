/** What the kill -9 child writes, so the parent can check every byte it was told is durable. */

/** Entry data for (index, term): 128 bytes. */
export function entryData(index: number, term: number): Uint8Array {
  const out = new Uint8Array(128)
  for (let i = 0; i < out.length; i++) out[i] = (index * 131 + term * 17 + i * 7) & 0xff
  return out
}

/** Snapshot data for a snapshot at `index`: 1000 bytes. */
export function snapshotData(index: number): Uint8Array {
  const out = new Uint8Array(1000)
  for (let i = 0; i < out.length; i++) out[i] = (index * 29 + i) & 0xff
  return out
}

/** Lines the child prints, each only once the thing it names is durable. */
export type Ack =
  | { kind: 'entry'; index: number; term: number }
  | { kind: 'term'; term: number }
  | { kind: 'commit'; commit: number }
  | { kind: 'snapshot'; index: number }

export function formatAck(ack: Ack): string {
  switch (ack.kind) {
    case 'entry':
      return `entry ${ack.index} ${ack.term}`
    case 'term':
      return `term ${ack.term}`
    case 'commit':
      return `commit ${ack.commit}`
    case 'snapshot':
      return `snapshot ${ack.index}`
  }
}

export function parseAck(line: string): Ack | undefined {
  const [kind, a, b] = line.trim().split(' ')
  const x = Number(a)
  if (kind === 'entry') return { kind, index: x, term: Number(b) }
  if (kind === 'term') return { kind, term: x }
  if (kind === 'commit') return { kind, commit: x }
  if (kind === 'snapshot') return { kind, index: x }
  return undefined
}
