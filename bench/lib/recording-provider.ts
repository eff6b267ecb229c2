import type { CreatedServer, Provider, ProviderServer, ServerSpec } from '../../providers/provider.ts';

export interface CreateCall {
  atMs: number;
  serverIds: string[];
}

/**
 * A provider that creates nothing: it timestamps every create call and then reports the servers
 * as existing. It isolates the scaler's own reaction from any cloud's latency.
 */
export class RecordingProvider implements Provider {
  readonly name = 'recording';
  readonly calls: CreateCall[] = [];
  private readonly servers = new Map<string, ProviderServer>();
  private readonly listeners: ((call: CreateCall) => void)[] = [];

  constructor(readonly maxBatch = 10) {}

  get created(): number {
    return this.calls.reduce((sum, call) => sum + call.serverIds.length, 0);
  }

  onCreate(listener: (call: CreateCall) => void): void {
    this.listeners.push(listener);
  }

  async create(specs: ServerSpec[]): Promise<CreatedServer[]> {
    const call = { atMs: Date.now(), serverIds: specs.map((s) => s.serverId) };
    this.calls.push(call);
    for (const listener of this.listeners) listener(call);
    return specs.map((spec) => {
      this.servers.set(spec.name, {
        providerId: spec.name,
        name: spec.name,
        tags: spec.tags,
        status: 'active',
        createdAtMs: call.atMs,
      });
      return { serverId: spec.serverId, providerId: spec.name };
    });
  }

  async get(providerId: string): Promise<ProviderServer | undefined> {
    return this.servers.get(providerId);
  }

  async list(ownerTag: string): Promise<ProviderServer[]> {
    return [...this.servers.values()].filter((s) => s.tags.includes(ownerTag));
  }

  async destroy(providerId: string): Promise<void> {
    this.servers.delete(providerId);
  }

  async close(): Promise<void> {}
}
