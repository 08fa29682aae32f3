/**
 * Smoothed round-trip time per peer, as TCP does it (RFC 6298): SRTT ← 7/8·SRTT + 1/8·R and
 * RTTVAR ← 3/4·RTTVAR + 1/4·|SRTT − R|; the first sample sets SRTT = R, RTTVAR = R/2.
 */
export interface RttEstimate {
  /** Smoothed RTT, ms. */
  readonly srtt: number
  /** RTT variation, ms. */
  readonly rttvar: number
  /** The latest raw sample, ms. */
  readonly last: number
  readonly samples: number
  /** When the latest sample was taken (`performance.now()` of this process). */
  readonly at: number
}

/** The estimate after one more sample (`previous` undefined for the first). */
export function nextRtt(
  previous: RttEstimate | undefined,
  sample: number,
  at = performance.now(),
): RttEstimate {
  if (!previous) return { srtt: sample, rttvar: sample / 2, last: sample, samples: 1, at }
  return {
    at,
    rttvar: 0.75 * previous.rttvar + 0.25 * Math.abs(previous.srtt - sample),
    srtt: 0.875 * previous.srtt + 0.125 * sample,
    last: sample,
    samples: previous.samples + 1,
  }
}
