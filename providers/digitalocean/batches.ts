import { type ServerSpec, typeOf } from '../provider.ts';

/** Specs that can share one create request: DigitalOcean gives every name of a request the same body. */
export interface CreateGroup {
  /** The server type: one request creates droplets of one size, image and region. */
  type: string;
  userData: string;
  tags: string[];
  specs: ServerSpec[];
}

/**
 * Groups specs by server type and identical user_data and tags, then cuts groups to `maxBatch`. A template
 * with per-server placeholders ({{SERVER_ID}}) therefore costs one request per server; one
 * that reads the droplet's name from the metadata service batches ten to a request.
 */
export function planCreateGroups(
  specs: ServerSpec[],
  maxBatch: number,
  render: (spec: ServerSpec) => { userData: string; tags: string[] },
): CreateGroup[] {
  const byBody = new Map<string, CreateGroup>();
  for (const spec of specs) {
    const body = { type: typeOf(spec), ...render(spec) };
    const key = JSON.stringify([body.type, body.userData, body.tags]);
    const group = byBody.get(key) ?? { ...body, specs: [] };
    group.specs.push(spec);
    byBody.set(key, group);
  }
  return [...byBody.values()].flatMap((group) =>
    chunk(group.specs, maxBatch).map((part) => ({ ...group, specs: part })),
  );
}

export function chunk<T>(items: T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}
