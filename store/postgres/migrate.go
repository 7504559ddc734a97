package postgres

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
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
	CREATE INDEX rotor_secrets_due ON rotor_secrets (region, due_at, name) WHERE due_at IS NOT NULL;`,
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
		return nil
	})
}

// migrationLockKey is the advisory lock of one schema's migrations.
func migrationLockKey(schema string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("rotor schema migrations\x00" + schema))
	return int64(h.Sum64())
}
