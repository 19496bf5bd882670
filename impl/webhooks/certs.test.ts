import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateServingCertificate } from './certs.ts';

describe('generateServingCertificate', () => {
  it('issues a serving certificate for the given IPs and names, signed by a fresh CA', async () => {
    const tls = await generateServingCertificate(['127.0.0.1', 'svc.ns.svc']);
    const ca = new X509Certificate(tls.caCert);
    const cert = new X509Certificate(tls.cert);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('svc.ns.svc')).toBe('svc.ns.svc');
    expect(cert.checkHost('other.example')).toBeUndefined();
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3600 * 1000);
    expect(tls.key).toContain('PRIVATE KEY');
  });
});
