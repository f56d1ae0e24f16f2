import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import {
  KubeApiError,
  type KubeClient,
  type KubeRequest,
  type KubeWatchRequest,
  kubeApiErrorFromResponse,
  kubeQueryString,
  type WatchEvent,
} from '@agentbox/controller';

/** Options of createHttpsKubeClient. */
export interface HttpsKubeClientOptions {
  server: string;
  /** TLS material and headers, as client-node's `applyToHTTPSOptions` fills them. */
  tls: RequestOptions;
  requestTimeoutMs: number;
  userAgent: string;
}

/**
 * The KubeClient of a one-shot CLI process, on Node's own http/https modules. The controller's client runs on
 * undici pools, which are right for a long-lived process but cost about 60 ms of CPU to load; a command sends
 * one to three requests, so it talks through a kept-alive `https.Agent` instead. Same interface, same errors
 * (KubeApiError with the API's status and reason; status 0 when no answer came).
 */
export function createHttpsKubeClient(options: HttpsKubeClientOptions): KubeClient {
  const url = new URL(options.server);
  const secure = url.protocol === 'https:';
  const basePath = url.pathname.replace(/\/+$/, '');
  const { headers: authHeaders, auth, ca, cert, key, rejectUnauthorized, servername } = options.tls;
  const agent = secure
    ? new HttpsAgent({
        keepAlive: true,
        ca,
        cert,
        key,
        ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }),
        ...(servername ? { servername } : {}),
      })
    : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  let sent = 0;

  function open(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    sent++;
    const headers: Record<string, string> = {
      ...(authHeaders as Record<string, string> | undefined),
      accept: 'application/json',
      'user-agent': options.userAgent,
    };
    if (auth) headers['authorization'] = `Basic ${Buffer.from(auth).toString('base64')}`;
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = send(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path,
          method,
          headers,
          agent,
          signal,
        },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function request<T>(req: KubeRequest): Promise<T> {
    const method = req.method ?? 'GET';
    const path = basePath + req.path + kubeQueryString(req.query);
    const timeout = AbortSignal.timeout(req.timeoutMs ?? options.requestTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const contentType = req.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : undefined);
    let res: IncomingMessage;
    let text: string;
    try {
      res = await open(method, path, body, contentType, signal);
      text = await readAll(res);
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw networkError(method, req.path, err);
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw kubeApiErrorFromResponse(method, req.path, status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function watch(req: KubeWatchRequest): Promise<void> {
    const path = basePath + req.path + kubeQueryString({ ...req.query, watch: 1 });
    if (req.signal?.aborted) return;
    let res: IncomingMessage;
    try {
      res = await open('GET', path, undefined, undefined, req.signal);
    } catch (err) {
      if (req.signal?.aborted) return;
      throw networkError('GET', req.path, err);
    }
    if (res.statusCode !== 200) {
      const text = await readAll(res).catch(() => '');
      throw kubeApiErrorFromResponse('GET', req.path, res.statusCode ?? 0, text);
    }
    let buffered = '';
    try {
      res.setEncoding('utf8');
      for await (const chunk of res as AsyncIterable<string>) {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim()) req.onEvent(JSON.parse(line) as WatchEvent);
          newline = buffered.indexOf('\n');
        }
      }
    } catch (err) {
      if (req.signal?.aborted) return;
      throw networkError('GET', req.path, err);
    }
  }

  return {
    server: options.server.replace(/\/+$/, ''),
    request,
    watch,
    requestCount: () => sent,
    async close() {
      agent.destroy();
    },
  };
}

async function readAll(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res as AsyncIterable<string>) text += chunk;
  return text;
}

function networkError(method: string, path: string, err: unknown): KubeApiError {
  const why = err instanceof Error ? err.message : String(err);
  return new KubeApiError(`${method} ${path}: ${why}`, { status: 0, method, path }, { cause: err });
}
