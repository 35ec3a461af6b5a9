import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Makes `<name>.key` and `<name>.pem` in `dir`: a self-signed certificate (valid two days) whose
 * common name is `commonName`, with openssl. Tests use them as CAs and as client certificates.
 */
export function makeSelfSignedCertificate(dir: string, name: string, commonName: string): void {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${commonName}`, '-keyout', path.join(dir, `${name}.key`), '-out', path.join(dir, `${name}.pem`)],
    { stdio: 'pipe' },
  );
}
