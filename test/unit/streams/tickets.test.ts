/** Ports of mosaik's tests/tickets stream scenarios: JWT tickets required by producers and consumers. */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import type { Network } from '../../../runtime/network/network.ts'
import {
  generateJwtKeyPair,
  issueJwtTicket,
  type JwtSigningKey,
  JwtValidator,
  jwtSigningKey,
  jwtVerifyingKey,
} from '../../../runtime/tickets/jwt.ts'
import { connectedPeers, handleOf, join, metricReaches, nodes, take, text, wait } from './helpers.ts'

const HOUR = 3_600_000

async function hs256(issuer: string): Promise<{ signing: JwtSigningKey; validator: JwtValidator }> {
  const secret = new TextEncoder().encode(`secret of ${issuer}`)
  const signing = await jwtSigningKey('HS256', secret)
  const validator = new JwtValidator({ keys: [await jwtVerifyingKey('HS256', secret)], issuers: [issuer] })
  return { signing, validator }
}

/** Attaches a ticket from `issuer` to `node`'s entry, valid until `expiresAt`. */
async function grant(node: Network, signing: JwtSigningKey, issuer: string, expiresAt = Date.now() + HOUR) {
  node.discovery.addTicket(await issueJwtTicket(signing, node.peerId, { issuer, expiresAt }))
}

const unauthorized = (side: 'producer' | 'consumer') => ({ side, reason: 'unauthorized' })

describe('stream tickets', () => {
  it('stream_consumer: a consumer subscribes only to the producer with a valid ticket', async () => {
    const { signing, validator } = await hs256('ops')
    const [n0] = await nodes(1)
    const [valid, expired, none] = await join(n0!, 3)
    await grant(valid!, signing, 'ops')
    await grant(expired!, signing, 'ops', Date.now() - HOUR)
    for (const n of [valid, expired, none]) text.producer(n!)
    const consumer = text.consumer(n0!, { tickets: [validator] })
    await consumer.when.subscribed(undefined, wait())
    await metricReaches(n0!, 'mosaik_streams_refused_total', unauthorized('consumer'), 2)
    expect(connectedPeers(consumer.producers())).toEqual([valid!.peerId])
    const producer = text.producer(valid!)
    await producer.send('one')
    expect(await take(consumer, 1)).toEqual(['one'])
  })

  it('stream_producer: a producer accepts only the consumer with a valid ticket', async () => {
    const { signing, validator } = await hs256('ops')
    const [n0] = await nodes(1)
    const producer = text.producer(n0!, { tickets: [validator] })
    const [valid, expired, none] = await join(n0!, 3)
    await grant(valid!, signing, 'ops')
    await grant(expired!, signing, 'ops', Date.now() - HOUR)
    const consumers = [valid, expired, none].map((n) => text.consumer(n!))
    await producer.when.online(wait())
    await consumers[0]!.when.subscribed(undefined, wait())
    await metricReaches(n0!, 'mosaik_streams_refused_total', unauthorized('producer'), 2)
    expect(connectedPeers(producer.consumers())).toEqual([valid!.peerId])
    expect(consumers.map((c) => connectedPeers(c.producers()).length)).toEqual([1, 0, 0])
  })

  it('multiple validators: both sides require tickets of two issuers', async () => {
    const alpha = await hs256('issuer-alpha')
    const beta = await hs256('issuer-beta')
    const required = [alpha.validator, beta.validator]
    const [n0] = await nodes(1)
    const [both, onlyAlpha, onlyBeta] = await join(n0!, 3)
    await grant(both!, alpha.signing, 'issuer-alpha')
    await grant(both!, beta.signing, 'issuer-beta')
    await grant(onlyAlpha!, alpha.signing, 'issuer-alpha')
    await grant(onlyBeta!, beta.signing, 'issuer-beta')
    const peers = [both, onlyAlpha, onlyBeta] as Network[]
    // Producer side: stream `data1` produced on n0 for the three.
    const producer = text.producer(n0!, { tickets: required })
    for (const n of peers) text.consumer(n)
    // Consumer side: stream `gated` produced by the three for n0.
    const gated = handleOf<string>('gated', Type.String())
    for (const n of peers) gated.producer(n)
    const consumer = gated.consumer(n0!, { tickets: required })
    await producer.when.online(wait())
    await consumer.when.subscribed(undefined, wait())
    await metricReaches(n0!, 'mosaik_streams_refused_total', unauthorized('producer'), 2)
    await metricReaches(
      n0!,
      'mosaik_streams_refused_total',
      { ...unauthorized('consumer'), stream: 'gated' },
      2,
    )
    expect(connectedPeers(producer.consumers())).toEqual([both!.peerId])
    expect(connectedPeers(consumer.producers())).toEqual([both!.peerId])
  })

  it('ticket expiry: both sides cut the peer off when its ticket expires', async () => {
    const { signing, validator } = await hs256('ops')
    const [n0] = await nodes(1)
    const [n1] = await join(n0!, 1)
    // n1's ticket expires in about two seconds (JWT expiry has whole-second resolution).
    await grant(n1!, signing, 'ops', Date.now() + 2_500)
    const producer = text.producer(n0!, { tickets: [validator] })
    const gated = handleOf<string>('gated', Type.String())
    const upstream = gated.producer(n1!)
    const consumer = gated.consumer(n0!, { tickets: [validator] })
    text.consumer(n1!)
    await producer.when.online(wait())
    await upstream.send('before expiry')
    expect(await take(consumer, 1)).toEqual(['before expiry'])
    await producer.when.offline(wait())
    await consumer.when.unsubscribed(undefined, wait())
    expect(producer.consumers()).toEqual([])
    expect(consumer.producers()).toEqual([])
  })

  it('es256: asymmetric keys; only the ticketed producer is subscribed to', async () => {
    const { signing, publicKey } = await generateJwtKeyPair('ES256')
    const validator = new JwtValidator({ keys: [await jwtVerifyingKey('ES256', publicKey)] })
    const [n0] = await nodes(1)
    const [ticketed, plain] = await join(n0!, 2)
    ticketed!.discovery.addTicket(
      await issueJwtTicket(signing, ticketed!.peerId, { expiresAt: Date.now() + HOUR }),
    )
    text.producer(ticketed!)
    text.producer(plain!)
    const consumer = text.consumer(n0!, { tickets: [validator] })
    await consumer.when.subscribed(undefined, wait())
    await metricReaches(n0!, 'mosaik_streams_refused_total', unauthorized('consumer'), 1)
    expect(connectedPeers(consumer.producers())).toEqual([ticketed!.peerId])
  })
})
