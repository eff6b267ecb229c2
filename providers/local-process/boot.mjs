// Stands in for a cloud server's boot: wait BOOT_DELAY_MS, then run the worker entry.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: boot.mjs <worker entry>');
  process.exit(2);
}
// The exit code outlives the process, so the provider can say why a server went away.
const exitFile = process.env.LOCAL_EXIT_FILE;
if (exitFile) process.on('exit', (code) => writeFileSync(exitFile, String(code)));
await new Promise((done) => setTimeout(done, Number(process.env.BOOT_DELAY_MS ?? 0)));
await import(pathToFileURL(resolve(entry)).href);
