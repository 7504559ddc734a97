package postgres

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueriesUseTheirIndexes checks that PostgreSQL can answer List and
// ListDue from their indexes: with sequential scans disabled, the plan
// names the index and has no Sort node, so a page costs the same whatever
// the number of secrets.
func TestQueriesUseTheirIndexes(t *testing.T) {
	url := os.Getenv("ROTOR_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ROTOR_TEST_POSTGRES_URL is not set, and CI=true: .ci/run must start PostgreSQL and set it")
		}
		t.Skip("SKIPPED: PostgreSQL store tests need a database; set ROTOR_TEST_POSTGRES_URL")
	}
	ctx := context.Background()
	schema := "rotor_plan_test_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "_")
	st, err := Open(ctx, url, WithSchema(schema))
	require.NoError(t, err)
	defer st.Close()
	defer func() { _, _ = st.pool.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`) }()

	for _, tc := range []struct {
		name, query, index string
		args               []any
	}{
		{"List", listQuery, "rotor_secrets_listing", []any{"us-east-1", int64(0), int32(0), "", int64(100)}},
		{"ListDue", dueQuery, "rotor_secrets_due", []any{"us-east-1", time.Now(), int64(100)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := st.pool.Acquire(ctx)
			require.NoError(t, err)
			defer conn.Release()
			_, err = conn.Exec(ctx, `SET enable_seqscan = off`)
			require.NoError(t, err)
			defer func() { _, _ = conn.Exec(ctx, `RESET enable_seqscan`) }()
			rows, err := conn.Query(ctx, `EXPLAIN `+tc.query, tc.args...)
			require.NoError(t, err)
			var plan []string
			for rows.Next() {
				var line string
				require.NoError(t, rows.Scan(&line))
				plan = append(plan, line)
			}
			require.NoError(t, rows.Err())
			text := strings.Join(plan, "\n")
			assert.Contains(t, text, tc.index, "plan:\n%s", text)
			assert.NotContains(t, text, "Sort", "plan:\n%s", text)
		})
	}
}
