import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The cookie a browser gets after typing the token into the sign-in form. */
const cookieName = 'bullmq_autoscaler_token';
/** A sign-in form posts a few dozen bytes; anything larger is not ours. */
const maxFormBytes = 4_096;

/**
 * Bearer-token auth for the status surfaces. Scripts and Prometheus send `Authorization: Bearer …`;
 * a browser signs in once through a form (no token in a URL, where proxies would log it) and then
 * carries an HttpOnly, SameSite=Strict cookie scoped to the page's path.
 */
export class TokenAuth {
  private readonly digest: Buffer;

  constructor(token: string) {
    this.digest = sha256(token);
  }

  allows(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    const cookie = cookieOf(req, cookieName);
    return [bearer, cookie].some((given) => given !== undefined && this.matches(given));
  }

  /** Handles POST sign-in: sets the cookie for the page's path and sends the browser there, or answers 401 again. */
  async signIn(req: IncomingMessage, res: ServerResponse, pagePath: string): Promise<void> {
    const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
    if (!this.matches(token)) {
      refuse(res, 'That token is not the one this status page was started with.');
      return;
    }
    res.writeHead(303, {
      location: pagePath,
      'set-cookie': `${cookieName}=${encodeURIComponent(token)}; Path=${pagePath}; HttpOnly; SameSite=Strict`,
    });
    res.end();
  }

  private matches(given: string): boolean {
    return timingSafeEqual(sha256(given), this.digest);
  }
}

/** 401 with a sign-in form for browsers; scripts read the status and the WWW-Authenticate header. */
export function refuse(res: ServerResponse, why: string): void {
  res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'www-authenticate': 'Bearer' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="page.css"></head>
<body class="sign-in"><form method="post" action="sign-in"><h1>bullmq-autoscaler status</h1><p>${why}</p>
<label>Token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>`);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > maxFormBytes) throw new Error('sign-in form too large');
  }
  return body;
}
