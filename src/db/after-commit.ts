import { PostgresDialect, type DatabaseConnection, type Driver, type Kysely, type TransactionSettings } from 'kysely';

/**
 * Work that must wait for a transaction to commit (a counter that would lie about a rolled-back
 * change): `afterCommit(trx, fn)` runs `fn` once the transaction's COMMIT has succeeded, and never if
 * it rolls back or the commit fails. The dialect below keeps the list per connection in transaction.
 */

const pending = new WeakMap<DatabaseConnection, (() => void)[]>();

class AfterCommitDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init(): Promise<void> {
    return this.inner.init();
  }
  acquireConnection(): Promise<DatabaseConnection> {
    return this.inner.acquireConnection();
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.inner.beginTransaction(connection, settings);
    pending.set(connection, []);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.commitTransaction(connection);
    } catch (err) {
      pending.delete(connection);
      throw err;
    }
    const work = pending.get(connection) ?? [];
    pending.delete(connection);
    for (const fn of work) fn();
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    pending.delete(connection);
    await this.inner.rollbackTransaction(connection);
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    pending.delete(connection);
    await this.inner.releaseConnection(connection);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** PostgreSQL, with `afterCommit` support. */
export class AfterCommitPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new AfterCommitDriver(super.createDriver());
  }
}

/**
 * Runs `fn` after `db`'s transaction commits; outside a transaction (each statement commits on its
 * own) at once. `fn` must not throw: it runs after the commit, where nothing can be undone.
 */
export async function afterCommit(db: Pick<Kysely<unknown>, 'isTransaction' | 'getExecutor'>, fn: () => void): Promise<void> {
  if (!db.isTransaction) {
    fn();
    return;
  }
  // The transaction's executor provides its one connection, the key the driver keeps the list by.
  await db.getExecutor().provideConnection(async (connection) => {
    const work = pending.get(connection);
    if (!work) throw new Error('afterCommit needs a database opened with AfterCommitPostgresDialect');
    work.push(fn);
  });
}
