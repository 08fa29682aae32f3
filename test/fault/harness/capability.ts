/**
 * Can this machine run namespace fault tests? The answer carries a reason a skipped test can print,
 * e.g. `ctx.skip(capability.reason)`. The probe runs once per process and creates (then deletes) a
 * scratch namespace with the same kind of nftables rules the harness uses.
 */
import { UnsupportedError } from './errors.ts'
import { run, tryRun } from './exec.ts'
import { deleteNamespace, runPrefix } from './netns.ts'

/** Whether namespace faults are available, and if not, why. */
export type FaultCapability = { ok: true } | { ok: false; reason: string }

let probe: Promise<FaultCapability> | undefined

/** Probes (once per process) for root, `ip netns`, and nftables bridge filtering. */
export function faultCapability(): Promise<FaultCapability> {
  probe ??= detect()
  return probe
}

/** Throws UnsupportedError with the reason when namespace faults are unavailable. */
export async function requireFaultCapability(): Promise<void> {
  const capability = await faultCapability()
  if (!capability.ok) throw new UnsupportedError(capability.reason)
}

async function detect(): Promise<FaultCapability> {
  if (process.platform !== 'linux') {
    return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` }
  }
  const uid = process.getuid?.()
  if (uid !== 0) {
    return { ok: false, reason: `not root (uid ${uid}): creating network namespaces needs root` }
  }
  if (!(await tryRun('ip', ['-V']))) return { ok: false, reason: "iproute2's `ip` command is not installed" }
  if (!(await tryRun('nft', ['--version']))) {
    return { ok: false, reason: '`nft` is not installed (apt-get install nftables)' }
  }
  const scratch = `${runPrefix()}-probe`
  try {
    await run('ip', ['netns', 'add', scratch])
  } catch (err) {
    return { ok: false, reason: `\`ip netns add\` failed: ${(err as Error).message}` }
  }
  try {
    const ruleset =
      'table bridge mzf_probe {\n chain links {\n  type filter hook forward priority 0; policy accept;\n' +
      '  meta protocol ip numgen random mod 1000000 < 1 drop\n }\n}\n'
    await run('ip', ['netns', 'exec', scratch, 'nft', '-f', '-'], { input: ruleset })
    return { ok: true }
  } catch (err) {
    return { ok: false, reason: `nftables bridge filtering is unavailable: ${(err as Error).message}` }
  } finally {
    await deleteNamespace(scratch)
  }
}
