import { sql } from 'kysely';

/** Orders rows by their variant label byte by byte, the same on every server whatever its collation. */
export const byVariant = sql`variant collate "C"`;
