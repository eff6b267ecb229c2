import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ownerTagOf,
  type Provider,
  type ProviderServer,
  poolTagOf,
  type ServerSpec,
} from '../../providers/provider.ts';

export interface ContractSubject {
  provider: Provider;
  /** The cluster the provider was built for: its ownership tag is what list() is asked for. */
  cluster: string;
  /** A server type the provider was built with besides `default`, creating different servers. */
  secondType: string;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** Extra env for each spec (a real REDIS_URL for providers that start workers). */
  env?: Record<string, string>;
  /** How long a created server may take to be listed and become active. */
  activeTimeoutMs?: number;
}

/** Polls until `probe` returns a value, or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The semantics every Provider must keep, whatever it runs on. Reusable: call it from a test
 * file with a factory for the provider under test.
 */
export function runProviderContract(
  name: string,
  makeProvider: () => Promise<ContractSubject>,
  options: ContractOptions = {},
): void {
  describe(`provider contract: ${name}`, () => {
    let subject: ContractSubject;
    let made: string[] = [];
    let counter = 0;
    const timeoutMs = options.activeTimeoutMs ?? 10_000;

    const specFor = (serverId: string): ServerSpec => {
      const serverName = `${subject.cluster}-contract-${serverId}`;
      const env = {
        SERVER_ID: serverId,
        SERVER_NAME: serverName,
        POOL: 'contract',
        REDIS_URL: 'redis://127.0.0.1:6379',
        AUTOSCALER_CLUSTER: subject.cluster,
        BULLMQ_PREFIX: 'bull',
        ...options.env,
      };
      const tags = [ownerTagOf(subject.cluster), poolTagOf('contract')];
      return { serverId, name: serverName, pool: 'contract', type: 'default', tags, env };
    };

    const createSome = async (count: number) => {
      const specs = Array.from({ length: count }, () => specFor(`c${Date.now().toString(36)}x${counter++}`));
      const created = await subject.provider.create(specs);
      made.push(...created.map((c) => c.providerId));
      return { specs, created };
    };

    const listed = async (providerId: string): Promise<ProviderServer | undefined> =>
      (await subject.provider.list(ownerTagOf(subject.cluster))).find((s) => s.providerId === providerId);

    beforeAll(async () => {
      subject = await makeProvider();
    });

    afterEach(async () => {
      await Promise.all(made.map((id) => subject.provider.destroy(id)));
      made = [];
    });

    afterAll(async () => {
      await subject?.provider.close();
      await subject?.cleanup();
    });

    it('creates one server per spec, each with its own provider id', async () => {
      const { specs, created } = await createSome(2);
      expect(created.map((c) => c.serverId)).toEqual(specs.map((s) => s.serverId));
      expect(new Set(created.map((c) => c.providerId)).size).toBe(2);
    });

    it('get returns the server with its name and tags; it becomes active', async () => {
      const { specs, created } = await createSome(1);
      const [spec, server] = [specs[0], created[0]];
      if (!spec || !server) throw new Error('nothing created');
      const active = await waitFor('the server to be active', timeoutMs, async () => {
        const got = await subject.provider.get(server.providerId);
        return got?.status === 'active' ? got : undefined;
      });
      expect(active.name).toBe(spec.name);
      expect(active.tags).toEqual(expect.arrayContaining(spec.tags));
    });

    it('list returns every created server, and only servers carrying the ownership tag', async () => {
      const { created } = await createSome(2);
      for (const c of created)
        await waitFor(`server ${c.providerId} to be listed`, timeoutMs, () => listed(c.providerId));
      const all = await subject.provider.list(ownerTagOf(subject.cluster));
      expect(all.every((s) => s.tags.includes(ownerTagOf(subject.cluster)))).toBe(true);
    });

    it('buys only what mayCreate still allows, asks only about missing servers, and returns those that exist', async () => {
      const { specs: existing } = await createSome(1);
      const fresh = specFor(`c${Date.now().toString(36)}x${counter++}`);
      const asked: string[][] = [];
      const mayCreate = async (ids: string[]) => {
        asked.push(ids);
        return new Set<string>();
      };
      const created = await subject.provider.create([...existing, fresh], { mayCreate });
      made.push(...created.map((c) => c.providerId));
      expect(created.map((c) => c.serverId)).toEqual(existing.map((s) => s.serverId));
      expect(asked.flat()).toEqual([fresh.serverId]);
      const all = await subject.provider.list(ownerTagOf(subject.cluster));
      expect(all.filter((s) => s.name === fresh.name)).toEqual([]);
    });

    it('creates more servers than maxBatch in one call', async () => {
      const { created } = await createSome(subject.provider.maxBatch + 1);
      expect(new Set(created.map((c) => c.providerId)).size).toBe(subject.provider.maxBatch + 1);
    });

    it('a destroyed server is gone: get is undefined and list leaves it out', async () => {
      const { created } = await createSome(1);
      const id = created[0]?.providerId ?? '';
      await subject.provider.destroy(id);
      await waitFor('the server to be gone', timeoutMs, async () =>
        (await subject.provider.get(id)) === undefined ? true : undefined,
      );
      expect(await listed(id)).toBeUndefined();
    });

    it('creates each server type as configured and reports what it runs; an unknown type buys nothing', async () => {
      const plain = specFor(`c${Date.now().toString(36)}x${counter++}`);
      const other = { ...specFor(`c${Date.now().toString(36)}x${counter++}`), type: subject.secondType };
      const created = await subject.provider.create([plain, other]);
      made.push(...created.map((c) => c.providerId));
      const images = [
        await subject.provider.currentImage?.('default'),
        await subject.provider.currentImage?.(subject.secondType),
      ];
      expect(images[0]).toEqual(expect.any(String));
      expect(images[1]).not.toEqual(images[0]);
      expect(created.map((c) => c.image)).toEqual(images);
      const stranger = { ...specFor(`c${Date.now().toString(36)}x${counter++}`), type: 'no-such-type' };
      await expect(subject.provider.create([stranger])).rejects.toThrow(/no-such-type/);
      const all = await subject.provider.list(ownerTagOf(subject.cluster));
      expect(all.filter((s) => s.name === stranger.name)).toEqual([]);
    });

    it('destroy is idempotent: destroying a gone server succeeds', async () => {
      const { created } = await createSome(1);
      const id = created[0]?.providerId ?? '';
      await subject.provider.destroy(id);
      await subject.provider.destroy(id);
      await expect(subject.provider.destroy(id)).resolves.toBeUndefined();
    });
  });
}
