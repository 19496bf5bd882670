// A throwaway CA and a serving certificate signed by it, generated at start (package selfsigned).
// The CA goes into the webhook configurations' caBundle; nothing is written to disk.
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface ServingCertificate {
  /** PEM of the CA certificate (caBundle is its base64). */
  caCert: string;
  /** PEM of the serving certificate and its private key. */
  cert: string;
  key: string;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** hosts: IP addresses and DNS names the server is reached by (Subject Alternative Names). */
export async function generateServingCertificate(hosts: readonly string[]): Promise<ServingCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const ca = await generate([{ name: 'commonName', value: 'kruise-ref-webhook-ca' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 10 * YEAR_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const unique = [...new Set(hosts.filter((h) => h.length > 0))];
  const altNames = unique.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
  const server = await generate([{ name: 'commonName', value: unique[0] ?? 'kruise-ref-webhook' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 10 * YEAR_MS),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { caCert: ca.cert, cert: server.cert, key: server.private };
}
