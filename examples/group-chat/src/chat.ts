/**
 * A terminal chat room. Every instance that joins the same room name is a peer of the same mosaik
 * network: messages travel live on the `messages` stream, and two replicated collections hold who
 * is here (`members`) and what was said (`history`, so a newcomer sees the conversation so far).
 *
 *   npx node --conditions=mosaik-source examples/group-chat/src/chat.ts --room lobby --nick ann
 *
 * Options: --room <name> (default lobby), --nick <name>, --color <0-5>, --peer <multiaddr>
 * (repeatable), --dht public|off|host:port[,…] (default public), --no-mdns (mDNS finds peers on the
 * LAN and on this machine; on by default), --host <ip>, --search <seconds> (how long to look for
 * others before opening the room alone; default 3), --json (events out and input in as JSON lines,
 * for scripts and tests).
 */
import { setTimeout as delay } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { createLogger, type DhtOption, Network } from 'mosaik'
import { history, type Member, type Message, members, messages } from './generated/index.ts'
import { type ChatIo, jsonIo, textIo } from './io.ts'
import { defaultColor, diffMembers, HELP, MAX_TEXT, PALETTE, parseInput, SeenMessages } from './ui.ts'

/** Messages kept in the replicated history. */
const HISTORY_LIMIT = 200
/** How long leaving may take before the chat exits anyway. */
const LEAVE_TIMEOUT_MS = 4_000
/** How long the goodbye (removing our member entry) may take. */
const GOODBYE_TIMEOUT_MS = 2_000

const { values } = parseArgs({
  allowNegative: true,
  options: {
    room: { type: 'string', short: 'r', default: 'lobby' },
    nick: { type: 'string', short: 'n', default: 'anon' },
    color: { type: 'string', short: 'c' },
    peer: { type: 'string', short: 'p', multiple: true, default: [] },
    dht: { type: 'string', default: 'public' },
    mdns: { type: 'boolean', default: true },
    host: { type: 'string', default: '0.0.0.0' },
    json: { type: 'boolean', default: false },
    search: { type: 'string', default: '3' },
  },
})

function dhtOption(mode: string): DhtOption {
  if (mode === 'public') return true
  if (mode === 'off') return false
  return { bootstrap: mode.split(',') }
}

const io: ChatIo = values.json ? jsonIo() : textIo()
const searchSeconds = Number(values.search)
if (values.nick.length < 1 || values.nick.length > 32) {
  io.notice('--nick must be 1-32 characters')
  process.exit(2)
}
if (!(searchSeconds >= 0 && searchSeconds <= 600)) {
  io.notice('--search must be 0-600 seconds')
  process.exit(2)
}

// One network per room: peers of other rooms never even see each other.
const network = await Network.create(`mosaik-example-group-chat/${values.room}`, {
  listen: [`/ip4/${values.host}/udp/0/quic-v1`, `/ip4/${values.host}/tcp/0`],
  bootstrap: values.peer,
  dht: dhtOption(values.dht),
  mdns: values.mdns,
  // Log lines would tear through the conversation: only errors, unless MOSAIK_LOG says otherwise.
  logger: createLogger({ level: process.env.MOSAIK_LOG ?? 'error' }),
})
const self = network.peerId
const color = values.color === undefined ? defaultColor(self) : Number(values.color) % PALETTE.length
let me: Member = { nickname: values.nick, color, joinedAt: Date.now() }

// Look for the room before opening its collections: a participant that opens them while it sees
// nobody founds the room's groups alone, and if the room existed after all, its own are merged
// away later (with what it wrote meanwhile).
io.notice(`looking for '${values.room}'…`)
const found = await network.discovery
  .when((catalog) => catalog.size > 0, { timeout: searchSeconds * 1000 })
  .then(
    () => true,
    () => false,
  )
if (!found) io.notice('nobody here yet: opening the room')

