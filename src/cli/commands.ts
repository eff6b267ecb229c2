import { generatorNames } from '../simulate/generators.ts';
import { configCommand } from './config-command.ts';
import { doctorCommand } from './doctor.ts';
import { downCommand } from './down.ts';
import { drainCommand } from './drain.ts';
import { evalCommand } from './eval.ts';
import { serversCommand, statusCommand } from './fleet-commands.ts';
import { type Command, configOption, jsonOption, poolOption, text } from './options.ts';
import { rolloutCommand } from './rollout.ts';
import { scaleCommand } from './scale.ts';
import { simulateCommand } from './simulate.ts';
import { startCommand } from './start.ts';

/** Every subcommand: what `--help` prints and what runs. */
export const commands: Record<string, Command> = {
  start: {
    summary: 'run the scaler until SIGINT/SIGTERM',
    usage: 'bullmq-autoscaler start --config <file> [--log-format json|pretty]',
    examples: [
      'bullmq-autoscaler start --config autoscaler.config.json',
      'REDIS_URL=redis://10.0.0.5:6379 HTTP_PORT=9464 bullmq-autoscaler start -c autoscaler.yaml',
      'bullmq-autoscaler start -c autoscaler.yaml --log-format json | tee scaler.log',
    ],
    options: {
      ...configOption,
      'log-format': {
        type: 'string',
        valueName: 'json|pretty',
        help: 'log lines as JSON, or one readable line per event; default pretty on a terminal (env LOG_FORMAT)',
      },
    },
    run: ({ flags }, io) =>
      startCommand({ config: text(flags, 'config'), logFormat: text(flags, 'log-format') }, io),
  },
  status: {
    summary: 'per pool: servers by state, any pin, and the last decision with its reason',
    usage: 'bullmq-autoscaler status --config <file> [--json]',
    examples: [
      'bullmq-autoscaler status -c autoscaler.config.json',
      "bullmq-autoscaler status -c a.yaml --json | jq '.pools[0].servers'",
    ],
    options: { ...configOption, ...jsonOption },
    run: ({ flags }, io) => statusCommand({ config: text(flags, 'config'), json: flags.json === true }, io),
  },
  servers: {
    summary: 'list the fleet, or one server’s audit trail',
    usage: 'bullmq-autoscaler servers --config <file> [--history <server-id>] [--json]',
    examples: [
      'bullmq-autoscaler servers -c autoscaler.config.json',
      'bullmq-autoscaler servers -c autoscaler.config.json --history main-3',
      'bullmq-autoscaler servers -c autoscaler.config.json --json | jq \'.[] | select(.state == "ready") | .id\'',
    ],
    options: {
      ...configOption,
      ...jsonOption,
      history: { type: 'string', valueName: 'server-id', help: 'show the transitions of this server' },
    },
    run: ({ flags }, io) =>
      serversCommand(
        { config: text(flags, 'config'), json: flags.json === true, history: text(flags, 'history') },
        io,
      ),
  },
  eval: {
    summary: 'dry run: sample once and print each pool’s decision and its reason; writes nothing',
    usage: 'bullmq-autoscaler eval --config <file> [--json]',
    examples: [
      'bullmq-autoscaler eval --config autoscaler.config.json',
      "bullmq-autoscaler eval --config autoscaler.config.json --json | jq '.pools[0].reason'",
    ],
    options: { ...configOption, ...jsonOption },
    run: ({ flags }, io) => evalCommand({ config: text(flags, 'config'), json: flags.json === true }, io),
  },
  simulate: {
    summary: 'replay a trace (a file or a generator) through the policy on a virtual clock',
    usage:
      'bullmq-autoscaler simulate --trace <file|generator> --config <file> [--pool <name>] [--json] [--chart <out.svg>]',
    examples: [
      'bullmq-autoscaler simulate --trace spike --config autoscaler.config.json',
      'bullmq-autoscaler simulate --trace jobs.jsonl -c autoscaler.yaml --pool emails --json --chart wait.svg',
      "bullmq-autoscaler simulate -t spike -c autoscaler.yaml --json | jq '.p95WaitMs'",
    ],
    options: {
      ...configOption,
      ...jsonOption,
      trace: {
        type: 'string',
        short: 't',
        valueName: 'file|generator',
        help: `a JSON-lines trace file, or a generator: ${generatorNames.join(', ')}`,
      },
      ...poolOption,
      chart: { type: 'string', valueName: 'out.svg', help: 'write an SVG timeline here' },
      billing: {
        type: 'string',
        valueName: 'second|hour',
        help: 'how servers are billed; default second (60 s or $0.01 minimum, as DigitalOcean)',
      },
      price: { type: 'string', valueName: 'usd', help: 'USD per server-hour' },
      warmup: { type: 'string', valueName: 'seconds', help: 'seconds left out of the figures' },
      seed: { type: 'string', valueName: 'n', help: 'random seed for generators and boot times' },
    },
    notes: [
      'trace file: one JSON object per line, one job each; t and durationMs in ms, the rest optional:',
      '  {"t": 0, "queue": "emails", "durationMs": 1200}',
      '  {"t": 250, "queue": "emails", "durationMs": 900, "priority": 1, "delayMs": 5000}',
    ],
    run: ({ flags }, io) => simulateCommand(flags, io),
  },
  doctor: {
    summary:
      'check Redis and the provider setup (token, snapshot, size, limits, user_data); exit 1 if any fails',
    usage: 'bullmq-autoscaler doctor --config <file> [--json]',
    examples: [
      'bullmq-autoscaler doctor -c autoscaler.config.json',
      'DIGITALOCEAN_TOKEN=… bullmq-autoscaler doctor -c examples/digitalocean.config.yaml --json',
    ],
    options: { ...configOption, ...jsonOption },
    run: ({ flags }, io) => doctorCommand({ config: text(flags, 'config'), json: flags.json === true }, io),
  },
  drain: {
    summary: 'drain one server as a scale-down would: it finishes its jobs, then the scaler deletes it',
    usage: 'bullmq-autoscaler drain <server-id> --config <file>',
    examples: ['bullmq-autoscaler drain main-3 -c autoscaler.config.json'],
    options: configOption,
    positionals: ['server-id'],
    run: ({ flags, positionals: [server = ''] }, io) =>
      drainCommand(server, { config: text(flags, 'config') }, io),
  },
  scale: {
    summary: 'pin a pool to N servers (optionally for a while), or remove the pin',
    usage: 'bullmq-autoscaler scale <pool> --config <file> (--pin <servers> [--for <duration>] | --unpin)',
    examples: [
      'bullmq-autoscaler scale emails --pin 4 --for 30m -c autoscaler.config.json',
      'bullmq-autoscaler scale emails --unpin -c autoscaler.config.json',
    ],
    options: {
      ...configOption,
      pin: { type: 'string', valueName: 'servers', help: 'keep the pool at this many servers' },
      for: {
        type: 'string',
        valueName: 'duration',
        help: 'pin lifetime: 90s, 30m, 2h, 1h30m; default until --unpin',
      },
      unpin: { type: 'boolean', help: 'remove the pin; the policy decides again' },
    },
    positionals: ['pool'],
    run: ({ flags, positionals: [pool = ''] }, io) =>
      scaleCommand(
        pool,
        {
          config: text(flags, 'config'),
          pin: text(flags, 'pin'),
          for: text(flags, 'for'),
          unpin: flags.unpin === true,
        },
        io,
      ),
  },
  rollout: {
    summary:
      'replace every server of a pool by a rolling surge-and-drain (code deployed without a new image)',
    usage: 'bullmq-autoscaler rollout restart <pool> --config <file>',
    examples: ['bullmq-autoscaler rollout restart emails -c autoscaler.config.json'],
    options: configOption,
    positionals: ['action', 'pool'],
    run: ({ flags, positionals: [action = '', pool = ''] }, io) =>
      rolloutCommand(action, pool, { config: text(flags, 'config') }, io),
  },
  down: {
    summary:
      'drain and delete every server of the cluster (or one pool): jobs finish first, nothing is killed',
    usage: 'bullmq-autoscaler down --config <file> [--pool <name>] [--json]',
    examples: [
      'bullmq-autoscaler down -c autoscaler.config.json',
      'bullmq-autoscaler down -c autoscaler.config.json --pool emails',
    ],
    options: { ...configOption, ...poolOption, ...jsonOption },
    notes: [
      'The pools are pinned to 0 so the scaler does not replace them; `scale <pool> --unpin` undoes it.',
    ],
    run: ({ flags }, io) =>
      downCommand(
        { config: text(flags, 'config'), pool: text(flags, 'pool'), json: flags.json === true },
        io,
      ),
  },
  config: {
    summary: 'print the JSON Schema of config files, or their documented TypeScript type',
    usage: 'bullmq-autoscaler config schema|types',
    examples: [
      'bullmq-autoscaler config schema > autoscaler.schema.json',
      'bullmq-autoscaler config types > autoscaler-config.d.ts',
    ],
    options: {},
    positionals: ['schema|types'],
    run: ({ positionals: [what = ''] }, io) => configCommand(what, io),
  },
};
