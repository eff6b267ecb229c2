import { spawn } from 'node:child_process';
import { redactUrlsIn } from '../base/redact.ts';
import { loadCheckMarker, loadCheckVariable } from '../worker/server-env.ts';

export interface WorkerEntryCheck {
  ok: boolean;
  detail: string;
}

/** Long enough for tsx to compile a large entry on a slow machine; a real boot takes longer anyway. */
const loadTimeoutMs = 30_000;

/**
 * Loads the worker entry in a child process exactly as a local server would (same node, same tsx
 * loader, same boot script), so a module that cannot load — a `.ts` entry with top-level await
 * in a CommonJS app, a missing import — fails here and not as a crash loop after `start`.
 * runServerWorker sees the check variable and exits before connecting: no job is taken.
 */
export async function checkWorkerEntry(
  entry: string,
  serverEnv: Record<string, string>,
): Promise<WorkerEntryCheck> {
  const { serverArgs, exitSummary, withheldEnv } = await import('../../providers/local-process/index.ts');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...serverEnv,
    [loadCheckVariable]: '1',
    BOOT_DELAY_MS: '0',
  };
  for (const name of withheldEnv) delete env[name];
  const child = spawn(process.execPath, serverArgs(entry), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), loadTimeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code === 0 && output.includes(loadCheckMarker))
    return { ok: true, detail: `${entry} loads and calls runServerWorker()` };
  const why =
    code === null
      ? `did not call runServerWorker() within ${loadTimeoutMs / 1000} s`
      : code === 0
        ? 'exited without calling runServerWorker()'
        : `fails to load: ${exitSummary(code, output)}`;
  return { ok: false, detail: redactUrlsIn(`${entry} ${why}`) };
}
