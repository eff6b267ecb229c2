#!/usr/bin/env node
import { main } from './main.ts';

// `bullmq-autoscaler config schema | head` closes our stdout early: that is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
