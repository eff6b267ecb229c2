import { createHash } from 'node:crypto';
import { ownerTagOf, poolTagOf, type ServerSpec, typeOf } from '../provider.ts';

/**
 * EC2 tags are key=value pairs; the scaler's tags are words (`bullmq-autoscaler-<cluster>`,
 * `bullmq-autoscaler-pool-<pool>`). The ownership and pool words become these keys, so an IAM
 * policy can scope every action by `aws:ResourceTag/bullmq-autoscaler:cluster`.
 */
export const CLUSTER_TAG = 'bullmq-autoscaler:cluster';
export const POOL_TAG = 'bullmq-autoscaler:pool';
export const SERVER_ID_TAG = 'bullmq-autoscaler:server-id';
export const TYPE_TAG = 'bullmq-autoscaler:type';

/** The tags an instance of `spec` carries: ours, the spec's other words (as keys), the user's extras. */
export function tagsOf(
  cluster: string,
  spec: ServerSpec,
  extra: Record<string, string>,
): Record<string, string> {
  const words = spec.tags.filter((t) => t !== ownerTagOf(cluster) && t !== poolTagOf(spec.pool));
  return {
    ...extra,
    ...Object.fromEntries(words.map((w) => [w, ''])),
    Name: spec.name,
    [CLUSTER_TAG]: cluster,
    [POOL_TAG]: spec.pool,
    [SERVER_ID_TAG]: spec.serverId,
    [TYPE_TAG]: typeOf(spec),
  };
}

/** Tags every instance of one launch shares: all but the per-server Name and server id. */
export function sharedTagsOf(tags: Record<string, string>): Record<string, string> {
  const { Name: _name, [SERVER_ID_TAG]: _id, ...shared } = tags;
  return shared;
}

/** The scaler's words back from an instance's tags (what ProviderServer.tags reports). */
export function wordsOf(tags: Record<string, string>): string[] {
  const words: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (key === CLUSTER_TAG) words.unshift(ownerTagOf(value));
    else if (key === POOL_TAG) words.push(poolTagOf(value));
    else if (value === '' && !key.startsWith('aws:')) words.push(key);
  }
  return words;
}

/**
 * The RunInstances ClientToken of one launch: the same servers in the same place and market get
 * the same token, so a repeated launch (the SDK's retry, or the scaler's after a lost answer)
 * returns the instances EC2 already started instead of buying them again. At most 64 characters.
 */
export function clientTokenOf(cluster: string, serverIds: string[], placement: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([cluster, [...serverIds].sort(), placement]))
    .digest('hex');
  return `bas-${digest.slice(0, 60)}`;
}
