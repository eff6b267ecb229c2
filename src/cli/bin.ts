#!/usr/bin/env node
import { main } from './main.ts';

// `bullmq-autoscaler config schema | head` closes our stdout early: that is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const args = process.argv.slice(2);
process.exitCode = await main(args);
// A stopped scaler has logged its last line and let go of its servers; what may be left are
// Redis clients retrying a Redis that went away, which would keep the process up for ever.
if (args[0] === 'start') process.exit();
