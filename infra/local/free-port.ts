import net from 'node:net';
import { LocalPartError } from './local-part-error';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on host:port, or rejects after `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start listening on ${host}:${port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Checks that `port` on 127.0.0.1 is free before a part is started on it, so a port in use is
 * reported as such instead of as the part's own late, and often unclear, failure.
 * @throws LocalPartError naming the part, the port and the variable that changes it.
 */
export async function assertPortFree(port: number, part: string, variable: string): Promise<void> {
  const inUse = await new Promise<boolean>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
  if (inUse) {
    throw new LocalPartError(part, `port ${port} on 127.0.0.1 is in use`, `stop what listens there, or set ${variable} to another port`);
  }
}
