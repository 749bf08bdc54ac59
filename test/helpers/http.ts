/** Real local HTTP servers for tests: node:http on port 0, responses scripted per path, every request logged. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  host: string;
  path: string;
  method: string;
  at: number;
  headers: IncomingMessage['headers'];
}

export interface TestServer {
  server: Server;
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  host: string;
  port: number;
  log: LoggedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Listens on `host` (any 127.0.0.x works on Linux) and a free port. */
export async function startServer(handler: Handler, host = '127.0.0.1', port = 0): Promise<TestServer> {
  const log: LoggedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    log.push({
      host: req.headers.host ?? '',
      path: req.url ?? '',
      method: req.method ?? '',
      at: Date.now(),
      headers: req.headers,
    });
    Promise.resolve(handler(req, res)).catch((err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address() as AddressInfo;
  return {
    server,
    origin: `http://${host}:${addr.port}`,
    host,
    port: addr.port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function html(
  res: ServerResponse,
  body: string,
  status = 200,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(body);
}
