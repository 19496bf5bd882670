/**
 * Negative tests: an invalid object must be rejected at admission, and the message must name the
 * field. Implementations answer with different HTTP codes (OpenKruise: 422 for CloneSet, 400 for
 * WorkloadSpread, 500 for SidecarSet), so only "rejected" and the message are asserted.
 */
import { expect } from 'vitest';
import { httpCode, serverMessage } from './api.ts';

export async function expectRejected(action: () => Promise<unknown>, field: string | RegExp, what: string): Promise<string> {
  let result: unknown;
  try {
    result = await action();
  } catch (err) {
    const code = httpCode(err);
    const message = serverMessage(err);
    expect(code, `${what}: expected an admission rejection (HTTP 4xx/5xx) naming ${field}; got HTTP ${code}: ${message}`).toBeGreaterThanOrEqual(400);
    const names = typeof field === 'string' ? message.includes(field) : field.test(message);
    expect(names, `${what}: the rejection must name the field ${field}; the server said: ${message}`).toBe(true);
    return message;
  }
  expect.fail(`${what}: expected the request to be rejected naming ${field}, but it was accepted: ${(JSON.stringify(result) ?? '(the client returned no body)').slice(0, 600)}`);
}
