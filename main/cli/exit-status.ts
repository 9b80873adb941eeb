/**
 * `npm run sim` exit statuses. 1 means leaks and nothing else, so scripts and CI can tell a
 * leak from a refused input (2) or a crash (3; Node's own default for a crash is also 1).
 */
export const EXIT = { ok: 0, leaks: 1, refused: 2, internal: 3 } as const;
