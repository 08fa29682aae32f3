/**
 * The fault-injection harness: hosts in network namespaces with partitions, loss and link faults
 * (`Cluster`), child processes with a typed JSON-lines channel (`ManagedProcess`, `ProcessSet`),
 * and user-space UDP/TCP proxies that delay, drop, duplicate and reorder (`UdpFaultProxy`,
 * `TcpFaultProxy`). Child scripts use `./child.ts` (`emit`, `commands`).
 */

export * from '../../../runtime/testing/random.ts'
export * from './capability.ts'
export * from './cluster.ts'
export * from './delay-queue.ts'
export * from './endpoint.ts'
export * from './errors.ts'
export * from './exec.ts'
export * from './host-proxy.ts'
export * from './impairment.ts'
export * from './lines.ts'
export * from './link-faults.ts'
export * from './netns.ts'
export * from './process.ts'
export * from './tcp-proxy.ts'
export * from './udp-peers.ts'
export * from './udp-proxy.ts'
export * from './until.ts'
