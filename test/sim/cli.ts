/**
 * `npm run sim -- --seeds N [--from S] [--nodes K] [--json] [--mutate flag]…`: runs the Raft
 * simulator over a range of seeds and prints failures (each with a one-line replay command) and a
 * summary. Exit code 1 when any seed fails.
 */
import { Command, InvalidArgumentError } from 'commander'
import type { RaftDebugFlags } from '../../runtime/groups/raft/config.ts'
import { describeFailure, describeSummary, runSeeds } from './suite.ts'

// A record, so the compiler notices a debug flag missing here.
const MUTATION_FLAGS: Record<keyof RaftDebugFlags, true> = {
  commitEarlierTerms: true,
  voteWithoutLogCheck: true,
  readWithoutQuorum: true,
  sendBeforePersist: true,
}
const MUTATIONS = Object.keys(MUTATION_FLAGS) as (keyof RaftDebugFlags)[]

function integer(min: number) {
  return (raw: string): number => {
    const n = Number(raw)
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`)
    return n
  }
}

function mutation(raw: string, previous: (keyof RaftDebugFlags)[]): (keyof RaftDebugFlags)[] {
  if (!MUTATIONS.includes(raw as keyof RaftDebugFlags)) {
    throw new InvalidArgumentError(`unknown mutation; one of ${MUTATIONS.join(', ')}`)
  }
  return [...previous, raw as keyof RaftDebugFlags]
}

const program = new Command('sim')
  .description('deterministic Raft simulator with fault injection and a linearizability checker')
  .option('--seeds <n>', 'how many seeds to run', integer(1), 100)
  .option('--from <s>', 'first seed', integer(0), 1)
  .option('--nodes <k>', 'servers per cluster (default: drawn per seed from 3, 5, 7, 8)', integer(3))
  .option('--json', 'print the summary as JSON')
  .option('--mutate <flag>', `break the core on purpose (${MUTATIONS.join(', ')})`, mutation, [])
  .action(
    (opts: {
      seeds: number
      from: number
      nodes?: number
      json?: boolean
      mutate: (keyof RaftDebugFlags)[]
    }) => {
      const debug: RaftDebugFlags = Object.fromEntries(opts.mutate.map((flag) => [flag, true]))
      const summary = runSeeds({
        from: opts.from,
        count: opts.seeds,
        ...(opts.nodes === undefined ? {} : { nodes: opts.nodes }),
        debug,
        onReport: (report) => {
          if (!report.ok && !opts.json) console.log(describeFailure(report))
        },
      })
      if (opts.json) console.log(JSON.stringify(summary, null, 2))
      else console.log(describeSummary(summary))
      process.exitCode = summary.failures.length > 0 ? 1 : 0
    },
  )

program.parse()
