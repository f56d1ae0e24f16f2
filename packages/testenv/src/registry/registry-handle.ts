/** How a test registry authenticates clients. */
export type RegistryAuth = 'none' | 'basic' | 'token';

/** User name and password of the one user a test registry knows (test-only secrets: never print them). */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** What `pushImage` and friends need to talk to a registry: plain data, no process behind it. */
export interface RegistryHandle {
  /** `127.0.0.1:<port>`, the host part of image references. */
  readonly host: string;
  /** `http://127.0.0.1:<port>` (`https://` for a registry started with `tls: true`). */
  readonly url: string;
  /** PEM of the CA that signed the registry's serving certificate (only for `tls: true`). */
  readonly caCertificate?: string;
  /** The registry's auth mode. */
  readonly auth: RegistryAuth;
  /** The user's credentials (absent for `auth: 'none'`). */
  readonly credentials?: RegistryCredentials;
  /** The token endpoint (only for `auth: 'token'`). */
  readonly tokenServer?: { readonly realm: string; readonly service: string };
}
