/**
 * The servers test/support starts leave nothing behind once stopped: no child process,
 * socket or server of theirs keeps a jest worker alive.
 */
import * as http from 'http';
import { startEmbeddedPostgres } from '../support/embedded-postgres';
import { serveOnLoopback } from '../support/local-server';
import { awsCliAsync, startMoto } from '../support/moto';

/** Node's handles (child processes, sockets, servers) that keep the event loop alive. */
const activeHandles = (): object[] => (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();

/** A handle as a reader can place it: its kind and, where it has them, pid or address. */
function describe_(h: object): string {
  const x = h as { constructor: { name: string }; pid?: number; spawnfile?: string; remotePort?: number; localPort?: number; fd?: number };
  return [x.constructor.name, x.spawnfile, x.pid, x.localPort, x.remotePort, x.fd].filter((p) => p !== undefined).join(':');
}

/** Lets closed handles finish closing (their callbacks run on the next turns of the loop). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('test support servers, stopped, leave no handle open', () => {
  let before: Set<object>;
  const opened = () => activeHandles().filter((h) => !before.has(h)).map(describe_).sort();
  beforeEach(async () => {
    await settle();
    before = new Set(activeHandles());
  });

  test('an embedded PostgreSQL 16 server and a client of it', async () => {
    const server = await startEmbeddedPostgres({ majorVersion: 16 });
    try {
      const client = await server.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(opened()).toContainEqual(expect.stringMatching(/^ChildProcess:.*postgres/));
      await client.end();
    } finally {
      await server.stop();
    }
    await settle();
    expect(opened()).toEqual([]);
  });

  test('moto_server, after an AWS CLI call against it', async () => {
    const moto = await startMoto('111122223333');
    try {
      expect(await awsCliAsync(moto, 'us-east-1', ['sts', 'get-caller-identity'])).toMatchObject({ Account: '111122223333' });
      expect(opened()).toContainEqual(expect.stringMatching(/^ChildProcess:moto_server/));
    } finally {
      await moto.stop();
    }
    await settle();
    expect(opened()).toEqual([]);
  });

  test('a loopback HTTP server whose client keeps its connection alive', async () => {
    const served = await serveOnLoopback(http.createServer((_req, res) => res.end('ok')));
    const agent = new http.Agent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      http.get(served.endpoint, { agent }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    try {
      expect(body).toBe('ok');
      expect(opened()).toContainEqual(expect.stringMatching(/^Server/));
      await served.stop();
      await settle();
      // The server closed the client's kept-alive socket too.
      expect(opened()).toEqual([]);
    } finally {
      agent.destroy();
    }
  });
});
