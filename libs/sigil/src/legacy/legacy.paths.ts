/** The old system's one path; v1 (`/api/v1/sigils`) is its successor. */
export const LEGACY_PATH = '/api/consciousness/sigils';

/** When the legacy path was deprecated (RFC 9745 `Deprecation`): the day the v1 API shipped. */
export const LEGACY_DEPRECATED_AT = '2026-12-01T00:00:00Z';

/** How many sigils GET answers, newest first, as the old system did. */
export const LEGACY_RECENT = 10;

/**
 * Body members the legacy POST does not put into `data`: `id` and `timestamp` are the server's, as
 * the old system overwrote them; `v1` is where the answer carries the v1 fields.
 */
export const LEGACY_SERVER_MEMBERS = ['id', 'timestamp'] as const;
export const LEGACY_V1_MEMBER = 'v1';
