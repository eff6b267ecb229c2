import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** The parts of a compose file these checks read. */
interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  restart?: string;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
}
type Compose = { services: Record<string, Service> };

/**
 * What issue 19 found wrong with the demo's compose file, as checks a compose file can fail:
 * each returns the problems it finds. No Docker engine runs here, so the file is read, not run.
 */
function composeProblems(compose: Compose): string[] {
  const problems: string[] = [];
  const { scaler, producer, deps } = compose.services;
  if (scaler === undefined || producer === undefined) return ['no scaler or producer service'];
  const waitsOn = (s: Service, on: string, condition: string) => s.depends_on?.[on]?.condition === condition;
  if (!waitsOn(scaler, 'redis', 'service_healthy')) problems.push('scaler does not wait for a healthy redis');
  if (!waitsOn(producer, 'scaler', 'service_healthy'))
    problems.push('producer does not wait for a healthy scaler');
  if (!scaler.healthcheck?.test?.join(' ').includes('/healthz'))
    problems.push('scaler has no /healthz healthcheck');
  for (const [name, s] of Object.entries(compose.services)) {
    const command = (s.command ?? []).join(' ');
    // Polling for a file races a concurrent npm ci; waiting belongs in depends_on.
    if (/until \[/.test(command)) problems.push(`${name} polls for a file instead of a healthcheck`);
    if (/npm (ci|install)/.test(command) && name !== 'deps')
      problems.push(`${name} installs dependencies itself`);
    if (name !== 'deps' && s.restart === undefined) problems.push(`${name} has no restart policy`);
  }
  const install = (deps?.command ?? []).join(' ');
  if (deps !== undefined) {
    if (!waitsOn(scaler, 'deps', 'service_completed_successfully'))
      problems.push('scaler does not wait for the install to finish');
    if (!/npm prune --omit=dev/.test(install)) problems.push('dev dependencies stay installed');
    if (!/cmp -s package-lock\.json/.test(install))
      problems.push('every `up` reinstalls into the shared volume');
  }
  const port = scaler.environment?.HTTP_PORT;
  if (port === undefined) problems.push('scaler serves no status page');
  else {
    if (!scaler.ports?.some((p) => p.endsWith(`:${port}:${port}`) || p === `${port}:${port}`))
      problems.push(`status port ${port} is not published`);
    if (scaler.environment?.HTTP_HOST !== '0.0.0.0')
      problems.push('the status page binds loopback inside the container');
  }
  return problems;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as Compose;

describe('docker-compose.yml (issue 19 stumbles)', () => {
  it('waits on healthchecks, installs production dependencies once, restarts, publishes the status port', () => {
    expect(composeProblems(compose)).toEqual([]);
  });

  it('the checks catch the file as it was: a file poll, npm ci in the scaler, no restart, no port', () => {
    const before: Compose = {
      services: {
        redis: {},
        scaler: {
          command: ['sh', '-c', 'npm ci --no-audit --no-fund && exec node dist/src/cli/bin.js start'],
          environment: { REDIS_URL: 'redis://redis:6379' },
          depends_on: { redis: { condition: 'service_healthy' } },
        },
        producer: {
          command: ['sh', '-c', 'until [ -x node_modules/.bin/tsx ]; do sleep 2; done; exec tsx p.ts'],
          depends_on: { redis: { condition: 'service_healthy' } },
        },
      },
    };
    expect(composeProblems(before)).toEqual([
      'producer does not wait for a healthy scaler',
      'scaler has no /healthz healthcheck',
      'redis has no restart policy',
      'scaler installs dependencies itself',
      'scaler has no restart policy',
      'producer polls for a file instead of a healthcheck',
      'producer has no restart policy',
      'scaler serves no status page',
    ]);
  });

  it('an install that keeps dev tools or reinstalls every time is caught', () => {
    const deps = compose.services.deps;
    const planted: Compose = {
      services: { ...compose.services, deps: { ...deps, command: ['sh', '-c', 'npm ci'] } },
    };
    expect(composeProblems(planted)).toEqual([
      'dev dependencies stay installed',
      'every `up` reinstalls into the shared volume',
    ]);
  });
});
