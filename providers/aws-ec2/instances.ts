import { ProviderError, type ProviderServer } from '../provider.ts';
import type { Ec2Instance } from './client.ts';
import { wordsOf } from './tags.ts';

/** Instances in these states are gone for the scaler, though EC2 still lists them a while. */
export const GONE = new Set(['shutting-down', 'terminated']);
export const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export function instanceIdOf(providerId: string): string {
  if (!/^i-[0-9a-f]{8,17}$/.test(providerId)) {
    throw new ProviderError(`"${providerId}" is not an EC2 instance id (i-…)`, { retryable: false });
  }
  return providerId;
}

export function toServer(instance: Ec2Instance): ProviderServer {
  const status =
    instance.state === 'running'
      ? 'active'
      : instance.state === 'pending'
        ? 'new'
        : GONE.has(instance.state)
          ? 'gone'
          : 'off';
  return {
    providerId: instance.instanceId,
    name: instance.tags.Name ?? instance.instanceId,
    tags: wordsOf(instance.tags),
    status,
    createdAtMs: instance.launchedAtMs,
    region: instance.zone,
  };
}
