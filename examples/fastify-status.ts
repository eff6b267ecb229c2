// The status page inside your own Fastify app, read-only, beside your routes:
//   AUTOSCALER_CONFIG=autoscaler.config.json STATUS_TOKEN=… npx tsx examples/fastify-status.ts
// It reads everything from Redis, where the scaler's leader writes it: no scaler runs in this process.
import { pathToFileURL } from 'node:url';
import {
  type AutoscalerConfig,
  createRedisClient,
  createStatusHandler,
  loadConfigFile,
  type RedisClient,
  redisConnectionOf,
} from 'bullmq-autoscaler';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/** Your app with the page, /status and the sign-in under /ops/autoscaler, behind a bearer token. */
export function fastifyApp(redis: RedisClient, config: AutoscalerConfig, token: string | undefined) {
  const status = createStatusHandler(redis, { config, basePath: '/ops/autoscaler', token });
  const app = Fastify();
  app.get('/', async () => 'your app');
  // The sign-in form posts url-encoded: leave its body unread for the handler.
  app.addContentTypeParser('application/x-www-form-urlencoded', (_req, _payload, done) => done(null));
  const handle = (request: FastifyRequest, reply: FastifyReply) => {
    // The handler answers on the raw response; Fastify must not answer as well.
    reply.hijack();
    status(request.raw, reply.raw);
  };
  app.all('/ops/autoscaler', handle);
  app.all('/ops/autoscaler/*', handle);
  app.addHook('onClose', async () => status.close());
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = await loadConfigFile(process.env.AUTOSCALER_CONFIG ?? 'autoscaler.config.json');
  const app = fastifyApp(
    createRedisClient(redisConnectionOf(config.redis), { maxRetriesPerRequest: 1 }),
    config,
    process.env.STATUS_TOKEN,
  );
  await app.listen({ port: 3000, host: '127.0.0.1' });
  console.log('status page at http://127.0.0.1:3000/ops/autoscaler/');
}