const roster = members.writer(network)
const log = history.writer(network)
// Nobody may be listening yet: sending must never wait for a subscriber.
const outbox = messages.producer(network, { onlineWhen: { min: 0 } })
const inbox = messages.consumer(network)
const stop = new AbortController()
const seen = new SeenMessages()
const colorOf = (m: Message): number => roster.get(m.from)?.color ?? defaultColor(m.from)
const show = (m: Message): void => {
  if (seen.accept(m)) io.message(m, colorOf(m))
}

io.notice(`joining as ${me.nickname} (peer ${self.slice(-8)})…`)
await Promise.all([roster.when.online(), log.when.online()])
await roster.insert(self, me)
for (const m of await log.read({ consistency: 'linearizable' })) show(m)
io.ready(self, values.room)
// Who is here now; from this snapshot on, followMembers reports every change.
const present = new Map(roster.entries())
io.who(present, self)

/** New messages, live from the stream. */
async function followStream(): Promise<void> {
  for await (const m of inbox) show(m)
}

/** New messages through the history too: they reach us even if a sender's stream channel was not up yet. */
async function followHistory(): Promise<void> {
  for await (const change of log.watch(undefined, { signal: stop.signal })) {
    if (change.type === 'insert') show(change.value)
  }
}

/** Joins, leaves and nickname changes; re-adds us if our entry went missing. */
async function followMembers(): Promise<void> {
  let before = present
  while (!stop.signal.aborted) {
    await roster.when.updated({ signal: stop.signal })
    // Our own goodbye is not news to us.
    if (leaving) return
    const after = new Map(roster.entries())
    for (const line of diffMembers(before, after)) io.notice(line)
    before = after
    if (!after.has(self)) await roster.insert(self, me)
  }
}

let seq = 0
async function say(text: string): Promise<void> {
  const m: Message = { from: self, seq: ++seq, nickname: me.nickname, text, sentAt: Date.now() }
  show(m)
  // History first, then live: whoever misses the live copy finds it in the history.
  await log.pushBack(m)
  if (log.size > HISTORY_LIMIT) await log.popFront()
  await outbox.send(m, { signal: stop.signal })
}

async function handle(line: string): Promise<boolean> {
  const input = parseInput(line)
  switch (input.kind) {
    case 'say':
      await say(input.text)
      return true
    case 'nick':
      me = { ...me, nickname: input.nickname }
      await roster.insert(self, me)
      return true
    case 'who':
      io.who(new Map(roster.entries()), self)
      return true
    case 'help':
      io.notice(HELP)
      return true
    case 'quit':
      return false
    case 'invalid':
      io.notice(input.reason)
      return true
    case 'empty':
      return true
  }
}

const background = [followStream(), followHistory(), followMembers()].map((loop) =>
  loop.catch((err: unknown) => {
    if (!stop.signal.aborted) io.notice(`error: ${err instanceof Error ? err.message : String(err)}`)
  }),
)

let leaving: Promise<void> | undefined
function leave(): Promise<void> {
  leaving ??= (async () => {
    io.notice('leaving…')
    // Leaving is polite, not essential: if the room does not answer in time, exit anyway.
    setTimeout(() => process.exit(0), LEAVE_TIMEOUT_MS).unref()
    // Saying goodbye needs a quorum of the room; if too many left already, do not wait for it.
    await Promise.race([
      roster.delete(self).catch(() => {}),
      delay(GOODBYE_TIMEOUT_MS, undefined, { ref: false }),
    ])
    stop.abort()
    await Promise.allSettled([inbox.close(), outbox.close(), roster.close(), log.close()])
    await Promise.all(background)
    await network.close()
    io.close()
    process.exit(0)
  })()
  return leaving
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void leave())

for await (const line of io.lines()) {
  if (line.length > MAX_TEXT * 2) continue
  const keepGoing = await handle(line).catch((err: unknown) => {
    io.notice(`error: ${err instanceof Error ? err.message : String(err)}`)
    return true
  })
  if (!keepGoing) break
}
await leave()
