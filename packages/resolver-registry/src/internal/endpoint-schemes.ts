import { TlsCertificateError } from '../errors/tls-certificate-error.js';
import { type HttpSettings, sendHttpRequest } from './http-request.js';
import type { RegistryEndpoint } from './registry-host.js';
import { untilAborted } from './until-aborted.js';

/**
 * Decides, once per host and resolver, whether a loopback registry named without a scheme speaks https or
 * plain HTTP, the way Docker and containerd 2 treat `localhost` registries: one `GET /v2/` over https (no
 * credentials); any HTTP answer means https; a certificate that is not accepted is reported (never silently
 * downgraded); any other failure (the server speaks plain HTTP, or is down) means plain HTTP.
 */
export class EndpointSchemes {
  private readonly schemes = new Map<string, Promise<'https' | 'http'>>();

  constructor(private readonly http: HttpSettings) {}

  /**
   * The endpoint to use: unchanged unless it is `httpsFirst` and its host answered over https. The probe is
   * shared by concurrent lookups, so a caller's abort rejects this caller at once without cancelling it.
   */
  async settle(
    endpoint: RegistryEndpoint,
    repository: string,
    signal?: AbortSignal,
  ): Promise<RegistryEndpoint> {
    if (!endpoint.httpsFirst) return endpoint;
    signal?.throwIfAborted();
    let scheme = this.schemes.get(endpoint.host);
    if (scheme === undefined) {
      const probe = this.probe(endpoint, repository);
      scheme = probe.then((p) => p.scheme);
      this.schemes.set(endpoint.host, scheme);
      // Asked again next time unless the answer is settled: a rejected certificate (the CA list or the registry
      // may be fixed meanwhile), a registry that is down or silent (it may come back speaking https).
      probe.then(
        (p) => {
          if (!p.settled) this.schemes.delete(endpoint.host);
        },
        () => this.schemes.delete(endpoint.host),
      );
    }
    if ((await untilAborted(scheme, signal)) === 'http') return endpoint;
    const origin = `https://${endpoint.host}`;
    return { ...endpoint, origin, baseUrl: `${origin}${endpoint.pathPrefix}` };
  }

  private async probe(
    endpoint: RegistryEndpoint,
    repository: string,
  ): Promise<{ scheme: 'https' | 'http'; settled: boolean }> {
    try {
      await sendHttpRequest(
        {
          origin: `https://${endpoint.host}`,
          path: '/v2/',
          method: 'GET',
          // The answer's body says nothing the probe needs; any size is read and dropped.
          maxBodyBytes: 64 * 1024,
          headers: { 'user-agent': this.http.userAgent },
        },
        this.http,
        { registry: endpoint.registry, repository },
      );
      return { scheme: 'https', settled: true };
    } catch (err) {
      if (err instanceof TlsCertificateError) throw err;
      // Refused: nothing listens yet, and what comes may speak https. Anything else (a TLS handshake the server
      // answered in plain HTTP, reset or left unanswered) is a server that does not speak https.
      return { scheme: 'http', settled: causeCode(err) !== 'ECONNREFUSED' };
    }
  }
}

function causeCode(err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : undefined;
}
