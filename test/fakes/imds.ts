import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for EC2's instance metadata service (IMDSv2 only: every GET needs a token from
 * PUT /latest/api/token) on 127.0.0.1. An interruption hits the instances running when it was
 * announced: sessions (tokens) opened before `interrupt()` see the notice, later ones do not, so
 * one fake serves a whole local fleet and the replacement of an interrupted server starts clean.
 */
export class FakeImds {
  readonly requests: { method: string; path: string }[] = [];
  private readonly tokens = new Set<string>();
  private interrupted = new Set<string>();
  private rebalanced = new Set<string>();
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      this.requests.push({ method: req.method ?? '', path });
      if (req.method === 'PUT' && path === '/latest/api/token') {
        if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return void res.writeHead(400).end();
        const token = randomUUID();
        this.tokens.add(token);
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
      }
      const token = String(req.headers['x-aws-ec2-metadata-token'] ?? '');
      if (req.method !== 'GET' || !this.tokens.has(token)) return void res.writeHead(401).end();
      if (path === '/latest/meta-data/spot/instance-action' && this.interrupted.has(token)) {
        const time = new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
        return void res.writeHead(200).end(JSON.stringify({ action: 'terminate', time }));
      }
      if (path === '/latest/meta-data/events/recommendations/rebalance' && this.rebalanced.has(token)) {
        return void res.writeHead(200).end(JSON.stringify({ noticeTime: new Date().toISOString() }));
      }
      res.writeHead(404).end();
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The two-minute spot interruption notice, for every instance running now. */
  interrupt(): void {
    this.interrupted = new Set(this.tokens);
  }

  rebalance(): void {
    this.rebalanced = new Set(this.tokens);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
