import { RegistryTimeoutError } from '../errors/registry-timeout-error.js';
import { TlsCertificateError } from '../errors/tls-certificate-error.js';
import { type HttpSettings, sendHttpRequest } from './http-request.js';
import type { RegistryEndpoint } from './registry-host.js';

/**
 * Decides, once per host and resolver, whether a loopback registry named without a scheme speaks https or
 * plain HTTP, the way Docker and containerd 2 treat `localhost` registries: one `GET /v2/` over https (no
 * credentials); any HTTP answer means https; a certificate that is not accepted is reported (never silently
 * downgraded); any other failure (the server speaks plain HTTP, or is down) means plain HTTP.
 */
export class EndpointSchemes {
  private readonly schemes = new Map<string, Promise<'https' | 'http'>>();

  constructor(private readonly http: HttpSettings) {}

  /** The endpoint to use: unchanged unless it is `httpsFirst` and its host answered over https. */
  async settle(endpoint: RegistryEndpoint, repository: string): Promise<RegistryEndpoint> {
    if (!endpoint.httpsFirst) return endpoint;
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
    if ((await scheme) === 'http') return endpoint;
    return { ...endpoint, baseUrl: `https://${endpoint.host}${endpoint.pathPrefix}` };
  }

  private async probe(
    endpoint: RegistryEndpoint,
    repository: string,
  ): Promise<{ scheme: 'https' | 'http'; settled: boolean }> {
    try {
      const res = await sendHttpRequest(
        { url: `https://${endpoint.host}/v2/`, method: 'GET', headers: {} },
        this.http,
        { registry: endpoint.registry, repository },
      );
      await res.dump();
      return { scheme: 'https', settled: true };
    } catch (err) {
      if (err instanceof TlsCertificateError) throw err;
      const down = err instanceof RegistryTimeoutError || causeCode(err) === 'ECONNREFUSED';
      return { scheme: 'http', settled: !down };
    }
  }
}

function causeCode(err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : undefined;
}
