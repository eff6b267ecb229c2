import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { Autoscaler } from '../../src/index.ts';
import { FakeImds } from '../fakes/imds.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { Ec2Servers } from '../helpers/ec2-servers.ts';
import { deletePrefix, redisUrl, uniquePrefix, waitFor } from '../helpers/redis.ts';
import { startEc2World } from '../providers/aws-ec2-harness.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe('the scaler on the EC2 provider (fake EC2 API, fake IMDS, real workers)', () => {
  it('a spot interruption mid-job: the server drains, the job is not lost, a replacement is up before the notice runs out', async () => {
    const prefix = uniquePrefix('ec2');
    const ec2 = await startEc2World();
    const imds = await new FakeImds().start();
    const config = parseConfig(
      {
        cluster: prefix,
        redis: { url: redisUrl(), bullmqPrefix: prefix },
        tickMs: 250,
        lifecycle: { reconcileEveryTicks: 20, stalledCheckMs: 1_000, heartbeatLostMs: 10_000 },
        log: { summaryEveryMs: 0 },
        provider: { ...ec2.config({ market: 'spot' }) },
        pools: [
          {
            name: 'main',
            queues: ['alpha'],
            slotsPerServer: 1,
            minServers: 1,
            maxServers: 2,
            bootSeconds: 1,
          },
        ],
      },
      {},
    );
    const log = captureLog();
    const scaler = new Autoscaler(config, { logger: log.logger });
    const servers = new Ec2Servers({
      fake: ec2.fake,
      cluster: prefix,
      redisUrl: redisUrl(),
      queues: ['alpha'],
      slots: 1,
      extraEnv: {
        AUTOSCALER_IMDS_WATCH: '1',
        AUTOSCALER_IMDS_ENDPOINT: imds.url,
        AUTOSCALER_IMDS_POLL_MS: '200',
      },
    });
    const queue = new Queue('alpha', { connection: { url: redisUrl() }, prefix });
    const redis = new Redis(redisUrl());
    cleanups.push(async () => {
      await scaler.close();
      await servers.stop();
      await queue.close();
      await imds.close();
      await ec2.close();
      await deletePrefix(redisUrl(), prefix);
      await redis.quit();
    });
    servers.start();
    await scaler.start();

    const job = await queue.add('long', { ms: 4_000 });
    await waitFor('the job to run', async () => (await job.getState()) === 'active');
    // Every instance up now is hit, including one the scaler started for the waiting job (its
    // worker may take jobs before the scaler has seen its first heartbeat): wait until each worker
    // has a metadata session, so each sees the notice.
    const hit = new Set(
      [...ec2.fake.instances.values()]
        .filter((i) => i.state !== 'terminated')
        .map((i) => i.tags.get('bullmq-autoscaler:server-id') ?? i.instanceId),
    );
    const sessions = () => imds.requests.filter((r) => r.method === 'PUT').length;
    await waitFor('every server to have a metadata session', async () => sessions() >= hit.size);
    expect(
      ec2.fake.calls('RunInstances').every((p) => p.get('InstanceMarketOptions.MarketType') === 'spot'),
    ).toBe(true);

    const noticeAtMs = Date.now();
    imds.interrupt();
    await waitFor('the scaler to drain every interrupted server', async () =>
      [...hit].every((id) =>
        log.events('server.draining').some((l) => l.serverId === id && l.reason === 'spot notice'),
      ),
    );
    await waitFor('a replacement to be ready', async () =>
      log.events('server.ready').some((l) => !hit.has(String(l.serverId))),
    );
    // The replacement was bought while an interrupted server was still finishing the job.
    expect(await job.getState()).toBe('active');
    await waitFor('the job to complete', async () => (await job.getState()) === 'completed');
    await waitFor('the interrupted instances to be terminated', async () =>
      [...hit].every((id) => log.events('server.deleted').some((l) => l.serverId === id)),
    );
    expect(Date.now() - noticeAtMs).toBeLessThan(120_000);
    expect(await redis.hgetall(`${prefix}:test:runs`)).toEqual({ [`alpha:${job.id}`]: '1' });
    const spans = (await redis.lrange(`${prefix}:test:spans`, 0, -1)).map(
      (s) => JSON.parse(s) as { server: string },
    );
    expect(spans).toHaveLength(1);
    expect(hit.has(spans[0]?.server ?? '')).toBe(true);
  }, 300_000);
});
