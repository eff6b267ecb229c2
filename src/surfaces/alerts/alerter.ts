import type { Logger } from 'pino';
import { messageOf } from '../../base/errors.ts';
import { redactUrlsIn } from '../../base/redact.ts';
import { type ScalingEvent, type ScalingEventName, scalingEventNames } from '../../core/events.ts';
import { type ScalerView, subscribe } from '../view.ts';
import { AlertLimiter } from './limiter.ts';
import { postWebhook } from './webhook.ts';

/** Events worth waking someone for; 'circuit.open' counts once the lifecycle emits it. */
export const alertEvents: ReadonlySet<ScalingEventName> = new Set<ScalingEventName>([
  'limit.hit',
  'server.hanging',
  'server.failed',
  'circuit.open',
]);

export interface AlertOptions {
  webhookUrl: string;
  oldestWaitMs?: number | undefined;
  repeatAfterMs: number;
  maxPerHour: number;
}

export interface Alerter {
  /** Stops listening and waits for messages already on their way. */
  close(): Promise<void>;
}

/** Sends the alert events and long waits to the webhook, rate-limited per kind and pool. */
export function startAlerts(
  scaler: ScalerView,
  options: AlertOptions,
  logger: Logger | undefined,
  now: () => number = Date.now,
): Alerter {
  const limiter = new AlertLimiter(options.repeatAfterMs, options.maxPerHour);
  const inFlight = new Set<Promise<void>>();
  const alert = (kind: string, pool: string, text: string) => {
    const verdict = limiter.take(`${kind}:${pool}`, now());
    if (verdict !== 'send') {
      logger?.debug({ event: 'alert.suppressed', kind, pool, why: verdict }, 'alert suppressed');
      return;
    }
    const sending = postWebhook(options.webhookUrl, redactUrlsIn(`[${scaler.config.cluster}] ${text}`))
      .catch((error: unknown) => {
        const why = messageOf(error);
        logger?.warn({ event: 'alert.failed', kind, pool, error: why }, `alert not delivered: ${why}`);
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };
  const unsubscribers = scalingEventNames
    .filter((name) => alertEvents.has(name))
    .map((name) =>
      subscribe(scaler, name, (event) => alert(event.event, poolOf(event), describeEvent(event))),
    );
  const waits =
    options.oldestWaitMs === undefined ? undefined : watchWaits(scaler, options.oldestWaitMs, alert);
  return {
    close: async () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      if (waits) clearInterval(waits);
      await Promise.all([...inFlight]);
    },
  };
}

/** Checks every tick's demand, since a wait can keep growing while the decision stays the same. */
function watchWaits(
  scaler: ScalerView,
  thresholdMs: number,
  alert: (kind: string, pool: string, text: string) => void,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const [pool, state] of scaler.poolStates()) {
      const waitMs = state.lastDemand?.oldestWaitMs ?? 0;
      if (waitMs > thresholdMs) {
        const text = `oldest wait ${seconds(waitMs)} in pool ${pool} (alert above ${seconds(thresholdMs)})`;
        alert('oldest-wait', pool, `${text}; ${state.last?.reason ?? ''}`);
      }
    }
  }, scaler.config.tickMs);
  timer.unref();
  return timer;
}

function poolOf(event: ScalingEvent): string {
  return 'pool' in event ? event.pool : '';
}

/** One readable line from any event's fields: where it happened, then why. */
export function describeEvent(event: ScalingEvent): string {
  const { event: kind, ...fields } = event;
  const where: string[] = [];
  const details: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'pool' || key === 'serverId') where.push(`${key === 'pool' ? 'pool' : 'server'} ${value}`);
    else if (key === 'untilMs' && typeof value === 'number')
      details.push(`until ${new Date(value).toISOString()}`);
    else if (key !== 'reason') details.push(`${key} ${String(value)}`);
  }
  const why = 'reason' in fields && typeof fields.reason === 'string' ? fields.reason : details.join(', ');
  return `${kind} — ${where.join(', ')}: ${why}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
