import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.ts';

/*
 * Bad input against the config loader: whatever JSON an operator (or a templating accident)
 * hands it, parseConfig either returns a config or throws a ConfigError whose every line names
 * the field it is about. Any other exception is a crash an operator would see as a stack trace.
 */

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const runs = Number(process.env.FUZZ_RUNS ?? 400);
const workerEntry = resolve('examples/worker.ts');

/** `(config)`, `--config`, or a path like `pools[0].queues[2]` / `provider.userDataVars.X`. */
/** A path starts with a plain name or a quoted key, then indexes, quoted keys or `.name` steps. */
const fieldPath =
  /^(\(config\)|--config|([^\s:[\].]+|\["(?:[^"\\]|\\.)*"\])(\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\.[^\s:[\].]+)*): \S/;

/** Keys an operator might plausibly misspell or invent: no spaces, dots, colons or brackets. */
const key = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$-]{0,12}$/);
const scalar = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1e6, max: 1e9 }),
  fc.boolean(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -0, 0.5, 1e308, '', ' ', 'redis://u:p@h:1', null),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.dictionary(key, scalar, { maxKeys: 3 }),
);

const topKeys = [
  'cluster',
  'redis',
  'tickMs',
  'maxServersTotal',
  'createFailureBackoffMs',
  'lifecycle',
  'provider',
  'pools',
  'log',
  'http',
  'alerts',
] as const;
const poolKeys = [
  'name',
  'queues',
  'slotsPerServer',
  'minServers',
  'maxServers',
  'targetWaitMs',
  'bootSeconds',
  'targetUtilisation',
  'maxStepUp',
  'scaleDownDelayMs',
  'idleToZeroMs',
  'keepPaidServersMs',
  'defaultRuntimeMs',
] as const;

const validPool = { name: 'main', queues: ['jobs'], maxServers: 3 };
const validProvider = { type: 'local-process', workerEntry };

/** Objects with the config's own keys holding odd values: reaches the schema's inner checks. */
const shapedPool = fc.dictionary(fc.oneof(fc.constantFrom(...poolKeys), key), value, { maxKeys: 6 });
const shaped = fc.record(
  {
    ...Object.fromEntries(topKeys.map((k) => [k, value])),
    provider: fc.oneof(
      value,
      fc.constant(validProvider),
      fc.record({ type: fc.constantFrom('local-process', 'digitalocean', 'aws'), workerEntry: value }),
    ),
    pools: fc.oneof(value, fc.array(fc.oneof(shapedPool, fc.constant(validPool)), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

/** A valid config with one field replaced: the errors a single typo produces. */
const scalarTopKeys = topKeys.filter((k) => k !== 'provider' && k !== 'pools');
const oneFieldWrong = fc.oneof(
  fc.tuple(fc.constantFrom(...poolKeys), value).map(([field, v]) => ({
    raw: { provider: validProvider, pools: [{ ...validPool, [field]: v }] },
    field,
  })),
  fc.tuple(fc.constantFrom(...scalarTopKeys), value).map(([field, v]) => ({
    raw: { provider: validProvider, pools: [validPool], [field]: v },
    field,
  })),
);

function errorOf(raw: unknown): ConfigError | undefined {
  try {
    parseConfig(raw, {});
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw new Error(`parseConfig threw ${String(error)} (not a ConfigError) (seed ${seed})`);
    }
    expect(error.problems.length, `a ConfigError without problems (seed ${seed})`).toBeGreaterThan(0);
    return error;
  }
}

/** The lines an operator reads: one per problem, none forged by a key that holds a newline. */
function problemsOf(raw: unknown): string[] {
  const error = errorOf(raw);
  if (error === undefined) return [];
  expect(error.message.split('\n'), `seed ${seed}`).toEqual(error.problems);
  return error.problems;
}

function everyLineNamesAField(raw: unknown): void {
  for (const line of problemsOf(raw)) {
    expect(line, `a problem line without a field path (seed ${seed})`).toMatch(fieldPath);
  }
}

describe('config loader fuzzing', () => {
  it('arbitrary JSON values: a config or a ConfigError, never a crash', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => void errorOf(raw)),
      { seed, numRuns: runs },
    );
  });

  it('config-shaped objects with odd values: every problem line starts with its field path', () => {
    fc.assert(fc.property(shaped, everyLineNamesAField), { seed, numRuns: runs });
  });

  it('one field of a valid config replaced by an odd value: the problem names that field', () => {
    fc.assert(
      fc.property(oneFieldWrong, ({ raw, field }) => {
        everyLineNamesAField(raw);
        const named = field in raw ? field : 'pools[0]';
        for (const line of problemsOf(raw))
          expect(line.startsWith(named), `seed ${seed}: ${line}`).toBe(true);
      }),
      { seed, numRuns: runs },
    );
  });

  it('JSON text that is not quite JSON never reaches the schema as garbage', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          return;
        }
        everyLineNamesAField(raw);
      }),
      { seed, numRuns: runs },
    );
  });

  it('a secret in a wrong-typed field is not echoed back', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{12,24}$/), (secret) => {
        const raw = {
          provider: validProvider,
          pools: [validPool],
          tickMs: `redis://user:${secret}@db.internal:6379`,
        };
        expect(problemsOf(raw).join('\n')).not.toContain(secret);
      }),
      { seed, numRuns: 100 },
    );
  });

  // Keys that are not plain names are quoted in the path: an empty key or one holding a newline
  // once printed as `http.: …` or forged a second, path-less line.
  const oddKeys: [string, string][] = [
    ['empty', ''],
    ['holding a newline', 'line\nbreak'],
  ];
  for (const [what, odd] of oddKeys) {
    it(`an unknown key ${what} still gives one line with a field path`, () => {
      everyLineNamesAField({ provider: validProvider, pools: [validPool], http: { [odd]: 1 } });
    });
  }
});
