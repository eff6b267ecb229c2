import { z } from 'zod';
import { durationMs } from './bounds.ts';

export const httpSchema = z
  .object({
    port: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe(
        'Serve /metrics, /healthz, /status and the status page on this port (env HTTP_PORT); off when unset.',
      ),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        'Address the HTTP server binds (env HTTP_HOST); the default keeps it off the network, "0.0.0.0" opens it (containers).',
      ),
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name, e.g. "STATUS_TOKEN"')
      .optional()
      .describe(
        'Name of the environment variable holding a bearer token the page, /status and /metrics then require (/healthz stays open); no auth when unset. The token itself never goes in a config file.',
      ),
  })
  .strict()
  .default({ host: '127.0.0.1' })
  .describe('The optional HTTP server for Prometheus, health checks and the status page.');

export const alertsSchema = z
  .object({
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'Slack-compatible incoming webhook (env ALERT_WEBHOOK_URL); alerts are POSTed as {"text": …}. Off when unset.',
      ),
    oldestWaitMs: durationMs
      .min(1)
      .optional()
      .describe('Alert when a pool’s oldest ready job has waited longer than this; off when unset.'),
    repeatAfterMs: durationMs
      .default(300_000)
      .describe('Quiet time per alert kind and pool after one is sent, so an incident sends a few messages.'),
    maxPerHour: z
      .number()
      .int()
      .min(1)
      .default(12)
      .describe('Cap on messages per rolling hour over all kinds; past it alerts are only logged.'),
  })
  .strict()
  .default({ repeatAfterMs: 300_000, maxPerHour: 12 })
  .describe('Webhook alerts on limit.hit, server.hanging, server.failed, circuit.open and long waits.');
