import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { doctorCommand } from './doctor.ts';
import { evalCommand } from './eval.ts';
import { serversCommand, statusCommand } from './fleet-commands.ts';
import { type CliIo, exitCode, processIo, UsageError } from './io.ts';
import { startCommand } from './start.ts';

interface Command {
  summary: string;
  usage: string;
  examples: string[];
  options: Record<string, { type: 'string' | 'boolean'; short?: string; help: string }>;
  run: (flags: Record<string, string | boolean | undefined>, io: CliIo) => Promise<number>;
}

const configOption = {
  config: { type: 'string', short: 'c', help: 'config file: .json, .yaml, .yml, .js, .mjs or .ts' },
} as const;
const jsonOption = { json: { type: 'boolean', help: 'print JSON instead of text' } } as const;

const commands: Record<string, Command> = {
  start: {
    summary: 'run the scaler until SIGINT/SIGTERM',
    usage: 'bullmq-autoscaler start --config <file>',
    examples: [
      'bullmq-autoscaler start --config autoscaler.config.json',
      'REDIS_URL=redis://10.0.0.5:6379 bullmq-autoscaler start -c autoscaler.yaml',
    ],
    options: configOption,
    run: (f, io) => startCommand(asFlags(f), io),
  },
  eval: {
    summary: 'dry run: sample once and print each pool’s decision as JSON; writes nothing',
    usage: 'bullmq-autoscaler eval --config <file>',
    examples: ['bullmq-autoscaler eval --config autoscaler.config.json | jq .pools[0].reason'],
    options: configOption,
    run: (f, io) => evalCommand(asFlags(f), io),
  },
  status: {
    summary: 'per pool: servers by state and the last decision with its reason',
    usage: 'bullmq-autoscaler status --config <file> [--json]',
    examples: ['bullmq-autoscaler status -c autoscaler.config.json'],
    options: { ...configOption, ...jsonOption },
    run: (f, io) => statusCommand(asFlags(f), io),
  },
  servers: {
    summary: 'list the fleet, or one server’s audit trail',
    usage: 'bullmq-autoscaler servers --config <file> [--history <server-id>] [--json]',
    examples: [
      'bullmq-autoscaler servers -c autoscaler.config.json',
      'bullmq-autoscaler servers -c autoscaler.config.json --history main-3',
    ],
    options: {
      ...configOption,
      ...jsonOption,
      history: { type: 'string', help: 'show the transitions of this server' },
    },
    run: (f, io) => serversCommand(asFlags(f), io),
  },
  doctor: {
    summary:
      'check Redis and the provider setup (token, snapshot, size, limits, user_data); exit 1 if any fails',
    usage: 'bullmq-autoscaler doctor --config <file> [--json]',
    examples: ['DIGITALOCEAN_TOKEN=… bullmq-autoscaler doctor -c examples/digitalocean.config.yaml'],
    options: { ...configOption, ...jsonOption },
    run: (f, io) => doctorCommand(asFlags(f), io),
  },
};

function asFlags(flags: Record<string, string | boolean | undefined>) {
  const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  return { config: text('config'), history: text('history'), json: flags.json === true };
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(generalHelp());
    return name === undefined ? exitCode.usage : exitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return exitCode.ok;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`unknown command "${name}"; run \`bullmq-autoscaler --help\` for the list`);
    return exitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return exitCode.ok;
  }
  try {
    const options = Object.fromEntries(
      Object.entries(command.options).map(([k, o]) => [
        k,
        o.short ? { type: o.type, short: o.short } : { type: o.type },
      ]),
    );
    const { values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
    return await command.run(values as Record<string, string | boolean | undefined>, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      for (const line of (error as Error).message.split('\n')) io.err(`error: ${line}`);
      return exitCode.usage;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return exitCode.failure;
  }
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

function generalHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    'bullmq-autoscaler: scale BullMQ worker servers by queue wait time',
    '',
    'usage: bullmq-autoscaler <command> [options]',
    '',
    'commands:',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    '',
    'Run `bullmq-autoscaler <command> --help` for its options and examples.',
    'Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  const options = Object.entries(c.options).map(
    ([n, o]) => `  ${o.short ? `-${o.short}, ` : '    '}--${n.padEnd(10)} ${o.help}`,
  );
  return [
    `usage: ${c.usage}`,
    '',
    c.summary,
    '',
    'options:',
    ...options,
    '',
    'examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
