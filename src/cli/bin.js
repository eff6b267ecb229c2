#!/usr/bin/env node
// The package ships TypeScript sources; tsx runs them without a build step.
import { register } from 'tsx/esm/api';

register();
// `bullmq-autoscaler config schema | head` closes our stdout early: that is not a failure.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
