import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** One interface per table; the migrations are the truth, these mirror them. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ApiClientsTable {
  id: Generated<string>;
  name: string;
  secret_hash: string;
  roles: string[];
  queues: string[] | null;
  active: Generated<boolean>;
  tokens_not_before: Timestamp;
  last_token_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type ApiClientRow = Selectable<ApiClientsTable>;
export type NewApiClient = Insertable<ApiClientsTable>;
export type ApiClientUpdate = Updateable<ApiClientsTable>;

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  correlation_id: string | null;
}
export type AuditRow = Selectable<AuditLogTable>;

export interface DB {
  api_clients: ApiClientsTable;
  audit_log: AuditLogTable;
}
