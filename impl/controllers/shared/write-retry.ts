// Read-modify-write for controllers: start from the informer's cached copy (saving a GET per
// write) and fall back to a live read when the cache was behind (409).
import { isConflict, isNotFound } from '../../runtime/index.ts';

export const MAX_CONFLICT_RETRIES = 5;

export interface WriteRetryOptions {
  /** An object deleted meanwhile is nothing to write (undefined) instead of an error. */
  skipNotFound?: boolean;
}

/** The written object, or undefined when `mutate` found nothing to change (or, with skipNotFound, the object is gone). */
export async function writeWithRetry<T>(
  cached: T | undefined,
  read: () => Promise<T>,
  mutate: (obj: T) => T | undefined,
  write: (obj: T) => Promise<T>,
  opts: WriteRetryOptions = {},
): Promise<T | undefined> {
  let current = cached ?? (await read());
  for (let attempt = 0; ; attempt++) {
    const next = mutate(current);
    if (next === undefined) return undefined;
    try {
      return await write(next);
    } catch (err) {
      if (opts.skipNotFound && isNotFound(err)) return undefined;
      if (!isConflict(err) || attempt >= MAX_CONFLICT_RETRIES) throw err;
      current = await read();
    }
  }
}
