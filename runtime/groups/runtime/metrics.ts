/**
 * Prometheus metrics of the groups on one network, labelled by group (name and short StoreId):
 * term, role, leader changes, commit and applied index, apply lag, proposals in flight, snapshot
 * transfers, bonds and refused bonds, membership changes, formations, merges and what they
 * discarded, dropped messages.
 */
import type { Counter, Gauge } from 'prom-client'
import type { Metrics } from '../../metrics/registry.ts'
import type { Role } from '../raft/types.ts'

const ROLE_VALUES: Readonly<Record<Role, number>> = {
  follower: 0,
  'pre-candidate': 1,
  candidate: 2,
  leader: 3,
}

/** The metrics of one group; every call is a cheap set/inc. */
export class GroupMetrics {
  readonly #labels: { group: string }
  readonly #term: Gauge<string>
  readonly #role: Gauge<string>
  readonly #leaderChanges: Counter<string>
  readonly #commit: Gauge<string>
  readonly #applied: Gauge<string>
  readonly #applyLag: Gauge<string>
  readonly #inFlight: Gauge<string>
  readonly #snapshots: Counter<string>
  readonly #snapshotBytes: Counter<string>
  readonly #syncSeconds: Gauge<string>
  readonly #bonds: Gauge<string>
  readonly #refused: Counter<string>
  readonly #membership: Counter<string>
  readonly #voters: Gauge<string>
  readonly #learners: Gauge<string>
  readonly #formations: Counter<string>
  readonly #merges: Counter<string>
  readonly #discarded: Counter<string>
  readonly #dropped: Counter<string>

  constructor(metrics: Metrics, group: string) {
    this.#labels = { group }
    const g = ['group']
    this.#term = metrics.gauge('mosaik_groups_term', 'current Raft term', g)
    this.#role = metrics.gauge(
      'mosaik_groups_role',
      'role: 0 follower, 1 pre-candidate, 2 candidate, 3 leader',
      g,
    )
    this.#leaderChanges = metrics.counter(
      'mosaik_groups_leader_changes_total',
      'times the known leader changed',
      g,
    )
    this.#commit = metrics.gauge('mosaik_groups_commit_index', 'local commit index', g)
    this.#applied = metrics.gauge('mosaik_groups_applied_index', 'index last applied to the state machine', g)
    this.#applyLag = metrics.gauge('mosaik_groups_apply_lag', 'committed entries not yet applied', g)
    this.#inFlight = metrics.gauge(
      'mosaik_groups_proposals_in_flight',
      'commands proposed and not yet applied or failed',
      g,
    )
    this.#snapshots = metrics.counter(
      'mosaik_groups_snapshot_transfers_total',
      'snapshots saved, served (chunks) and fetched',
      ['group', 'kind'],
    )
    this.#snapshotBytes = metrics.counter(
      'mosaik_groups_snapshot_bytes_total',
      'snapshot bytes saved, served and fetched',
      ['group', 'kind'],
    )
    this.#bonds = metrics.gauge('mosaik_groups_bonds', 'open bonds to group peers', g)
    this.#syncSeconds = metrics.gauge(
      'mosaik_groups_snapshot_sync_seconds',
      'duration of the last snapshot sync by phase: fetch (asking peers to verified bytes), restore (building the state)',
      ['group', 'phase'],
    )
    this.#refused = metrics.counter(
      'mosaik_groups_bonds_refused_total',
      'bonds refused, by reason and side',
      ['group', 'reason', 'by'],
    )
    this.#membership = metrics.counter(
      'mosaik_groups_membership_changes_total',
      'membership changes proposed by the autopilot',
      ['group', 'action'],
    )
    this.#voters = metrics.gauge('mosaik_groups_voters', 'voters in the membership in force', g)
    this.#learners = metrics.gauge('mosaik_groups_learners', 'learners in the membership in force', g)
    this.#formations = metrics.counter('mosaik_groups_formations_total', 'groups founded by this node', g)
    this.#merges = metrics.counter(
      'mosaik_groups_merges_total',
      'times this node discarded its group to join another',
      g,
    )
    this.#discarded = metrics.counter(
      'mosaik_groups_merge_discarded_entries_total',
      'log entries discarded in merges',
      g,
    )
    this.#dropped = metrics.counter(
      'mosaik_groups_dropped_messages_total',
      'peer messages dropped, by reason',
      ['group', 'reason'],
    )
  }

  soft(role: Role, term: number): void {
    this.#role.set(this.#labels, ROLE_VALUES[role])
    this.#term.set(this.#labels, term)
  }

  leaderChanged(): void {
    this.#leaderChanges.inc(this.#labels)
  }

  progress(commit: number, applied: number): void {
    this.#commit.set(this.#labels, commit)
    this.#applied.set(this.#labels, applied)
    this.#applyLag.set(this.#labels, Math.max(0, commit - applied))
  }

  inFlight(count: number): void {
    this.#inFlight.set(this.#labels, count)
  }

  snapshot(kind: 'saved' | 'served' | 'fetched', bytes: number): void {
    this.#snapshots.inc({ ...this.#labels, kind })
    this.#snapshotBytes.inc({ ...this.#labels, kind }, bytes)
  }

  /** A phase of a snapshot sync took `ms`. */
  syncPhase(phase: 'fetch' | 'restore', ms: number): void {
    this.#syncSeconds.set({ ...this.#labels, phase }, ms / 1000)
  }

  bonds(count: number): void {
    this.#bonds.set(this.#labels, count)
  }

  refused(reason: string, by: 'local' | 'remote'): void {
    this.#refused.inc({ ...this.#labels, reason, by })
  }

  membershipChange(action: string): void {
    this.#membership.inc({ ...this.#labels, action })
  }

  members(voters: number, learners: number): void {
    this.#voters.set(this.#labels, voters)
    this.#learners.set(this.#labels, learners)
  }

  formed(): void {
    this.#formations.inc(this.#labels)
  }

  merged(discarded: number): void {
    this.#merges.inc(this.#labels)
    this.#discarded.inc(this.#labels, discarded)
  }

  dropped(reason: string, count = 1): void {
    this.#dropped.inc({ ...this.#labels, reason }, count)
  }
}
