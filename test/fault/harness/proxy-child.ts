/**
 * Entry script that runs a UDP or TCP fault proxy inside a cluster host (see host-proxy.ts), so
 * traffic between namespaced hosts can be delayed and dropped in user space too. Configured by a
 * JSON argument; controlled over the message channel.
 */
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { commands, emit } from './child.ts'
import type { Endpoint } from './endpoint.ts'
import type { Impairment } from './impairment.ts'
import { TcpFaultProxy, type TcpImpairment } from './tcp-proxy.ts'
import { type Direction, UdpFaultProxy } from './udp-proxy.ts'

/** What the parent passes as the single argument (JSON). */
export interface ProxyChildConfig {
  protocol: 'udp' | 'tcp'
  listen: Endpoint
  target: Endpoint
  forward?: Impairment
  backward?: Impairment
  seed?: number
}

/** Commands the parent sends. */
export type ProxyChildCommand =
  | { type: 'configure'; id: string; impairment: Impairment & TcpImpairment; direction: Direction | 'both' }
  | { type: 'stats'; id: string }

const config = JSON.parse(process.argv[2] ?? '{}') as ProxyChildConfig
const seed = config.seed === undefined ? {} : { seed: config.seed }
const proxy =
  config.protocol === 'udp'
    ? await UdpFaultProxy.start({
        target: config.target,
        listen: config.listen,
        forward: config.forward ?? {},
        backward: config.backward ?? {},
        ...seed,
      })
    : await TcpFaultProxy.start({ target: config.target, listen: config.listen, ...config.forward, ...seed })
emit({ type: 'ready', address: proxy.address })

for await (const command of commands<ProxyChildCommand>()) {
  try {
    if (command.type === 'configure') {
      if (proxy instanceof UdpFaultProxy) proxy.configure(command.impairment, command.direction)
      else proxy.configure(command.impairment)
      emit({ type: 'configured', id: command.id })
    } else if (command.type === 'stats') {
      emit({ type: 'stats', id: command.id, stats: proxy.stats() })
    }
  } catch (err) {
    emit({
      type: 'failed',
      id: command.id,
      code: isMosaikError(err) ? err.code : 'ERR_UNKNOWN',
      message: String(err),
    })
  }
}
