// A config as a TypeScript module: defineConfig() types every option and its documentation.
// Import it from 'bullmq-autoscaler/config': it loads nothing else, so this works in CommonJS apps too.
import { defineConfig } from 'bullmq-autoscaler/config';

export default defineConfig({
  $schema: '../docs/config.schema.json',
  cluster: 'typed',
  provider: { type: 'local-process', workerEntry: './worker.ts', bootDelayMs: 2_000 },
  pools: [{ name: 'emails', queues: ['emails'], slotsPerServer: 4, maxServers: 6, targetWaitMs: 10_000 }],
  http: { port: 9464 },
  alerts: { oldestWaitMs: 60_000 },
});
