/**
 * Web mode's carrier: an HTTP server on 127.0.0.1 that serves the renderer build, and a
 * WebSocket endpoint speaking the one protocol. Every connection must present the per-launch
 * token (compared in constant time), browsers must come from this server's own origin, and
 * no message may exceed the protocol's size limit. Nothing listens beyond the loopback.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { SocketCarrier } from '../../ipc/byte-carrier.ts';
import { MAX_MESSAGE_BYTES } from '../../ipc/protocol.ts';
import { APP_ENTITLEMENTS } from '../../driver-runtime/host/driver-client.ts';
import type { AppCore } from '../app-core.ts';
import { contentSecurityPolicy, contentType, staticFile } from '../static-files.ts';

export const SOCKET_PATH = '/netlanes';
const HOST = '127.0.0.1';
/** The page's policy: the WebSocket back to this server only. */
const CSP = contentSecurityPolicy("'self' ws://127.0.0.1:* ws://localhost:*");

export interface WebServerOptions {
  /** 0: any free port. */
  port?: number;
  /** The renderer build to serve (its index.html at the root). */
  staticDir: string;
}

export class WebServer {
  readonly token = randomBytes(32).toString('hex');
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  port = 0;
  /** Upgrades refused, by reason (tests and diagnostics). */
  readonly refused: Record<string, number> = {};

  constructor(
    private readonly core: AppCore,
    private readonly options: WebServerOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    this.http = createServer((req, res) => void this.serve(req, res));
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 0, HOST, () => resolve());
    });
    this.port = (this.http.address() as AddressInfo).port;
    return this.url;
  }

  /** The page's address, with the token in the fragment (never sent to a server, never logged). */
  get url(): string {
    return `http://${HOST}:${this.port}/#token=${this.token}`;
  }

  private tokenMatches(given: string | null): boolean {
    if (given === null) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private refuse(socket: Duplex, status: number, reason: string): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    if (url.pathname !== SOCKET_PATH) return this.refuse(socket, 404, 'Not Found');
    if (!this.tokenMatches(url.searchParams.get('token'))) return this.refuse(socket, 401, 'Unauthorized');
    // A browser always sends its page's origin: only our own page may connect. Tools send none.
    const origin = req.headers.origin;
    const own = [`http://${HOST}:${this.port}`, `http://localhost:${this.port}`];
    if (origin !== undefined && !own.includes(origin)) return this.refuse(socket, 403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const name = origin === undefined ? 'tool' : 'web';
      this.core.attach(new SocketCarrier(ws), { name, entitlements: APP_ENTITLEMENTS });
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = {
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const file = staticFile(this.options.staticDir, url.pathname);
    if (file === null) {
      res.writeHead(403, headers).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        ...headers,
        'Content-Type': contentType(file),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    }
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
