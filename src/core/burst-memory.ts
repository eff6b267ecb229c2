/**
 * Burst memory: recurring bursts learned from the pool's own history. An episode starts when the raw
 * need climbs well above the trough before it and ends when it falls back; its start time and peak
 * are kept. When the last starts are evenly spaced, the next one is expected one period after the
 * last, and capacity for its peak is kept or bought ahead: rebuilding a fleet for every burst bought
 * ~1000 servers in 3 hours on a trace with a burst every few minutes, each arriving after its burst.
 * Pure: the state is a few numbers, carried in DecisionMemory and persisted by the scaler.
 */

/** Episodes remembered: enough to see a period three times and to ride out one odd gap. */
const keptEpisodes = 6;
/** Gaps that agree within this share of their median make a period. */
const periodTolerance = 0.15;
/** A rise is an episode only when the need at least doubles and grows by this many servers. */
const minRiseServers = 3;
/** A closed episode smaller than this share of the recent ones is a blip, not a burst. */
const blipShare = 0.25;
/** An episode ends when the need falls to within this share of the way back to its trough. */
const endShare = 0.25;

export interface BurstEpisode {
  startAtMs: number;
  /** The highest need of the episode, in servers. */
  peak: number;
  /**
   * The highest need within the first `earlyWindowMs` of the episode: what a reactive fleet cannot
   * have in time. A slow daily rise needs little of it early, a step burst nearly all of its peak.
   */
  early: number;
  /**
   * The fleet already had the learned size when it began: its early need was measured. One met late
   * looks bigger than it is (the queue built while servers booted counts as need).
   */
  ready?: boolean;
  /**
   * The mean work in the pool (running and queued, in servers) over the ticks at half the episode's
   * highest or more: its offered load, free of the Poisson peaks that `early` catches.
   */
  load?: number;
  loadTicks?: number;
}

export interface BurstMemory {
  episodes: BurstEpisode[];
  /** The episode under way, if any. */
  open: BurstEpisode | undefined;
  /** The lowest need since the last episode ended: what a rise is measured against. */
  trough: number;
}

export function initialBurstMemory(): BurstMemory {
  return { episodes: [], open: undefined, trough: Number.POSITIVE_INFINITY };
}

/**
 * Feeds one tick. `signal` finds episodes: the policy's raw need, which is smooth (a count of busy
 * slots alone made steady load look bursty at every lull), or — while a learned burst is due — the
 * larger of that and `used`, since a burst met by pre-warmed servers builds no queue and its rate
 * lags: seen by raw alone, every other burst went unrecorded and the pattern was lost. `used`
 * (servers' worth of running plus queued work) sizes them; raw would learn the forecast's lead as
 * need. `earlyWindowMs` is how long a reactive fleet takes to catch up.
 */
export function observeNeed(
  memory: BurstMemory,
  nowMs: number,
  need: { signal: number; used: number; ready?: boolean; load?: number },
  earlyWindowMs: number,
): BurstMemory {
  const { open } = memory;
  const { signal, used } = need;
  if (open !== undefined) {
    const peak = Math.max(open.peak, signal);
    const early = nowMs - open.startAtMs <= earlyWindowMs ? Math.max(open.early, used) : open.early;
    const plateau = onPlateau(open, need.load);
    const ended = signal <= memory.trough + endShare * (peak - memory.trough);
    if (!ended) return { ...memory, open: { ...open, peak, early, ...plateau } };
    // A blip — a few extra running jobs while a pre-warmed fleet waits — is no burst: recorded, it
    // broke a learned 5-minute period moments before the burst it was waiting for.
    const known = memory.episodes.slice(-3).map((e) => e.early);
    const blip = known.length >= 2 && early < blipShare * Math.max(...known);
    const episodes = blip
      ? memory.episodes
      : [...memory.episodes, { ...open, peak, early, ...plateau }].slice(-keptEpisodes);
    return { episodes, open: undefined, trough: signal };
  }
  const trough = Math.min(memory.trough, signal);
  if (signal >= 2 * trough && signal >= trough + minRiseServers) {
    const ready = need.ready === true;
    const load = need.load;
    const plateau = load === undefined ? {} : { load, loadTicks: 1 };
    return { ...memory, open: { startAtMs: nowMs, peak: signal, early: used, ready, ...plateau }, trough };
  }
  return { ...memory, trough };
}

/**
 * The episode's plateau mean after one more tick: a tick at under half the mean is ramp or tail, one
 * at over twice it starts the plateau afresh. Three quarters took Poisson dips for ramps and learned
 * bursts too big (recurring-bursts 180/10: 53.9 → 54.8 server-h, cron-herds 11.9 → 13.9 h); a third
 * saved a little more (cron-herds 10.8 h) by letting ramps into the mean, which drifts towards
 * sizing a burst for its average rather than its plateau.
 */
