package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rotorkit/rotor"
)

// migrations are the schema's versions, in order: migration i brings the
// schema to version i+1. A migration, once released, never changes; a new
// schema is a new migration appended here.
var migrations = []string{
	// 1: secrets, the revision sequence, the listing and due indexes.
	`CREATE SEQUENCE rotor_revision AS bigint MINVALUE 1 NO CYCLE;
	CREATE TABLE rotor_secrets (
		region        text COLLATE "C" NOT NULL,
		name          text COLLATE "C" NOT NULL,
		revision      bigint NOT NULL,
		created_unix  bigint NOT NULL,
		created_nanos integer NOT NULL,
		due_at        timestamptz,
		record        bytea NOT NULL,
		PRIMARY KEY (region, name)
	);
	CREATE INDEX rotor_secrets_listing ON rotor_secrets (region, created_unix, created_nanos, name);
	CREATE INDEX rotor_secrets_due ON rotor_secrets (region, due_at, name) WHERE due_at IS NOT NULL;
	CREATE TABLE rotor_meta (
		key   text PRIMARY KEY,
		value text NOT NULL
	);`,
	// 2: records compressed with LZ4, which costs a save of a large record
	// (a secret with a hundred versions) a sixth of its time where pglz, the
	// default, costs about a third. Records saved before stay as they are
	// until saved again. A server built without LZ4 (or before PostgreSQL
	// 14) keeps pglz: the statement runs dynamically so that its refusal can
	// be caught.
	`DO $$
	BEGIN
		EXECUTE 'ALTER TABLE rotor_secrets ALTER COLUMN record SET COMPRESSION lz4';
	EXCEPTION WHEN feature_not_supported OR syntax_error THEN
		NULL;
	END
	$$;`,
	// 3: the LastChangedDate and LastAccessedDate of every secret, to the
	// nanosecond as the listing columns are, and an index on each, so that
	// ListSecrets walks every order (name order uses the primary key).
	// Rows saved before are filled in by fillSortColumns, after the
	// migrations. Every server must run a rotor that knows this version:
	// an older one would save without these columns. It may run again on
	// a schema whose record of it was lost, as migration 2 may.
	`ALTER TABLE rotor_secrets
		ADD COLUMN IF NOT EXISTS changed_unix   bigint NOT NULL DEFAULT 0,
		ADD COLUMN IF NOT EXISTS changed_nanos  integer NOT NULL DEFAULT 0,
		ADD COLUMN IF NOT EXISTS accessed_unix  bigint NOT NULL DEFAULT 0,
		ADD COLUMN IF NOT EXISTS accessed_nanos integer NOT NULL DEFAULT 0;
	CREATE INDEX IF NOT EXISTS rotor_secrets_changed ON rotor_secrets (region, changed_unix, changed_nanos, name);
	CREATE INDEX IF NOT EXISTS rotor_secrets_accessed ON rotor_secrets (region, accessed_unix, accessed_nanos, name);`,
}

// migrate brings the schema to the last version. It runs in one transaction
// under an advisory lock: a second server starting at once waits, then finds
// the schema migrated. It refuses a schema newer than this code knows.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey(schema)); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if schema != "" {
			// The connections' search_path names the schema; set it again
			// now that the schema surely exists.
			quoted := pgx.Identifier{schema}.Sanitize()
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+quoted+`; SET LOCAL search_path TO `+quoted); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS rotor_schema_migrations (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM rotor_schema_migrations`).Scan(&current); err != nil {
			return err
		}
		if current > len(migrations) {
			return fmt.Errorf("the schema is at version %d, newer than this rotor knows (%d): upgrade rotor", current, len(migrations))
		}
		for v := current + 1; v <= len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO rotor_schema_migrations (version) VALUES ($1)`, v); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
		}
		if err := fillSortColumns(ctx, tx, current); err != nil {
			return fmt.Errorf("fill the sort columns: %w", err)
		}
		return rebuildDueIndex(ctx, tx)
	})
}

// fillSortColumns sets the LastChangedDate and LastAccessedDate columns of
// the rows saved before migration 3 added them, when the schema was at an
// earlier version (from, before this start's migrations) that had rows.
func fillSortColumns(ctx context.Context, tx pgx.Tx, from int) error {
	if from == 0 || from >= 3 {
		return nil
	}
	return updateFromRecords(ctx, tx, `changed_unix = $3, changed_nanos = $4, accessed_unix = $5, accessed_nanos = $6`,
		func(sec *rotor.Secret) []any {
			return []any{sec.LastChangedDate.Unix(), int32(sec.LastChangedDate.Nanosecond()),
				sec.LastAccessedDate.Unix(), int32(sec.LastAccessedDate.Nanosecond())}
		})
}

// dueIndexVersion names the rule column due_at was computed with. Bump it
// whenever rotor.DueAt changes what it returns for a stored secret: the
// first server of the new rotor to start then recomputes the column, so
// that no secret is left out of the scheduler's view.
const dueIndexVersion = "2"

// rebuildDueIndex recomputes due_at for every secret when rotor_meta says it
// was computed by another rule. It runs inside the migration transaction,
// under its lock; revisions do not change, the secrets being the same.
func rebuildDueIndex(ctx context.Context, tx pgx.Tx) error {
	var version string
	err := tx.QueryRow(ctx, `SELECT value FROM rotor_meta WHERE key = 'due_index'`).Scan(&version)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if version == dueIndexVersion {
		return nil
	}
	err = updateFromRecords(ctx, tx, `due_at = $3`, func(sec *rotor.Secret) []any { return []any{dueAt(sec)} })
	if err != nil {
		return fmt.Errorf("rebuild the due index: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO rotor_meta (key, value) VALUES ('due_index', $1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, dueIndexVersion)
	return err
}

// updateFromRecords sets, in every row, the columns that set names (as $3
// on) to what values derives from the row's record. The rows are read
// whole before the first update, as a cursor must not see its own writes.
func updateFromRecords(ctx context.Context, tx pgx.Tx, set string, values func(*rotor.Secret) []any) error {
	rows, err := tx.Query(ctx, `SELECT region, name, record FROM rotor_secrets`)
	if err != nil {
		return err
	}
	type update struct {
		region, name string
		values       []any
	}
	var updates []update
	for rows.Next() {
		var (
			u      update
			record []byte
		)
		if err := rows.Scan(&u.region, &u.name, &record); err != nil {
			rows.Close()
			return err
		}
		secret, err := rotor.DecodeSecret(record)
		if err != nil {
			rows.Close()
			return fmt.Errorf("%s: %w", u.name, err)
		}
		u.values = values(secret)
		updates = append(updates, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	query := `UPDATE rotor_secrets SET ` + set + ` WHERE region = $1 AND name = $2`
	for _, u := range updates {
		if _, err := tx.Exec(ctx, query, append([]any{u.region, u.name}, u.values...)...); err != nil {
			return fmt.Errorf("%s: %w", u.name, err)
		}
	}
	return nil
}

// migrationLockKey is the advisory lock of one schema's migrations.
func migrationLockKey(schema string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("rotor schema migrations\x00" + schema))
	return int64(h.Sum64())
}
