import {
  type CreatedServer,
  type CreateOptions,
  creatable,
  type Provider,
  ProviderError,
  type ProviderServer,
  type ServerSpec,
} from '../../providers/provider.ts';

export interface MemoryProviderScript {
  /** Answers each create call; throw to fail it. Default: create every spec. */
  create?: (specs: ServerSpec[], call: number) => void;
  /** Answers each destroy call; throw to fail it. Default: destroy. */
  destroy?: (providerId: string, call: number) => void;
  /** What one server costs per hour; undefined means the provider cannot tell. */
  hourlyPriceUsd?: number;
}

/**
 * An in-memory provider whose failures a test scripts, counting every call. Servers never run a
 * worker: tests that need running servers use the local-process provider.
 */
export class MemoryProvider implements Provider {
  readonly name = 'memory';
  readonly maxBatch = 10;
  readonly servers = new Map<string, ProviderServer>();
  readonly calls = { create: 0, get: 0, list: 0, destroy: 0 };
  readonly createdSpecs: ServerSpec[] = [];

  constructor(private readonly script: MemoryProviderScript = {}) {}

  async create(specs: ServerSpec[], options?: CreateOptions): Promise<CreatedServer[]> {
    this.calls.create++;
    this.script.create?.(specs, this.calls.create);
    return (await creatable(specs, options)).map((spec) => {
      this.createdSpecs.push(spec);
      this.servers.set(spec.name, {
        providerId: spec.name,
        name: spec.name,
        tags: spec.tags,
        status: 'active',
        createdAtMs: Date.now(),
      });
      return { serverId: spec.serverId, providerId: spec.name };
    });
  }

  async get(providerId: string): Promise<ProviderServer | undefined> {
    this.calls.get++;
    return this.servers.get(providerId);
  }

  async list(ownerTag: string): Promise<ProviderServer[]> {
    this.calls.list++;
    return [...this.servers.values()].filter((s) => s.tags.includes(ownerTag));
  }

  async destroy(providerId: string): Promise<void> {
    this.calls.destroy++;
    this.script.destroy?.(providerId, this.calls.destroy);
    this.servers.delete(providerId);
  }

  async serverHourlyPriceUsd(): Promise<number | undefined> {
    return this.script.hourlyPriceUsd;
  }

  async close(): Promise<void> {}
}

export function unavailable(message: string): ProviderError {
  return new ProviderError(message, { status: 503, retryable: true });
}
