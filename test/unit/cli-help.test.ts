import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} }, out, err };
}

describe('cli help', () => {
  it.each(['start', 'eval', 'status', 'servers'])('%s --help shows options and examples', async (command) => {
    const { io, out } = collect();
    expect(await main([command, '--help'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/options:\n.*--config/);
    expect(out.join('\n')).toMatch(/examples:\n {2}bullmq-autoscaler /);
  });

  it('lists the commands, prints the version, and exits 2 without a command', async () => {
    const help = collect();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out.join('\n')).toMatch(/commands:\n {2}start/);
    const version = collect();
    expect(await main(['--version'], version.io)).toBe(0);
    expect(version.out[0]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await main([], collect().io)).toBe(2);
  });
});
