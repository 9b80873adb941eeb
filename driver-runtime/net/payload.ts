/** Deterministic payload fill for synthetic traffic, so captures and tests are reproducible. */

/**
 * Fills `len` bytes at `off`: with `pattern` repeated cyclically when given (and non-empty),
 * else with the byte counter `i & 0xff`. Returns `len`.
 */
export function fillPayload(buf: Uint8Array, off: number, len: number, pattern?: Uint8Array | null): number {
  if (pattern && pattern.length > 0) {
    let i = 0;
    while (i < len) {
      const n = Math.min(pattern.length, len - i);
      for (let k = 0; k < n; k++) buf[off + i + k] = pattern[k]!;
      i += n;
    }
  } else {
    for (let i = 0; i < len; i++) buf[off + i] = i;
  }
  return len;
}
