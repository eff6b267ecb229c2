import type { Logger } from 'pino';
import { ConfigError } from '../config/load.ts';
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
    const token = tokenFrom(http.tokenEnv, process.env);
    const server = await startHttpServer(scaler, { port: http.port, host: http.host, token });
    closers.push(() => server.close());
    logger?.info(
      { event: 'http.listening', url: server.url, auth: token === undefined ? 'none' : 'bearer token' },
      `status page at ${server.url}/`,
    );
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

/** The status page's token from the variable `http.tokenEnv` names; a named but empty variable is a mistake, not "no auth". */
export function tokenFrom(tokenEnv: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (tokenEnv === undefined) return undefined;
  const token = env[tokenEnv];
  if (token === undefined || token.trim() === '')
    throw new ConfigError([
      `http.tokenEnv: the environment variable ${tokenEnv} is empty or unset; set it to the status page's token or remove http.tokenEnv`,
    ]);
  return token;
}
