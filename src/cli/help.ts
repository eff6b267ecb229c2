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
    'Run `bullmq-autoscaler help <command>` (or `<command> --help`) for its options and examples.',
    'Environment: REDIS_URL, LOG_LEVEL, LOG_FORMAT, HTTP_PORT, HTTP_HOST and ALERT_WEBHOOK_URL',
    'override the config file.',
    'Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error. Errors go to stderr.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  const flags = Object.entries(c.options).map(([long, o]) => {
    const value = o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : '';
    return [`${o.short ? `-${o.short}, ` : '    '}--${long}${value}`, o.help] as const;
  });
  const width = Math.max(0, ...flags.map(([flag]) => flag.length));
  return [
    `usage: ${c.usage}`,
    '',
    c.summary,
    '',
    ...(flags.length > 0 ? ['options:', ...flags.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`), ''] : []),
    ...(c.notes === undefined ? [] : [...c.notes, '']),
    'examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}
