// The status page inside your own Express app, read-only, beside your routes:
//   AUTOSCALER_CONFIG=autoscaler.config.json npx tsx examples/express-status.ts
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
import express, { type RequestHandler } from 'express';

/** Your app with the page, /status and the sign-in under /ops/autoscaler. */
export function expressApp(redis: RedisClient, config: AutoscalerConfig, guard: RequestHandler) {
  const status = createStatusHandler(redis, { config, basePath: '/ops/autoscaler' });
  const app = express();
  app.get('/', (_req, res) => {
    res.send('your app');
  });
  // Your own auth goes first: the page shows queue names, server ids and costs.
  app.use('/ops/autoscaler', guard, status);
  return { app, close: () => status.close() };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = await loadConfigFile(process.env.AUTOSCALER_CONFIG ?? 'autoscaler.config.json');
  const redis = createRedisClient(redisConnectionOf(config.redis), { maxRetriesPerRequest: 1 });
  const operatorsOnly: RequestHandler = (req, res, next) => {
    // Replace with your session check; this one only lets local requests through.
    if (req.socket.remoteAddress === '127.0.0.1' || req.socket.remoteAddress === '::1') next();
    else res.status(403).send('operators only');
  };
  expressApp(redis, config, operatorsOnly).app.listen(3000, () => {
    console.log('status page at http://127.0.0.1:3000/ops/autoscaler/');
  });
}
