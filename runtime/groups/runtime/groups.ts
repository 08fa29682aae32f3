/**
 * `network.groups`: the Groups subsystem of one network. It owns the groups protocol
 * (`/mosaik/groups/1`), routes each inbound link to the joined group whose StoreId its hello names
 * (refusing unknown ones), and opens groups: typed ones for generated clients
 * (`matcher.join(network, machine)` through `join`) and generic ones for replicated collections
 * (`open`). One node joins a given StoreId at most once at a time.
 */

import { groupIdOf, storeIdOf } from '../../../schemas/identity.ts'
import type { GroupDescriptor } from '../../codegen/descriptors.ts'
import type { GroupOptions } from '../../codegen/groups.ts'
import type { GroupSession, GroupsRuntime, MachineAdapter } from '../../codegen/seam.ts'
import { Emitter } from '../../discovery/events.ts'
import type { Link } from '../../network/link.ts'
import type { Network } from '../../network/network.ts'
import { Digest } from '../../primitives/digest.ts'
import { InvalidInputError, isMosaikError } from '../../primitives/errors.ts'
import type { Logger } from '../../primitives/logger.ts'
import { BOND_LINK_OPTIONS, GROUPS_PROTOCOL } from '../bonds/bond-set.ts'
import { readHello, refuseBond } from '../bonds/handshake.ts'
import type { GroupEvent } from './events.ts'
import { Group, type GroupSpec } from './group.ts'
import { groupSession, typedMachine } from './session.ts'

/** How long an inbound link may take to say which group it wants. */
const HELLO_TIMEOUT_MS = 10_000

export class Groups implements GroupsRuntime {
  readonly #network: Network
  readonly #logger: Logger
  readonly #groups = new Map<string, Group>()
  readonly #events: Emitter<GroupEvent>
  #handler: Promise<() => Promise<void>> | undefined
  #closing: Promise<void> | undefined

  /** Created by `Network`; use `network.groups`. */
  constructor(network: Network) {
    this.#network = network
    this.#logger = network.logger.child({ subsystem: 'groups' })
    this.#events = new Emitter((err) => this.#logger.warn({ err }, 'groups event listener threw'))
    network.lifecycle.defer(() => this.close())
  }

  /** The open groups. */
  list(): Group[] {
    return [...this.#groups.values()]
  }

  /** The open group with this StoreId. */
  get(storeId: Digest | string): Group | undefined {
    return this.#groups.get(typeof storeId === 'string' ? storeId : storeId.hex)
  }

  /** Calls `listener` for every group event (formed, merged); returns the unsubscribe function. */
  subscribe(listener: (event: GroupEvent) => void): () => void {
    return this.#events.subscribe(listener)
  }

  /** Joins the group of a generated declaration (codegen-v1 seam). */
  join(descriptor: GroupDescriptor, machine: MachineAdapter, options: GroupOptions): GroupSession {
    const { machine: generic, checkCommand } = typedMachine(descriptor, machine)
    const spec: GroupSpec = {
      ...options,
      name: descriptor.name,
      typeSignature: Digest.fromHex(descriptor.typeSignature),
      machine: generic,
      checkCommand,
      ...(options.leadership === undefined ? {} : { leadership: options.leadership }),
    }
    const group = this.open(spec)
    return groupSession(group, descriptor, machine)
  }

  /**
   * Opens a group with a generic state machine (what replicated collections use). Throws
   * InvalidInputError if this node already has the same StoreId open, ClosedError once the network
   * is closing, ConfigError for bad timing.
   */
  open(spec: GroupSpec): Group {
    this.#network.lifecycle.assertOpen('network')
    if (this.#closing) throw new InvalidInputError('groups are closing')
    const groupId = groupIdOf(this.#network.networkId, spec.name, spec.secret)
    const baseStoreId = storeIdOf(groupId, spec.typeSignature)
    const group = new Group(
      {
        network: this.#network,
        logger: this.#logger,
        emit: (event) => this.#events.emit(event),
        closed: (g) => {
          if (this.#groups.get(g.storeId.hex) === g) this.#groups.delete(g.storeId.hex)
        },
      },
      spec,
      { groupId, baseStoreId },
    )
    if (this.#groups.has(group.storeId.hex)) {
      void group.close()
      throw new InvalidInputError(
        `group '${spec.name}' (store ${group.storeId.short}) is already joined on this node; close it first`,
      )
    }
    this.#groups.set(group.storeId.hex, group)
    void this.#ensureHandler().catch((err: unknown) =>
      this.#logger.warn({ err }, 'cannot serve the groups protocol'),
    )
    return group
  }

  /** Closes every group and stops serving the protocol. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled(this.list().map((g) => g.close()))
      const unhandle = await this.#handler?.catch(() => undefined)
      await unhandle?.().catch(() => {})
      this.#events.clear()
    })()
    return this.#closing
  }

  #ensureHandler(): Promise<() => Promise<void>> {
    this.#handler ??= this.#network.handle(GROUPS_PROTOCOL, (link) => this.#route(link), {
      link: BOND_LINK_OPTIONS,
    })
    return this.#handler
  }

  async #route(link: Link): Promise<void> {
    let hello: Awaited<ReturnType<typeof readHello>>
    try {
      hello = await readHello(link, HELLO_TIMEOUT_MS)
    } catch (err) {
      this.#logger.debug({ err, peer: link.peer }, 'bad group hello')
      if (isMosaikError(err, 'ERR_REJECTED')) await refuseBond(link, 'malformed')
      else link.abort()
      return
    }
    const group = this.#groups.get(hello.storeId.hex)
    if (group === undefined) {
      await refuseBond(link, 'unknown-group')
      return
    }
    await group.accept(link, hello)
  }
}
