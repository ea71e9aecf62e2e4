/** PostgreSQL error codes we turn into answers a caller can act on. */

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as PgError | undefined)?.code === '23505';
}

export function isForeignKeyViolation(err: unknown): boolean {
  return (err as PgError | undefined)?.code === '23503';
}

const snakeToCamel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The column a foreign-key violation names ("Key (business_hours_id)=(...)" → `businessHoursId`). */
export function violatedColumn(err: unknown): string | undefined {
  const match = /Key \(([a-z_]+)\)/.exec((err as PgError | undefined)?.detail ?? '');
  return match ? snakeToCamel(match[1]!) : undefined;
}
