/**
 * The AWS provider's `lambda` endpoint in the e2e tier. moto manages functions but cannot
 * invoke them without Docker, so this server runs the real runner handler in-process for
 * `POST /2015-03-31/functions/<name>/invocations` and forwards every other Lambda call
 * (create, get, update, delete function) to moto unchanged. Every invocation's input is
 * recorded; a test can make an invocation fail after the handler finished.
 */
import * as http from 'http';
import { serveOnLoopback } from './local-server';

export interface Invocation {
  readonly functionName: string;
  readonly payload: string;
  /** The function's error message, if it failed. */
  readonly error?: string;
}

export interface LambdaInvokeEndpoint {
  readonly endpoint: string;
  readonly invocations: Invocation[];
  /** When it returns true the handler runs, then the invocation answers with a function error. */
  failAfterRun: (event: unknown) => boolean;
  stop(): Promise<void>;
}

const INVOKE = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(\?.*)?$/;

export async function startLambdaInvokeEndpoint(motoEndpoint: string, handler: (event: unknown) => Promise<unknown>): Promise<LambdaInvokeEndpoint> {
  const state: Omit<LambdaInvokeEndpoint, 'endpoint' | 'stop'> = { invocations: [], failAfterRun: () => false };
  const moto = new URL(motoEndpoint);

  const invoke = async (functionName: string, payload: string, res: http.ServerResponse) => {
    const fail = (message: string) => {
      state.invocations.push({ functionName, payload, error: message });
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' });
      res.end(JSON.stringify({ errorType: 'Error', errorMessage: message }));
    };
    let event: unknown;
    try {
      event = JSON.parse(payload || '{}');
      const result = await handler(event);
      if (state.failAfterRun(event)) return fail('injected by the test: the invocation failed after its statements finished');
      state.invocations.push({ functionName, payload });
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
      res.end(JSON.stringify(result ?? null));
    } catch (e) {
      fail((e as Error).message);
    }
  };

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => {
    const upstream = http.request({
      host: moto.hostname, port: moto.port, method: req.method, path: req.url,
      headers: { ...req.headers, host: moto.host }, agent: false,
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      res.writeHead(502);
      res.end(`forwarding to moto failed: ${e.message}`);
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const m = req.method === 'POST' ? INVOKE.exec(req.url ?? '') : null;
      if (m) void invoke(decodeURIComponent(m[1]), body.toString('utf8'), res);
      else forward(req, body, res);
    });
  });
  return Object.assign(state, await serveOnLoopback(server));
}
