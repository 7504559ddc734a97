package postgres

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenFillsTheSortColumnsOfRowsSavedAtVersion2 starts from a schema at
// version 2 holding rows, as a rotor before the sort columns left it, and
// checks that Open migrates it and fills the new columns from the records.
func TestOpenFillsTheSortColumnsOfRowsSavedAtVersion2(t *testing.T) {
	url := os.Getenv("ROTOR_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ROTOR_TEST_POSTGRES_URL is not set, and CI=true: .ci/run must start PostgreSQL and set it")
		}
		t.Skip("SKIPPED: PostgreSQL store tests need a database; set ROTOR_TEST_POSTGRES_URL")
	}
	ctx := context.Background()
	schema := "rotor_migrate_test_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "_")
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	defer func() { _, _ = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) }()
	_, err = conn.Exec(ctx, `CREATE SCHEMA `+schema+`; SET search_path TO `+schema+`;
		CREATE TABLE rotor_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
	require.NoError(t, err)
	for v := 1; v <= 2; v++ {
		_, err = conn.Exec(ctx, migrations[v-1])
		require.NoError(t, err)
		_, err = conn.Exec(ctx, `INSERT INTO rotor_schema_migrations (version) VALUES ($1)`, v)
		require.NoError(t, err)
	}
	base := time.Date(2024, time.March, 9, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"a", "b", "c"} {
		s := &rotor.Secret{ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + name + "-AbCdEf", Name: name,
			CreatedDate: base.Add(time.Duration(i) * time.Second), LastChangedDate: base.Add(time.Duration(3-i)*time.Hour + time.Nanosecond)}
		if name != "b" {
			s.LastAccessedDate = base.AddDate(0, 0, 3-i)
		}
		record, err := rotor.EncodeSecret(s)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, `INSERT INTO rotor_secrets (region, name, revision, created_unix, created_nanos, record)
			VALUES ('us-east-1', $1, nextval('rotor_revision'), $2, 0, $3)`, name, s.CreatedDate.Unix(), record)
		require.NoError(t, err)
	}

	st, err := Open(ctx, url, WithSchema(schema))
	require.NoError(t, err)
	defer st.Close()
	for _, c := range []struct {
		order rotor.ListOrder
		want  []string
	}{
		{rotor.ListOrder{By: rotor.SortByLastChangedDate}, []string{"c", "b", "a"}},
		{rotor.ListOrder{By: rotor.SortByLastAccessedDate, Desc: true}, []string{"a", "c", "b"}},
		{rotor.ListOrder{By: rotor.SortByName, Desc: true}, []string{"c", "b", "a"}},
	} {
		got, err := st.ListSorted(ctx, "us-east-1", c.order, rotor.ListPosition{}, 10)
		require.NoError(t, err)
		var names []string
		for _, s := range got {
			names = append(names, s.Name)
		}
		assert.Equal(t, c.want, names, "%+v", c.order)
	}
	var nanos int32
	require.NoError(t, st.pool.QueryRow(ctx, `SELECT changed_nanos FROM rotor_secrets WHERE name = 'a'`).Scan(&nanos))
	assert.Equal(t, int32(1), nanos, "the columns keep nanoseconds")
}