function onPlateau(open: BurstEpisode, load: number | undefined): Pick<BurstEpisode, 'load' | 'loadTicks'> {
  const mean = open.load ?? 0;
  const ticks = open.loadTicks ?? 0;
  if (load === undefined) return {};
  if (load > 2 * mean) return { load, loadTicks: 1 };
  if (load < mean / 2) return { load: mean, loadTicks: ticks };
  return { load: (mean * ticks + load) / (ticks + 1), loadTicks: ticks + 1 };
}

export interface ExpectedBurst {
  atMs: number;
  /** An episode is under way (the expected one, or a stray). */
  underway: boolean;
  periodMs: number;
  /** Servers the recent bursts needed at their peak. */
  servers: number;
  /** Their offered load on the plateau, in servers of work, when measured on a ready fleet. */
  load?: number;
}

/**
 * The next burst, when the last starts chain back at a steady period. The chain is anchored at the
 * latest start (or the one before, should the latest be a stray) and steps back one period at a time,
 * each step landing within the tolerance of an earlier start; starts off the chain are strays and are
 * skipped. Requiring all recent gaps to agree let one stray — the backlog of a burst met late, its
 * servers coming up 180 s into it, or the first burst's runtime still unlearned — hide a clean 6-minute
 * period for three bursts, each then met late, queued and hence followed by the next stray.
 * One gap is enough to expect the next: wrong, it costs one pre-warm of about two boots; right, it
 * saves a whole burst served late (waiting for a third gap lost 2 of 18 bursts on the
 * recurring-bursts trace). Two chains as long as each other with different periods are no pattern.
 */
export function expectedBurst(memory: BurstMemory): ExpectedBurst | undefined {
  const starts = [
    ...memory.episodes.map((e) => e.startAtMs),
    ...(memory.open ? [memory.open.startAtMs] : []),
  ];
  if (starts.length < 2 || memory.episodes.length === 0) return undefined;
  let best: { anchor: number; periodMs: number; chain: number[] } | undefined;
  let tied = false;
  for (const anchor of [starts.length - 1, starts.length - 2]) {
    for (let from = anchor - 1; from >= 0; from -= 1) {
      const periodMs = (starts[anchor] ?? 0) - (starts[from] ?? 0);
      if (periodMs <= 0) continue;
      const chain = chainBack(starts, anchor, periodMs);
      if (best === undefined || chain.length > best.chain.length) {
        best = { anchor, periodMs, chain };
        tied = false;
      } else if (
        chain.length === best.chain.length &&
        Math.abs(periodMs - best.periodMs) > periodTolerance * best.periodMs
      )
        tied = true;
    }
  }
  if (best === undefined || tied) return undefined;
  const { anchor, periodMs, chain } = best;
  const underway = memory.open !== undefined && anchor === starts.length - 1;
  // The median of the chain's last three, of those met by a ready fleet when there are any: the first
  // bursts, met late, queue up and look up to three times their size (180 s boots, 10 s target: 60 and
  // 55 servers for a burst needing 27, bought twice more before the median forgot them).
  const onChain = chain.map((i) => memory.episodes[i]).filter((e): e is BurstEpisode => e !== undefined);
  const measured = onChain.some((e) => e.ready === true) ? onChain.filter((e) => e.ready === true) : onChain;
  const sizes = measured
    .slice(0, 3)
    .map((e) => e.early)
    .sort((a, b) => a - b);
  const servers = sizes[Math.floor((sizes.length - 1) / 2)] ?? 0;
  const loads = measured
    .filter((e) => e.ready === true)
    .slice(0, 3)
    .map((e) => e.load)
    .filter((l): l is number => l !== undefined)
    .sort((a, b) => a - b);
  const load = loads[Math.floor((loads.length - 1) / 2)];
  const atMs = (starts[anchor] ?? 0) + periodMs;
  return { atMs, periodMs, servers, underway, ...(load === undefined ? {} : { load }) };
}

/** Indices of the starts a chain at this period visits, from the anchor back, the anchor first. */
function chainBack(starts: readonly number[], anchor: number, periodMs: number): number[] {
  const chain = [anchor];
  let at = starts[anchor] ?? 0;
  for (let i = anchor - 1; i >= 0; i -= 1) {
    const start = starts[i] ?? 0;
    // Measured against the shorter of the two gaps, as the median-based rule did when the median was
    // the shorter: a ramp every 15 minutes, its onsets 783 and 913 s apart, is no 913 s period.
    const gapMs = at - start;
    if (Math.abs(gapMs - periodMs) > periodTolerance * Math.min(gapMs, periodMs)) continue;
    chain.push(i);
    at = start;
  }
  return chain;
}
