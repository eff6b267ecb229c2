import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { poolPolicy } from '../../bench/lib/pool-policy.ts';
import { main } from '../../src/cli/main.ts';
import { simulate } from '../../src/simulate/engine.ts';
import { billedSecondsOf } from '../../src/simulate/fleet.ts';
import { generate } from '../../src/simulate/generators.ts';
import { oursPolicy, type Policy, towards } from '../../src/simulate/policy.ts';
import { defaultBilling } from '../../src/simulate/run.ts';
import { parseTrace, type Trace } from '../../src/simulate/trace.ts';

let dir = '';
const config = (extra = '') =>
  `pools:\n  - name: web\n    queues: [default]\n    slotsPerServer: 4\n    maxServers: 40\n${extra}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simulate-'));
  await writeFile(join(dir, 'config.yaml'), config());
  await writeFile(
    join(dir, 'bad.yaml'),
    config('    minServers: 5\n').replace('maxServers: 40', 'maxServers: 2'),
  );
});

/** Through the CLI's own entry: `lines` is stdout, `errors` stderr. */
async function run(argv: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => errors.push(l), env: {} };
  const code = await main(['simulate', ...argv], io);
  return { code, lines, errors };
}

describe('simulate command', () => {
  it('replays the steady generator and prints the figures as JSON', async () => {
    const { code, lines } = await run(['--trace', 'steady', '--config', join(dir, 'config.yaml'), '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(lines[0] ?? '{}');
    expect(r.trace).toBe('steady');
    expect(r.jobs).toBe(generate('steady', ['default']).jobs.length);
    expect(r.withinTarget).toBeGreaterThan(0.9);
    expect(r.withinTarget).toBeLessThanOrEqual(1);
    expect(r.p50WaitMs).toBeLessThanOrEqual(r.p95WaitMs);
    expect(r.p95WaitMs).toBeLessThanOrEqual(r.p99WaitMs);
    expect(r.serverSeconds).toBeGreaterThanOrEqual(r.workBoundSeconds);
    expect(r.creates).toBeGreaterThan(0);
    expect(r.peakServers).toBeLessThanOrEqual(20);
  });

  it('writes a self-contained SVG chart', async () => {
    const chart = join(dir, 'out.svg');
    const { code } = await run(['--trace', 'spike', '--config', join(dir, 'config.yaml'), '--chart', chart]);
    expect(code).toBe(0);
    const svg = await readFile(chart, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toMatch(/href=|<script/);
    // Issue 19: axes with ticks, the target and the cap as lines, and the scale events marked.
    const count = (pattern: RegExp) => svg.match(pattern)?.length ?? 0;
    expect(count(/class="tick"/g)).toBeGreaterThanOrEqual(3 * 5 + 3 * 4);
    expect(svg).toMatch(/>\d+ min<\/text>/);
    expect(count(/class="reference"/g)).toBe(2);
    // The pool's own cap is 40, but maxServersTotal (default 20) caps it first.
    expect(svg).toContain('>max 20</text>');
    expect(svg).toContain('>target 30s</text>');
    expect(count(/class="scale-up"/g)).toBeGreaterThan(0);
    expect(count(/class="scale-down"/g)).toBeGreaterThan(0);
  });

  it('exits 2 naming the flag or field that is wrong', async () => {
    const missing = await run(['--config', join(dir, 'config.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.errors[0]).toBe('error: --trace is required');
    const bad = await run(['--trace', 'steady', '--config', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.errors[0]).toMatch(/pools\[0\]\.maxServers: must be ≥ minServers/);
    const unknown = await run(['--trace', join(dir, 'nope.jsonl'), '--config', join(dir, 'config.yaml')]);
    expect(unknown.errors[0]).toMatch(/--trace .*nope\.jsonl: cannot read/);
    const flag = await run(['--trace', 'steady', '--config', join(dir, 'config.yaml'), '--billing', 'week']);
    expect(flag.errors[0]).toMatch(/--billing/);
    // Errors never reach stdout, where `--json | jq` reads.
    for (const r of [missing, bad, unknown, flag]) expect(r.lines).toEqual([]);
  });

  it('rejects a trace file with jobs for a queue no pool serves', async () => {
    const file = join(dir, 'stray.jsonl');
    await writeFile(
      file,
      '{"t":0,"queue":"default","durationMs":100}\n{"t":5,"queue":"other","durationMs":100}\n',
    );
    const { code, lines, errors } = await run(['--trace', file, '--config', join(dir, 'config.yaml')]);
    expect(code).toBe(2);
    expect(lines).toEqual([]);
    expect(errors[0]).toMatch(/queue "other" is in no pool/);
  });
});

/** One server, created at the first tick and kept: the engine's mechanics without any policy logic. */
function oneServer(): Policy {
  return { name: 'one', intervalMs: 1_000, step: (view) => towards(1, view.servers, 'one') };
}

const options = { slotsPerServer: 1, bootMs: 10_000, bootSigma: 0, seed: 1, timelineStepMs: 1_000 };

describe('simulation engine', () => {
  it('starts jobs only once a server has booted, FIFO, higher priority before lower', () => {
    const trace = parseTrace(
      't',
      [
        '{"t":0,"queue":"q","durationMs":1000,"priority":3}',
        '{"t":1,"queue":"q","durationMs":1000,"priority":1}',
        '{"t":2,"queue":"q","durationMs":1000}',
        '{"t":3,"queue":"q","durationMs":1000,"delayMs":20000}',
      ].join('\n'),
    );
    const result = simulate(trace, oneServer(), options);
    const starts = result.jobs.map((j) => j.readyAtMs + j.waitMs);
    // Boot ends at 10 s: the plain job first, then priority 1, then priority 3; the delayed one when due.
    expect(starts).toEqual([12_000, 11_000, 10_000, 20_003]);
  });

  it('bills each server per second with a 60 s minimum, or by started hours', () => {
    const trace: Trace = { name: 't', jobs: [{ t: 0, queue: 'q', durationMs: 5_000 }], horizonMs: 30_000 };
    const result = simulate(trace, oneServer(), options);
    expect(result.fleet.bill(30_000, { unit: 'second', pricePerHour: 3.6 })).toEqual({
      serverSeconds: 30,
      billedSeconds: 60,
      cost: 0.06,
    });
    expect(result.fleet.bill(30_000, { unit: 'hour', pricePerHour: 1 }).billedSeconds).toBe(3_600);
  });

  it("charges each server DigitalOcean's $0.01 minimum, which at $0.01786/h outweighs its 60 s", () => {
    const trace: Trace = { name: 't', jobs: [{ t: 0, queue: 'q', durationMs: 5_000 }], horizonMs: 30_000 };
    const result = simulate(trace, oneServer(), options);
    const bill = result.fleet.bill(30_000, defaultBilling);
    // One server lived 30 s: 60 s at $0.01786/h would be $0.0003 (not counting the minimum); DigitalOcean charges $0.01.
    expect(bill.serverSeconds).toBe(30);
    expect(bill.cost).toBeCloseTo(0.01, 10);
    expect(bill.billedSeconds).toBeCloseTo((0.01 / 0.01786) * 3600, 6);
    // Past the minimum, seconds are billed at the price: 1 h costs $0.01786, not $0.01 more.
    expect(billedSecondsOf(3_600, defaultBilling)).toBe(3_600);
    // No minimum charge set: the 60 s floor alone, as before.
    expect(result.fleet.bill(30_000, { unit: 'second', pricePerHour: 0.01786 }).cost).toBeCloseTo(
      (60 / 3600) * 0.01786,
      10,
    );
  });

  it('lets a draining server finish its job and take no new one before it is deleted', () => {
    const jobs = [
      { t: 0, queue: 'q', durationMs: 30_000 },
      { t: 15_000, queue: 'q', durationMs: 1_000 },
    ];
    let drained = false;
    const drainAt12s: Policy = {
      name: 'drain',
      intervalMs: 1_000,
      step: (view) => {
        if (view.nowMs < 12_000) return towards(1, view.servers, 'up');
        drained = true;
        return towards(0, view.servers, 'down');
      },
    };
    const result = simulate({ name: 't', jobs, horizonMs: 60_000 }, drainAt12s, options);
    expect(drained).toBe(true);
    expect(result.fleet.servers[0]?.deletedAtMs).toBe(40_000);
    expect(result.jobs[1]?.waitMs).toBe(45_000);
  });

  it('keeps billed servers (any state but deleted) within maxServers on long jobs, and the check catches a fleet that does not', () => {
    const setup = {
      policy: poolPolicy({ maxServers: 12 }),
      defaultRuntimeMs: 1_000,
      tickMs: 1_000,
      maxServersTotal: 100,
    };
    const trace = generate('long-jobs', ['q']);
    const longJobs = { ...options, slotsPerServer: 4, bootMs: 60_000, bootSigma: 0.15 };
    // Fleet.peak counts servers not yet deleted: draining ones with a 20-minute job still bill.
    expect(simulate(trace, oursPolicy(setup), longJobs).fleet.peak).toBeLessThanOrEqual(12);
    // Planted: swing between 12 and 6 servers; drained busy servers still bill while 12 more boot.
    const swinging: Policy = {
      name: 'swing',
      intervalMs: 60_000,
      step: (view) => towards((view.nowMs / 60_000) % 2 === 0 ? 12 : 6, view.servers, 'swing'),
    };
    expect(simulate(trace, swinging, longJobs).fleet.peak).toBeGreaterThan(12);
  });

  it('is deterministic: the same trace, policy and seed give the same run', () => {
    const trace = generate('bursty', ['q']);
    const a = simulate(trace, oneServer(), { ...options, bootSigma: 0.2 });
    const b = simulate(trace, oneServer(), { ...options, bootSigma: 0.2 });
    expect(a.jobs).toEqual(b.jobs);
    expect(a.timeline).toEqual(b.timeline);
  });
});
