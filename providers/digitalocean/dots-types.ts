import type { FetchLike } from './http.ts';

/*
 * The slice of @digitalocean/dots this provider uses, described by hand. dots ships .ts
 * sources, not .d.ts, so importing its types would make our compiler check all of dots under
 * our flags (verbatimModuleSyntax and noUncheckedIndexedAccess fail inside it). The
 * integration tests against the fake API check these shapes at run time.
 */

type Maybe<T> = T | null | undefined;

export interface DotsDroplet {
  id?: Maybe<number>;
  name?: Maybe<string>;
  tags?: Maybe<string[]>;
  status?: Maybe<'new' | 'active' | 'off' | 'archive'>;
  createdAt?: Maybe<Date>;
  region?: Maybe<{ slug?: Maybe<string> }>;
}

export interface DotsSnapshot {
  /** A string on the wire; limitedFetch turns a number into one before dots reads it. */
  id?: Maybe<string | number>;
  name?: Maybe<string>;
  regions?: Maybe<string[]>;
  createdAt?: Maybe<Date>;
}

export interface DotsSize {
  slug?: Maybe<string>;
  priceHourly?: Maybe<number>;
  regions?: Maybe<string[]>;
  available?: Maybe<boolean>;
}

/** dots' camelCase create body; it writes snake_case on the wire. */
export interface DotsCreateBody {
  names: string[];
  region: string;
  size: string;
  image: number;
  sshKeys: string[];
  monitoring: boolean;
  tags: string[];
  userData: string;
  vpcUuid?: string;
}

interface Page {
  meta?: Maybe<{ total?: Maybe<number> }>;
}

interface PageQuery<Extra = object> {
  queryParameters: { perPage: number; page: number } & Extra;
}

export interface DotsClient {
  v2: {
    droplets: {
      post(
        body: DotsCreateBody,
      ): Promise<Maybe<{ droplet?: Maybe<DotsDroplet>; droplets?: Maybe<DotsDroplet[]> }>>;
      get(query: PageQuery<{ tagName?: string }>): Promise<Maybe<Page & { droplets?: Maybe<DotsDroplet[]> }>>;
      byDroplet_id(id: number): {
        get(): Promise<Maybe<{ droplet?: Maybe<DotsDroplet> }>>;
        delete(): Promise<void>;
      };
    };
    snapshots: {
      get(
        query: PageQuery<{ resourceType: 'droplet' }>,
      ): Promise<Maybe<Page & { snapshots?: Maybe<DotsSnapshot[]> }>>;
      bySnapshot_id(id: number): { get(): Promise<Maybe<{ snapshot?: Maybe<DotsSnapshot> }>> };
    };
    sizes: { get(query: PageQuery): Promise<Maybe<Page & { sizes?: Maybe<DotsSize[]> }>> };
    account: { get(): Promise<Maybe<{ account?: Maybe<{ dropletLimit?: Maybe<number> }> }>> };
  };
}

/** dots-sdk.js: dots and its Kiota HTTP stack, bundled into one file by the build. */
export interface DotsSdk {
  createDotsClient(options: { token: string; baseUrl: string; fetch: FetchLike }): DotsClient;
}
