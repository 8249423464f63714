/** The admin HTTP surface's paths, written once: the CLI's messages point operators here too. */
export const BACKUPS_PATH = '/api/v1/admin/backups';
export const KEYS_PATH = '/api/v1/keys';
