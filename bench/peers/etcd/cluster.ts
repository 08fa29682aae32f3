/**
 * A throwaway etcd cluster on 127.0.0.1 with the baseline's settings: `members` members (3), each
 * with its own client port, peer port and data dir under a temp dir; defaults otherwise (fsync on,
 * pre-vote off) with the heartbeat and election timeout passed explicitly so other benchmarks can
 * match them; logs `--logger zap --log-level warn`. Members are stopped by PID and the data dirs
 * removed when the scope closes.
 *
 * Leadership is read from each member's JSON gateway (`POST /v3/maintenance/status`), so the
 * orchestrator needs no gRPC client of its own.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { TimeoutError } from '../../../runtime/primitives/errors.ts'
import type { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { commandVersion, ensureCommand } from '../../lib/packages.ts'
import { freePorts, LOOPBACK, waitForPort } from '../../lib/ports.ts'
import { type ServerProcess, spawnServer } from '../../lib/processes.ts'
import { scopedTempDir } from '../../lib/tempdir.ts'

export interface EtcdClusterOptions {
  /** Stops every member and removes the data dirs when closed. */
  scope: Lifecycle
  /** Members in the cluster (3). */
  members?: number
  /** `--heartbeat-interval` in ms (etcd's default 100). */
  heartbeatMs?: number
  /** `--election-timeout` in ms (etcd's default 1000). */
  electionMs?: number
  /** Parent of the temp data dir (`os.tmpdir()`). */
  dataRoot?: string
  log?: (line: string) => void
}

export interface EtcdMember {
  name: string
  /** `http://127.0.0.1:<client port>` */
  clientUrl: string
  clientPort: number
  peerUrl: string
  dataDir: string
  /** The running process, or undefined after `kill` until `restart`. */
  process: ServerProcess | undefined
}

export interface EtcdCluster {
  version: string
  members: readonly EtcdMember[]
  heartbeatMs: number
  electionMs: number
  /** Client URLs of the running members. */
  endpoints(): string[]
  /** The member every running member agrees is leader; waits up to `timeoutMs` for agreement. */
  leader(timeoutMs?: number): Promise<EtcdMember>
  /** SIGKILL, as in the failover test; resolves once the process is gone. */
  kill(member: EtcdMember): Promise<void>
  /** Starts a killed member again on its old data dir and ports. */
  restart(member: EtcdMember): Promise<void>
}

interface StatusReply {
  header?: { member_id?: string }
  leader?: string
}

interface MemberStatus {
  memberId: string | undefined
  /** The leader's member id, undefined while the member knows no leader. */
  leader: string | undefined
}

/** What a member says about itself and its leader, or undefined when it does not answer. */
async function statusOf(member: EtcdMember): Promise<MemberStatus | undefined> {
  try {
    const response = await fetch(`${member.clientUrl}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(1_000),
    })
    if (!response.ok) return undefined
    const status = (await response.json()) as StatusReply
    const leader = status.leader !== undefined && status.leader !== '0' ? status.leader : undefined
    return { memberId: status.header?.member_id, leader }
  } catch {
    return undefined
  }
}

/** Installs etcd if needed (Debian package `etcd-server`), starts the members, waits for a leader. */
export async function startEtcdCluster(options: EtcdClusterOptions): Promise<EtcdCluster> {
  const { scope } = options
  const size = options.members ?? 3
  const heartbeatMs = options.heartbeatMs ?? 100
  const electionMs = options.electionMs ?? 1_000
  const binary = await ensureCommand({ command: 'etcd', debianPackage: 'etcd-server' })
  const version = await commandVersion(binary)
  const root = await scopedTempDir(scope, 'mosaik-bench-etcd-', options.dataRoot)
  const ports = await freePorts(size * 2)
  const members: EtcdMember[] = Array.from({ length: size }, (_, i) => {
    const clientPort = ports[2 * i] as number
    return {
      name: `m${i}`,
      clientUrl: `http://${LOOPBACK}:${clientPort}`,
      clientPort,
      peerUrl: `http://${LOOPBACK}:${ports[2 * i + 1]}`,
      dataDir: join(root, `m${i}`),
      process: undefined,
    }
  })
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',')
  const token = `mosaik-bench-${randomBytes(4).toString('hex')}`

  const launch = async (member: EtcdMember): Promise<void> => {
    const args = [
      '--name',
      member.name,
      '--data-dir',
      member.dataDir,
      '--listen-client-urls',
      member.clientUrl,
      '--advertise-client-urls',
      member.clientUrl,
      '--listen-peer-urls',
      member.peerUrl,
      '--initial-advertise-peer-urls',
      member.peerUrl,
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      token,
      '--heartbeat-interval',
      String(heartbeatMs),
      '--election-timeout',
      String(electionMs),
      '--logger',
      'zap',
      '--log-level',
      'warn',
    ]
    const server = spawnServer(binary, args, { name: `etcd ${member.name}`, scope })
    member.process = server
    try {
      await waitForPort(member.clientPort, { timeoutMs: 20_000, abandon: server.exited })
    } catch (cause) {
      throw new Error(`etcd ${member.name} did not start:\n${server.output()}`, { cause })
    }
  }

  const running = (): EtcdMember[] => members.filter((m) => m.process !== undefined)

  const leader = async (timeoutMs = 15_000): Promise<EtcdMember> => {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const alive = running()
      const statuses = await Promise.all(alive.map(statusOf))
      const agreed = statuses[0]?.leader
      if (agreed !== undefined && statuses.every((s) => s?.leader === agreed)) {
        const index = statuses.findIndex((s) => s?.memberId === agreed)
        if (index >= 0) return alive[index] as EtcdMember
      }
      await delay(50)
    }
    throw new TimeoutError(`etcd members did not agree on a leader within ${timeoutMs} ms`)
  }

  await Promise.all(members.map(launch))
  const cluster: EtcdCluster = {
    version,
    members,
    heartbeatMs,
    electionMs,
    endpoints: () => running().map((m) => m.clientUrl),
    leader,
    kill: async (member) => {
      const server = member.process
      member.process = undefined
      await server?.kill('SIGKILL')
    },
    restart: launch,
  }
  options.log?.(
    `etcd ${version}: ${size} members, heartbeat ${heartbeatMs} ms, election ${electionMs} ms, data in ${root}`,
  )
  await leader()
  return cluster
}
