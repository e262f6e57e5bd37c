import * as http from 'http';
import { AddressInfo } from 'net';

/** Starts `server` on a free loopback port; `stop` closes it and its open connections. */
export async function serveOnLoopback(server: http.Server): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
