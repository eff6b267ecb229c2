// Stands in for a cloud server's boot: wait BOOT_DELAY_MS, then run the worker entry.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: boot.mjs <worker entry>');
  process.exit(2);
}
await new Promise((done) => setTimeout(done, Number(process.env.BOOT_DELAY_MS ?? 0)));
await import(pathToFileURL(resolve(entry)).href);
