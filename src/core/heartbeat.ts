/**
 * What a server's worker publishes with every heartbeat, under its heartbeat key with a TTL: the
 * key's presence makes a server ready, and its payload tells the scaler how busy the server is.
 * Written by the worker runtime (src/worker), read by the fleet store: one type for both sides.
 */
export interface Heartbeat {
  /** Jobs running on the server right now. */
  activeJobs: number;
  /** Jobs the server runs at once (the sum of its workers' concurrency). */
  slots: number;
  /** The worker's clock when it wrote the beat; informational (the TTL is what ages a beat). */
  atMs: number;
}

export function encodeHeartbeat(beat: Heartbeat): string {
  return JSON.stringify(beat);
}

/** A missing or unreadable payload is no heartbeat: the server is judged as not alive. */
export function parseHeartbeat(raw: string | null): Heartbeat | undefined {
  if (raw === null) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<Heartbeat>;
    return {
      activeJobs: Number(parsed.activeJobs ?? 0),
      slots: Number(parsed.slots ?? 0),
      atMs: Number(parsed.atMs ?? 0),
    };
  } catch {
    return undefined;
  }
}
