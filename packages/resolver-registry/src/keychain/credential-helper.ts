import { spawn } from 'node:child_process';
import { z } from 'zod';
import { CredentialHelperError } from '../errors/credential-helper-error.js';
import type { Credential } from './keychain.js';

/** How to run a `docker-credential-<name>` helper. */
export interface CredentialHelperOptions {
  /** Environment for the helper (its `PATH` finds the executable). Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the helper after this long. Default: 10 000 ms. */
  readonly timeoutMs?: number;
  /** Cancels the lookup. */
  readonly signal?: AbortSignal;
}

const helperResponseSchema = z.object({
  ServerURL: z.string().optional(),
  Username: z.string().optional(),
  Secret: z.string(),
});

/** Output helpers print (with exit status 1) when they simply have nothing for the server. */
const NOT_FOUND = /credentials not found/i;

/**
 * Runs `docker-credential-<helper> get` with the server URL on stdin and parses its JSON answer
 * (docker-credential-helpers protocol); `undefined` when the helper has no credentials for the server.
 * The helper's output is never put into an error: it may hold the secret.
 */
export function runCredentialHelper(
  helper: string,
  serverUrl: string,
  options: CredentialHelperOptions = {},
): Promise<Credential | undefined> {
  const program = `docker-credential-${helper}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const stdout: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.resume();
    child.stdin.on('error', () => {
      // The helper may exit before reading stdin; its exit status tells the story.
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const reason =
        err.code === 'ENOENT'
          ? 'not found on PATH'
          : err.name === 'AbortError'
            ? 'aborted'
            : 'failed to start';
      reject(new CredentialHelperError(program, reason, { cause: err }));
    });
    child.on('close', (code, signal) => {
      const text = Buffer.concat(stdout).toString('utf8');
      if (code !== 0) {
        if (NOT_FOUND.test(text)) return resolve(undefined);
        const reason = signal ? `killed by ${signal}` : `exited with status ${code}`;
        return reject(new CredentialHelperError(program, reason));
      }
      let parsed: z.infer<typeof helperResponseSchema>;
      try {
        parsed = helperResponseSchema.parse(JSON.parse(text));
      } catch {
        return reject(
          new CredentialHelperError(program, 'printed an answer that is not the helper protocol JSON'),
        );
      }
      if (parsed.Secret === '') return resolve(undefined);
      // `<token>` as user name marks an identity (refresh) token, as in docker's CLI.
      if (parsed.Username === '<token>') return resolve({ kind: 'identityToken', token: parsed.Secret });
      if (!parsed.Username) return resolve({ kind: 'registryToken', token: parsed.Secret });
      resolve({ kind: 'basic', username: parsed.Username, password: parsed.Secret });
    });
    child.stdin.end(serverUrl);
  });
}
