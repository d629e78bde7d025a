/**
 * A fresh self-signed certificate for 127.0.0.1, for the bench's loopback TLS front
 * (bench/support/tls-front.ts). It is its own trust anchor: the child processes that must trust it
 * get its file in NODE_EXTRA_CA_CERTS, which Node adds to its bundled roots. Valid for one day and
 * made per run: nothing outside the bench ever sees it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface LoopbackCert {
  keyPem: string;
  certPem: string;
  /** The certificate's file, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
}

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

export async function makeLoopbackCert(directory: string): Promise<LoopbackCert> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + ONE_DAY_MS),
    extensions: [
      // A self-signed certificate that is also the root it is checked against must be a CA.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  mkdirSync(directory, { recursive: true });
  const caFile = join(directory, 'loopback-cert.pem');
  writeFileSync(caFile, pems.cert);
  return { keyPem: pems.private, certPem: pems.cert, caFile };
}
