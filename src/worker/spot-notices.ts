/**
 * EC2 warns a spot instance two minutes before it takes it back (`spot/instance-action`), and may
 * recommend leaving earlier (`events/recommendations/rebalance`). Both are read from the instance
 * metadata service with IMDSv2: a session token from PUT /latest/api/token, sent with every GET.
 */

export interface SpotNotice {
  kind: 'interruption' | 'rebalance';
  /** EC2's own payload, e.g. {"action":"terminate","time":"2026-11-29T13:00:00Z"}. */
  detail: string;
}

export interface SpotNoticeWatch {
  stop(): void;
}

export interface SpotNoticeOptions {
  /** The metadata service; tests point it at a fake. @default http://169.254.169.254 */
  endpoint?: string;
  /** @default 5000 (EC2 suggests polling every 5 s) */
  pollMs?: number;
  /** Called once, with the first notice seen. */
  onNotice: (notice: SpotNotice) => void;
}

const TOKEN_TTL_SECONDS = 21_600;
/** Metadata answers come from the local hypervisor: anything slower is not coming. */
const REQUEST_TIMEOUT_MS = 2_000;

/** Whether this server should watch for notices: set by the EC2 provider through user_data. */
export function spotNoticeSettings(
  env: NodeJS.ProcessEnv,
): { endpoint: string; pollMs?: number } | undefined {
  if (env.AUTOSCALER_IMDS_WATCH !== '1') return undefined;
  const pollMs = Number(env.AUTOSCALER_IMDS_POLL_MS);
  return {
    endpoint: env.AUTOSCALER_IMDS_ENDPOINT ?? 'http://169.254.169.254',
    ...(pollMs > 0 ? { pollMs } : {}),
  };
}

/**
 * Polls the metadata service until a notice appears, then reports it once and stops. Errors (no
 * metadata service, a refused token) are retried at the next poll: a watch never kills a worker.
 */
export function watchSpotNotices(options: SpotNoticeOptions): SpotNoticeWatch {
  const endpoint = (options.endpoint ?? 'http://169.254.169.254').replace(/\/$/, '');
  let token: string | undefined;
  let stopped = false;
  const request = (path: string, init: RequestInit = {}) =>
    fetch(`${endpoint}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const read = async (path: string): Promise<string | undefined> => {
    token ??= await (
      await request('/latest/api/token', {
        method: 'PUT',
        headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_SECONDS) },
      })
    ).text();
    const answer = await request(path, { headers: { 'X-aws-ec2-metadata-token': token } });
    if (answer.status === 401) token = undefined; // expired: a new one next poll
    return answer.status === 200 ? await answer.text() : undefined;
  };
  const poll = async () => {
    const interruption = await read('/latest/meta-data/spot/instance-action');
    if (interruption !== undefined) return { kind: 'interruption', detail: interruption } as const;
    const rebalance = await read('/latest/meta-data/events/recommendations/rebalance');
    return rebalance === undefined ? undefined : ({ kind: 'rebalance', detail: rebalance } as const);
  };
  const timer = setInterval(() => {
    void poll()
      .then((notice) => {
        if (notice === undefined || stopped) return;
        stopped = true;
        clearInterval(timer);
        options.onNotice(notice);
      })
      .catch(() => {});
  }, options.pollMs ?? 5_000);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
