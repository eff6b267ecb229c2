import { afterEach, describe, expect, it } from 'vitest';
import { type SpotNotice, spotNoticeSettings, watchSpotNotices } from '../../src/worker/spot-notices.ts';
import { FakeImds } from '../fakes/imds.ts';
import { waitFor } from '../helpers/redis.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function watching(): Promise<{ imds: FakeImds; notices: SpotNotice[] }> {
  const imds = await new FakeImds().start();
  cleanups.push(() => imds.close());
  const notices: SpotNotice[] = [];
  const watch = watchSpotNotices({ endpoint: imds.url, pollMs: 20, onNotice: (n) => notices.push(n) });
  cleanups.push(() => watch.stop());
  await waitFor('a metadata session', async () => imds.requests.some((r) => r.method === 'GET'));
  return { imds, notices };
}

describe('spot notices from the metadata service (IMDSv2)', () => {
  it('reports an interruption once, with EC2’s payload, after asking with a session token', async () => {
    const { imds, notices } = await watching();
    expect(notices).toEqual([]);
    imds.interrupt();
    await waitFor('the notice', async () => notices.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notices).toHaveLength(1);
    expect(notices[0]?.kind).toBe('interruption');
    expect(JSON.parse(notices[0]?.detail ?? '{}')).toMatchObject({ action: 'terminate' });
    expect(imds.requests[0]).toEqual({ method: 'PUT', path: '/latest/api/token' });
  });

  it('reports a rebalance recommendation', async () => {
    const { imds, notices } = await watching();
    imds.rebalance();
    await waitFor('the notice', async () => notices.length > 0);
    expect(notices[0]?.kind).toBe('rebalance');
  });

  it('is off unless AUTOSCALER_IMDS_WATCH=1, and takes the endpoint and poll interval from the environment', () => {
    expect(spotNoticeSettings({})).toBeUndefined();
    expect(spotNoticeSettings({ AUTOSCALER_IMDS_WATCH: '1' })).toEqual({
      endpoint: 'http://169.254.169.254',
    });
    expect(
      spotNoticeSettings({
        AUTOSCALER_IMDS_WATCH: '1',
        AUTOSCALER_IMDS_ENDPOINT: 'http://127.0.0.1:1',
        AUTOSCALER_IMDS_POLL_MS: '250',
      }),
    ).toEqual({ endpoint: 'http://127.0.0.1:1', pollMs: 250 });
  });
});
