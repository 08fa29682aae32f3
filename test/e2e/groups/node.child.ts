/**
 * A group member in its own process, driven over the JSON-lines channel of the fault harness.
 * argv[2] is a JSON `NodeConfig`. It joins the Ledger group and answers commands:
 * `status`, `load` (concurrent writers; every acknowledged write is reported with its index, the
 * term at acknowledgement and the wall-clock time), `stop-load`, `read`, `forge` (try to bond with
 * another store's id and a guessed secret) and `close`.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { GroupOptions } from '../../../runtime/codegen-v1.ts'
import { BOND_LINK_OPTIONS, GROUPS_PROTOCOL } from '../../../runtime/groups/bonds/bond-set.ts'
import { initiateBond } from '../../../runtime/groups/bonds/handshake.ts'
import { bondKey } from '../../../runtime/groups/bonds/proof.ts'
import type { GroupTiming } from '../../../runtime/groups/profiles.ts'
import { Network } from '../../../runtime/network/network.ts'
import { Digest } from '../../../runtime/primitives/digest.ts'
import { commands, emit } from '../../fault/harness/child.ts'
import { LedgerMachine, ledger } from './ledger.ts'

export interface NodeConfig {
  network: string
  key: string
  listen: string[]
  bootstrap: string[]
  secret: string
  dir?: string
  fsync?: boolean
  timing?: Partial<GroupTiming>
}

type Command =
  | { type: 'status' }
  | { type: 'load'; writers: number; prefix: string }
  | { type: 'stop-load' }
  | { type: 'read'; consistency: 'local' | 'linearizable' }
  | { type: 'forge'; peer: string; storeId: string; groupId: string }
  | { type: 'close' }

const config = JSON.parse(process.argv[2] as string) as NodeConfig
const network = await Network.create(config.network, {
  secretKey: config.key,
  listen: config.listen,
  bootstrap: config.bootstrap,
  dht: false,
  profile: 'fast',
})
const machine = new LedgerMachine()
const options = {
  secret: config.secret,
  ...(config.dir === undefined ? {} : { storage: { dir: config.dir, fsync: config.fsync ?? true } }),
  ...(config.timing === undefined ? {} : { timing: config.timing }),
} as GroupOptions
const client = ledger.join(network, machine, options)
const group = network.groups.get(client.storeId)
emit({
  type: 'ready',
  peerId: network.peerId,
  addresses: network.addresses,
  storeId: client.storeId.hex,
  groupId: client.groupId.hex,
})

let loading = false
let sequence = 0
const writers: Promise<void>[] = []

function status() {
  return {
    type: 'status',
    leader: client.leader ?? null,
    isLeader: client.isLeader,
    term: group?.term ?? 0,
    committed: client.committed,
    count: machine.count(),
    duplicates: machine.duplicates,
    members: client.members,
    bonded: group?.bonded ?? [],
  }
}

async function writer(prefix: string): Promise<void> {
  while (loading) {
    const id = `${prefix}-${++sequence}`
    try {
      const index = await client.execute.record({ id }, { timeout: 5_000 })
      emit({ type: 'acked', id, index, term: group?.term ?? 0, at: Date.now() })
    } catch (err) {
      emit({ type: 'failed', id, code: (err as { code?: string }).code ?? 'unknown', at: Date.now() })
      await delay(5)
    }
  }
}

for await (const command of commands<Command>()) {
  if (command.type === 'status') emit(status())
  else if (command.type === 'load') {
    loading = true
    for (let i = 0; i < command.writers; i++) writers.push(writer(command.prefix))
  } else if (command.type === 'stop-load') {
    loading = false
    await Promise.all(writers.splice(0))
    emit({ type: 'load-stopped' })
  } else if (command.type === 'read') {
    try {
      const ids = await client.query.ids({}, { consistency: command.consistency, timeout: 5_000 })
      emit({ type: 'ids', ids })
    } catch (err) {
      emit({ type: 'read-failed', code: (err as { code?: string }).code ?? 'unknown' })
    }
  } else if (command.type === 'forge') {
    const storeId = Digest.fromHex(command.storeId)
    network.discovery.addGroups(storeId)
    try {
      const link = await network.connect(command.peer, GROUPS_PROTOCOL, { link: BOND_LINK_OPTIONS })
      const side = {
        storeId,
        key: bondKey(storeId, Digest.fromHex(command.groupId), 'a guess'),
        localPeer: network.peerId,
        status: () => ({ formation: null, observer: false, locked: false }),
      }
      await initiateBond(link, side, 5_000)
      emit({ type: 'forged', ok: true })
    } catch (err) {
      emit({ type: 'forged', ok: false, reason: (err as { reason?: string }).reason ?? String(err) })
    }
  } else if (command.type === 'close') {
    loading = false
    await client.close()
    await network.close()
    emit({ type: 'closed' })
    process.exit(0)
  }
}
