/**
 * A chat room: live messages on a stream, and two collections every participant replicates — who
 * is in the room, and the recent history a newcomer reads when it joins. Each room is its own
 * mosaik network, so these names only ever meet peers of the same room.
 */

import { defineMap, defineStream, defineVec } from 'mosaik/schema'
import Type from 'typebox'

const PeerId = Type.String({ minLength: 1, maxLength: 128, description: 'The sender’s libp2p peer id.' })
const Nickname = Type.String({ minLength: 1, maxLength: 32 })

/** One chat line. */
export const Message = Type.Object({
  from: PeerId,
  seq: Type.Integer({ minimum: 1, description: 'Per sender: 1, 2, 3, … (dedupes live vs. history).' }),
  nickname: Nickname,
  text: Type.String({ minLength: 1, maxLength: 2000 }),
  sentAt: Type.Integer({ minimum: 0, description: 'Sender’s clock, ms since the epoch (display only).' }),
})

/** A participant as the room shows it. */
export const Member = Type.Object({
  nickname: Nickname,
  color: Type.Integer({ minimum: 0, maximum: 5, description: 'Index into the terminal palette.' }),
  joinedAt: Type.Integer({ minimum: 0 }),
})

export const messages = defineStream({ name: 'chat.messages', datum: Message, description: 'Live messages.' })

export const members = defineMap({
  name: 'chat.members',
  description: 'Who is in the room, by peer id; each participant writes only its own entry.',
  key: PeerId,
  value: Member,
})

export const history = defineVec({
  name: 'chat.history',
  description: 'The most recent messages, oldest first, for participants who join later.',
  value: Message,
})
