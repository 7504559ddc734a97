package postgres

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueriesUseTheirIndexes checks that PostgreSQL can answer List,
// ListSorted (every order, from the start and from a position) and ListDue
// from their indexes: with sequential and bitmap scans and sorts disabled,
// the plan
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

	type planCase struct {
		name, query, index string
		args               []any
	}
	cases := []planCase{
		{"List", listQuery, "rotor_secrets_listing", []any{"us-east-1", int64(0), int32(0), "", int64(100)}},
		{"ListDue", dueQuery, "rotor_secrets_due", []any{"us-east-1", time.Now(), int64(100)}},
	}
	indexes := map[string]string{
		rotor.SortByCreatedDate: "rotor_secrets_listing", rotor.SortByLastChangedDate: "rotor_secrets_changed",
		rotor.SortByLastAccessedDate: "rotor_secrets_accessed", rotor.SortByName: "rotor_secrets_pkey",
	}
	for q, query := range sortedQueries {
		args := []any{"us-east-1"}
		switch {
		case q.start:
		case q.by == rotor.SortByName:
			args = append(args, "a")
		default:
			args = append(args, int64(0), int32(0), "a")
		}
		cases = append(cases, planCase{fmt.Sprintf("ListSorted %+v", q), query, indexes[q.by], append(args, int64(100))})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := st.pool.Acquire(ctx)
			require.NoError(t, err)
			defer conn.Release()
			// On an empty table a bitmap scan and a sort cost less than
			// anything; with them off as well, the plan is the one a
			// large table gets, if the index can give it.
			_, err = conn.Exec(ctx, `SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off`)
			require.NoError(t, err)
			defer func() { _, _ = conn.Exec(ctx, `RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_sort`) }()
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
