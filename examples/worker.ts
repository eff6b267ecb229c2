// The worker entry a server runs. On a cloud server your systemd unit starts it; locally the
// local-process provider does. The scaler passes SERVER_ID, POOL, QUEUES, SLOTS and REDIS_URL.
import { runServerWorker } from 'bullmq-autoscaler/worker';

await runServerWorker({
  async processor(job) {
    // Stand-in for real work: each job says how long it takes.
    const ms = Number(job.data?.ms ?? 500);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { doneBy: process.env.SERVER_ID, ms };
  },
});
