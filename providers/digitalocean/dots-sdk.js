// The DigitalOcean SDK as the provider loads it: @digitalocean/dots with the Kiota release it works
// with (1.0.0-preview.102; later ones fail every list with "unsupported type during
// deserialization"). The build (src/dev/build.mjs) bundles this file with exactly those packages
// into dist/, so an installed package never resolves dots or Kiota from the user's node_modules,
// where npm would ignore our pins. In a checkout it runs as is, against the pinned dev install.
//
// Plain JavaScript on purpose: dots ships .ts sources, and a TypeScript import of it would make our
// compiler check all of dots under our flags. Its shape is described in dots-types.ts (DotsSdk).
import { createDigitalOceanClient, DigitalOceanApiKeyAuthenticationProvider } from '@digitalocean/dots';
import {
  FetchRequestAdapter,
  HttpClient,
  MiddlewareFactory,
  RetryHandler,
} from '@microsoft/kiota-http-fetchlibrary';

/**
 * A dots client sending every request through `fetch`. Kiota's RetryHandler is left out: it
 * retries POST on 429/503/504 and so duplicates droplets; the provider's own retries check for the
 * droplet first.
 *
 * @param {{ token: string, baseUrl: string, fetch: (url: string, init: RequestInit) => Promise<Response> }} options
 */
export function createDotsClient({ token, baseUrl, fetch }) {
  const middlewares = MiddlewareFactory.getDefaultMiddlewares(fetch).filter(
    (middleware) => !(middleware instanceof RetryHandler),
  );
  const adapter = new FetchRequestAdapter(
    new DigitalOceanApiKeyAuthenticationProvider(token),
    undefined,
    undefined,
    new HttpClient(fetch, ...middlewares),
  );
  // dots fills in https://api.digitalocean.com only when baseUrl is empty: tests and proxies set it.
  adapter.baseUrl = baseUrl;
  return createDigitalOceanClient(adapter);
}
