import { describe, expect, it } from 'vitest';
import { expectedSha256 } from './install.ts';

const h1 = 'a'.repeat(64);
const h2 = 'b'.repeat(64);

describe('expectedSha256', () => {
  it('accepts a bare hash file', () => {
    expect(expectedSha256(`${h1}\n`, 'kube-apiserver')).toBe(h1);
  });
  it('picks the line for the file from a checksums list', () => {
    expect(expectedSha256(`${h1}  kwok-linux-amd64\n${h2}  kwokctl-linux-amd64\n`, 'kwokctl-linux-amd64')).toBe(h2);
    expect(expectedSha256(`${h2} *helm-v3.22.0-linux-amd64.tar.gz`, 'helm-v3.22.0-linux-amd64.tar.gz')).toBe(h2);
  });
  it('fails when the file is not listed or the hash is malformed', () => {
    expect(() => expectedSha256(`${h1}  other`, 'kind-linux-amd64')).toThrow(/no SHA-256 for kind-linux-amd64/);
    expect(() => expectedSha256('not-a-hash  kind', 'kind')).toThrow(/no SHA-256/);
  });
});
