// The scaler whose cost bench/overhead.ts measures, in a process of its own so nothing of the
// benchmark's own work lands in its CPU time or memory.
import { Autoscaler } from '../src/index.ts';
import { queueNames } from './lib/queues.ts';
import { RecordingProvider } from './lib/recording-provider.ts';
import { rigConfig } from './lib/scaler.ts';

const url = process.env.BENCH_REDIS_URL ?? '';
const prefix = process.env.BENCH_PREFIX ?? '';
const queues = Number(process.env.BENCH_QUEUES);
const servers = Number(process.env.BENCH_SERVERS);

const config = rigConfig(url, prefix, {
  pool: { queues: queueNames(queues), minServers: servers, maxServers: servers },
});
const scaler = new Autoscaler(config, { provider: new RecordingProvider() });
await scaler.start();
process.send?.('started');
process.once('SIGTERM', () => {
  void scaler.close().then(() => process.exit(0));
});
