import type { Logger } from 'pino';
import { startAlerts } from './alerts/alerter.ts';
import { startHttpServer } from './http/server.ts';
import type { ScalerView } from './view.ts';

/** The operator surfaces a config turns on: the HTTP server and webhook alerts. */
export interface Surfaces {
  close(): Promise<void>;
}

export async function startSurfaces(scaler: ScalerView, logger: Logger | undefined): Promise<Surfaces> {
  const closers: (() => Promise<void>)[] = [];
  const { http, alerts } = scaler.config;
  if (http.port !== undefined) {
    const server = await startHttpServer(scaler, { port: http.port, host: http.host });
    closers.push(() => server.close());
    logger?.info({ event: 'http.listening', url: server.url }, `status page at ${server.url}/`);
  }
  if (alerts.webhookUrl !== undefined) {
    const alerter = startAlerts(scaler, { ...alerts, webhookUrl: alerts.webhookUrl }, logger);
    closers.push(() => alerter.close());
  }
  return {
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}
