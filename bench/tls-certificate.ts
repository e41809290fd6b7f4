import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export type TlsCertificate = { keyFile: string; certFile: string } | { skipped: string };

/**
 * A throw-away self-signed P-256 certificate for 127.0.0.1 and localhost, made by openssl in `directory`.
 * The certificate is its own CA: the gateway and the passthrough trust it through NODE_EXTRA_CA_CERTS.
 * Node cannot sign a certificate by itself, so without openssl the TLS scenario is skipped (and says so).
 */
export function createTlsCertificate(directory: string): TlsCertificate {
  const keyFile = join(directory, 'fake-dashscope-key.pem');
  const certFile = join(directory, 'fake-dashscope-cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { keyFile, certFile };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'openssl is not installed' : `openssl failed: ${String(error)}`;
    return { skipped: reason };
  }
}
