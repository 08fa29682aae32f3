/**
 * etcd3 clients for the benchmark, with etcd3's own fault handling (retries, circuit breakers)
 * turned off so every number is one call to one member: a retried or short-circuited call would
 * hide the latency and the failover time being measured.
 */
import { Etcd3, type IOptions } from 'etcd3'

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>

/** A policy that just runs the call: the only method etcd3 uses is `execute`. */
const passThrough = {
  execute: <T>(fn: (context: { signal: AbortSignal; attempt: number }) => PromiseLike<T> | T) =>
    Promise.resolve(fn({ signal: new AbortController().signal, attempt: 1 })),
} as unknown as Policy

/** An etcd3 client over `endpoints` (one HTTP/2 channel each) without retries or breakers. */
export function createClient(endpoints: readonly string[]): Etcd3 {
  return new Etcd3({
    hosts: [...endpoints],
    dialTimeout: 5_000,
    faultHandling: { host: () => passThrough, global: passThrough },
  })
}
