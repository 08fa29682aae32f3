/**
 * `mosaik/testing`: helpers for users' own tests (scaled timeouts, local DHT, multi-node helpers,
 * a seeded PRNG for replayable workloads).
 */
export { scaled, TIME_FACTOR } from '../primitives/time.ts'
export { type LocalDht, localDht } from './local-dht.ts'
export {
  closeAll,
  createNetworks,
  discoverAll,
  LOOPBACK_LISTEN,
  testNetworkOptions,
  uniqueNetworkName,
} from './networks.ts'
export { type Random, seededRandom } from './random.ts'
