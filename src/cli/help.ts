import type { Command } from './options.ts';

export function generalHelp(commands: Record<string, Command>): string {
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
    'Environment: REDIS_URL, LOG_LEVEL, HTTP_PORT and ALERT_WEBHOOK_URL override the config file.',
    'Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  const options = Object.entries(c.options).map(
    ([n, o]) => `  ${o.short ? `-${o.short}, ` : '    '}--${n.padEnd(10)} ${o.help}`,
  );
  return [
    `usage: ${c.usage}`,
    '',
    c.summary,
    '',
    ...(options.length > 0 ? ['options:', ...options, ''] : []),
    'examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}
