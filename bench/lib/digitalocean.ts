import {
  createDigitalOceanProvider,
  type DigitalOceanProvider,
  type DigitalOceanProviderConfigInput,
  digitaloceanProviderSchema,
} from '../../providers/digitalocean/index.ts';
import { FakeDigitalOcean, type RecordedRequest } from '../../test/fakes/digitalocean-api.ts';

/** The provider block a user would write, pointed at the fake; the example user_data batches ten per call. */
export function doProviderConfig(apiUrl: string): DigitalOceanProviderConfigInput {
  return {
    type: 'digitalocean',
    apiUrl,
    region: 'nyc3',
    size: 's-1vcpu-1gb',
    snapshot: 'worker-base',
    userDataFile: 'examples/digitalocean-user-data.sh',
    userDataVars: { NODE_ENV: 'production' },
  };
}

export function doProvider(fake: FakeDigitalOcean, cluster: string): DigitalOceanProvider {
  const config = digitaloceanProviderSchema.parse(doProviderConfig(fake.url));
  return createDigitalOceanProvider({ ...config, cluster }, { DIGITALOCEAN_TOKEN: fake.token });
}

export interface StampedRequest extends RecordedRequest {
  atMs: number;
}

/**
 * The fake DigitalOcean API on 127.0.0.1 with an arrival time for every request: the fake records
 * requests without one, so a 10 ms poller stamps them (good enough for per-minute rates).
 */
export class TimedFake {
  readonly fake: FakeDigitalOcean;
  readonly stamped: StampedRequest[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(dropletLimit: number) {
    this.fake = new FakeDigitalOcean({ dropletLimit });
  }

  async start(): Promise<this> {
    await this.fake.start();
    this.timer = setInterval(() => this.stamp(), 10);
    return this;
  }

  /** Requests that arrived in [fromMs, toMs). */
  between(fromMs: number, toMs: number): StampedRequest[] {
    this.stamp();
    return this.stamped.filter((r) => r.atMs >= fromMs && r.atMs < toMs);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.fake.close();
  }

  private stamp(): void {
    const atMs = Date.now();
    for (const request of this.fake.requests.slice(this.stamped.length))
      this.stamped.push({ ...request, atMs });
  }
}

/** "POST /v2/droplets", "GET /v2/droplets", …: droplet ids folded so calls group by kind. */
export function kindOf(r: RecordedRequest): string {
  return `${r.method} ${r.path.replace(/\/\d+$/, '/{id}')}`;
}
