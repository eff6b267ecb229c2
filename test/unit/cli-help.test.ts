import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.ts';
import { main } from '../../src/cli/main.ts';

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} }, out, err };
}

describe('cli help', () => {
  it.each(Object.keys(commands))('%s --help shows its usage, options and examples', async (command) => {
    const { io, out } = collect();
    expect(await main([command, '--help'], io)).toBe(0);
    const help = out.join('\n');
    expect(help).toMatch(new RegExp(`^usage: bullmq-autoscaler ${command}`));
    expect(help).toMatch(new RegExp(`examples:\\n {2}bullmq-autoscaler ${command} `));
    for (const option of Object.keys(commands[command]?.options ?? {})) expect(help).toContain(`--${option}`);
  });

  it('every command but `config` takes --config', () => {
    const without = Object.entries(commands)
      .filter(([, c]) => !('config' in c.options))
      .map(([n]) => n);
    expect(without).toEqual(['config']);
  });

  it('lists the commands, prints the version, and exits 2 without a command', async () => {
    const help = collect();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out.join('\n')).toMatch(/commands:\n {2}start/);
    for (const name of Object.keys(commands))
      expect(help.out.join('\n')).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    const version = collect();
    expect(await main(['--version'], version.io)).toBe(0);
    expect(version.out[0]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await main([], collect().io)).toBe(2);
  });

  it('refuses stray or missing positional arguments with exit 2', async () => {
    const stray = collect();
    expect(await main(['status', 'extra'], stray.io)).toBe(2);
    expect(stray.err[0]).toMatch(/^error: Unexpected argument 'extra'|^error: .*extra/);
    const missing = collect();
    expect(await main(['drain', '--config', 'x.json'], missing.io)).toBe(2);
    expect(missing.err).toEqual([
      'error: expected <server-id>, got 0 argument(s); usage: bullmq-autoscaler drain <server-id> --config <file>',
    ]);
  });
});
