/**
 * `mosaik ids [--config f] [--network name] [--format text|json]`: every declaration's signatures
 * and ids. With `--network`, also the run-time GroupId and StoreId on that network (without a group
 * secret; a secret changes the GroupId and so the StoreId).
 */
import { Command, Option } from 'commander'
import type { Descriptor } from '../../runtime/codegen/descriptors.ts'
import { idsOf } from '../../runtime/codegen/ids.ts'
import { networkIdOf } from '../../schemas/identity.ts'
import type { CliContext, CommandFactory } from '../context.ts'
import { loadProject } from '../project.ts'

interface IdsFlags {
  config?: string
  network?: string
  format: 'text' | 'json'
}

interface IdsRow {
  readonly name: string
  readonly kind: Descriptor['kind']
  readonly module: string
  readonly export: string
  readonly signatures: Record<string, string>
  readonly streamId?: string
  readonly typeSignature?: string
  readonly groupId?: string
  readonly storeId?: string
}

function signaturesOf(d: Descriptor): Record<string, string> {
  switch (d.kind) {
    case 'stream':
      return { datum: d.datum.signature }
    case 'group':
      return Object.fromEntries([
        ...Object.entries(d.commands).map(([n, c]) => [`command ${n}`, c.signature]),
        ...Object.entries(d.queries).flatMap(([n, q]) => [
          [`query ${n} input`, q.input.signature],
          [`query ${n} output`, q.output.signature],
        ]),
      ])
    case 'priorityQueue':
      return { priority: d.priority.signature, key: d.key.signature, value: d.value.signature }
    case 'map':
      return { key: d.key.signature, value: d.value.signature }
    default:
      return { value: d.value.signature }
  }
}

async function run(context: CliContext, flags: IdsFlags): Promise<void> {
  const { ir } = await loadProject(context.cwd, flags.config)
  const rows: IdsRow[] = []
  for (const module of ir.modules) {
    for (const { descriptor: d, exportName } of module.declarations) {
      const base = {
        name: d.name,
        kind: d.kind,
        module: module.source,
        export: exportName,
        signatures: signaturesOf(d),
      }
      if (d.kind === 'stream') {
        rows.push({ ...base, streamId: d.streamId })
      } else {
        const ids = flags.network === undefined ? undefined : idsOf(d, flags.network)
        rows.push({
          ...base,
          typeSignature: d.typeSignature,
          ...(ids ? { groupId: ids.groupId.hex, storeId: ids.storeId.hex } : {}),
        })
      }
    }
  }
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const network =
    flags.network === undefined ? undefined : { name: flags.network, id: networkIdOf(flags.network).hex }
  if (flags.format === 'json') {
    context.stdout(`${JSON.stringify({ ...(network ? { network } : {}), declarations: rows }, null, 2)}\n`)
    return
  }
  if (network) context.stdout(`network ${network.name}  ${network.id}\n`)
  for (const row of rows) {
    context.stdout(`${row.name}  (${row.kind}, ${row.module}#${row.export})\n`)
    const ids: [string, string | undefined][] = [
      ['streamId', row.streamId],
      ['typeSignature', row.typeSignature],
      ['groupId', row.groupId],
      ['storeId', row.storeId],
      ...Object.entries(row.signatures).map(([k, v]): [string, string] => [`signature ${k}`, v]),
    ]
    const width = Math.max(...ids.map(([label]) => label.length))
    for (const [label, value] of ids)
      if (value !== undefined) context.stdout(`  ${label.padEnd(width)}  ${value}\n`)
  }
}

export const idsCommand: CommandFactory = (context) =>
  new Command('ids')
    .description("print every declaration's signatures and ids")
    .option('--config <file>', 'config file (default: mosaik.config.ts in the working directory, if any)')
    .option('--network <name>', 'also derive the GroupId and StoreId on this network')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags: IdsFlags) => run(context, flags))
