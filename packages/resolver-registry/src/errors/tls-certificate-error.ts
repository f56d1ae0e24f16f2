import { RegistryError, type RegistryErrorContext } from './registry-error.js';

/**
 * The registry's TLS certificate was not accepted (unknown CA, self-signed, expired, wrong host name).
 * Not retryable: the same certificate fails the same way until the CA is trusted (`caCertificates`) or the
 * registry is fixed, so retrying would only delay the answer.
 */
export class TlsCertificateError extends RegistryError {
  override readonly code = 'TlsCertificate';
  /** Node's verification code, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE` or `ERR_TLS_CERT_ALTNAME_INVALID`. */
  readonly verifyCode: string;

  constructor(verifyCode: string, context: RegistryErrorContext) {
    super(
      `TLS certificate not accepted (${verifyCode}); if the registry uses a private CA, add it to caCertificates`,
      context,
      { retryable: false },
    );
    this.verifyCode = verifyCode;
  }
}
