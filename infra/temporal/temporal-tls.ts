import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { ConfigError, type RegsweepConfig } from '../../config';

export type TemporalTlsSettings = Pick<RegsweepConfig, 'temporalTlsCert' | 'temporalTlsKey' | 'temporalApiKey'>;

/** What the Temporal SDK's `tls` option gets, and the variable that turned TLS on. */
export interface TemporalTls {
  tls: { clientCertPair: { crt: Buffer; key: Buffer } } | true | undefined;
  /** `TEMPORAL_TLS_CERT` or `TEMPORAL_API_KEY`; null when the connection is plaintext. */
  enabledBy: string | null;
}

function readSetting(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${variable}=${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function parsed<T>(variable: string, file: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch {
    throw new ConfigError(variable, `${variable}=${file} must be a PEM ${what}, and it is not one`);
  }
}

/**
 * Reads and checks the TLS settings once, before any connection attempt: a missing file, a
 * certificate without its key or a key that does not belong to the certificate is a setting
 * to fix, so it fails at once in one line naming the variable, where the SDK would report it
 * only as a failure to connect after the retry deadline. An API key alone turns TLS on with
 * the system's CAs, as Temporal Cloud expects.
 *
 * @throws ConfigError naming `TEMPORAL_TLS_CERT` or `TEMPORAL_TLS_KEY`
 */
export function temporalTls(config: TemporalTlsSettings): TemporalTls {
  const { temporalTlsCert: certFile, temporalTlsKey: keyFile } = config;
  if (certFile && !keyFile)
    throw new ConfigError('TEMPORAL_TLS_KEY', `TEMPORAL_TLS_CERT is set, so TEMPORAL_TLS_KEY must name its private key file, and it is not set`);
  if (keyFile && !certFile)
    throw new ConfigError('TEMPORAL_TLS_CERT', `TEMPORAL_TLS_KEY is set, so TEMPORAL_TLS_CERT must name its certificate file, and it is not set`);
  if (certFile && keyFile) {
    const crt = readSetting('TEMPORAL_TLS_CERT', certFile);
    const key = readSetting('TEMPORAL_TLS_KEY', keyFile);
    const certificate = parsed('TEMPORAL_TLS_CERT', certFile, 'certificate', () => new X509Certificate(crt));
    const privateKey: KeyObject = parsed('TEMPORAL_TLS_KEY', keyFile, 'private key', () => createPrivateKey(key));
    if (!certificate.checkPrivateKey(privateKey)) {
      throw new ConfigError('TEMPORAL_TLS_KEY', `TEMPORAL_TLS_KEY=${keyFile} must be the private key of TEMPORAL_TLS_CERT=${certFile}, and it is another key`);
    }
    return { tls: { clientCertPair: { crt, key } }, enabledBy: 'TEMPORAL_TLS_CERT' };
  }
  return config.temporalApiKey ? { tls: true, enabledBy: 'TEMPORAL_API_KEY' } : { tls: undefined, enabledBy: null };
}

// Node's codes for a server certificate that no trusted CA signed.
const untrusted = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

/**
 * Why a TLS handshake with `address` fails, in words, or null when it succeeds or the server
 * cannot be reached at all. The Temporal SDK reports every failed TLS connection as "Failed to
 * connect before the deadline"; this one extra handshake, made only once connecting has
 * failed, tells a server without TLS (the dev server) from a certificate problem.
 */
export async function tlsHandshakeProblem(address: string, settings: TemporalTls): Promise<string | null> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(separator + 1));
  const pair = typeof settings.tls === 'object' ? settings.tls.clientCertPair : undefined;
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['h2'], cert: pair?.crt, key: pair?.key, timeout: 3000 },
      () => {
        socket.destroy();
        resolve(null);
      },
    );
    socket.once('timeout', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') resolve('the server does not speak TLS');
      else if (untrusted.has(code)) resolve(`the server's certificate is not signed by a CA this machine trusts (${code})`);
      else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') resolve(`the server's certificate is not for ${host}`);
      else if (code.startsWith('ERR_SSL') || code.startsWith('CERT_')) resolve(`TLS handshake failed (${code})`);
      else resolve(null);
    });
  });
}
