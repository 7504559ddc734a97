// Package postgres is a rotor.Store in a PostgreSQL database, through
// github.com/jackc/pgx/v5's pool: the store of several rotor servers that
// share one database (`rotor serve --store postgres://...`).
//
//	st, err := postgres.Open(ctx, "postgres://user:pass@host/db") // migrates the schema
//	defer st.Close()
//	svc := rotor.New(encrypted.New(st, keys))
//
// # Which store to pick
//
//   - rotor.MemoryStore: tests and throw-away servers.
//   - store/bolt: one server on one machine; the fastest durable store.
//   - postgres (this package): several servers, or a database you already
//     back up and replicate. Every write is one statement, committed (and so
//     fsync'd by PostgreSQL) before Save returns.
//   - store/encrypted wraps any of them; wrap this one whenever the database
//     or its backups are read by anyone who should not read the values.
//
// # Schema
//
// Open creates or migrates the schema: versioned migrations, recorded in
// rotor_schema_migrations, applied in one transaction under a transaction
// advisory lock, so that servers starting at once apply each migration
// exactly once and none starts on a half-migrated schema. WithSchema puts the
// tables in a schema of their own (created if missing).
//
// Table rotor_secrets holds one row per secret, keyed by (region, name), with
// the secret as rotor.EncodeSecret serialized it in column record. Revisions
// come from the sequence rotor_revision, which never hands out a value twice,
// even across rolled-back transactions and deleted rows. A save is a single
// INSERT ... ON CONFLICT DO NOTHING (creation) or a conditional
// UPDATE ... WHERE revision = expected (update): of two servers saving over
// the same revision, exactly one updates the row.
//
// Column record is compressed with LZ4 where the server supports it
// (migration 2; PostgreSQL 14 and later built with LZ4), pglz otherwise: a
// secret of a hundred versions is a record of about 13 KB, and LZ4 costs its
// save a sixth of the time pglz does.
//
// # Writes in one round trip
//
// The Store keeps the last state of each secret it loaded or saved
// (WithCacheSize) and offers it to the service as a rotor.CachedLoader: a
// write is prepared from it and saved with its revision, so a server whose
// cache is current writes in one statement, without reading first. When
// another server saved since, the conditional UPDATE matches no row, and the
// service reads the row and applies the write again; a write that would not
// save is always decided on the row itself.
//
// Listing uses keyset pagination on the index (region, created_unix,
// created_nanos, name), names in the "C" collation so that they sort byte by
// byte as rotor requires; a page never scans the secrets before the cursor.
// ListSorted (rotor.SortedLister) pages the same way, forwards or
// backwards, on the indexes (region, changed_unix, changed_nanos, name) and
// (region, accessed_unix, accessed_nanos, name), the LastChangedDate and
// LastAccessedDate written with every save, and on the primary key for
// name order, so every ListSecrets order costs what its page holds. The
// schema version that added those columns fills them from the records
// when it migrates; every server sharing the database must run a rotor
// that knows it.
// Column due_at holds rotor.DueAt of the secret, written with every save,
// and the partial index on (region, due_at, name) answers ListDue
// (rotor.DueLister), the scheduler's query, without a scan. Table
// rotor_meta records the rule due_at was computed with; Open recomputes the
// column, under the migration lock, when it is not this rotor's.
package postgres
