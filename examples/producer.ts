// A producer for the docker-compose demo: sends bursts to the demo's two queues every minute.
// In your app this is simply wherever you call queue.add().
import { Queue } from 'bullmq';

const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
const prefix = process.env.BULLMQ_PREFIX ?? 'bullmq-autoscaler-demo';
const emails = new Queue('emails', { connection, prefix });
const reports = new Queue('reports', { connection, prefix });

async function burst(): Promise<void> {
  await emails.addBulk(Array.from({ length: 300 }, () => ({ name: 'send', data: { ms: 500 } })));
  await reports.addBulk(Array.from({ length: 40 }, () => ({ name: 'build', data: { ms: 3000 } })));
  console.log(
    JSON.stringify({ event: 'producer.burst', emails: 300, reports: 40, at: new Date().toISOString() }),
  );
}

await burst();
setInterval(() => void burst(), Number(process.env.BURST_EVERY_MS ?? 120_000));
