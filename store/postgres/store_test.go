package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/postgres"
	"github.com/rotorkit/rotor/storetest"
	"github.com/stretchr/testify/require"
)

// EnvTestURL names the database the tests use.
const envTestURL = "ROTOR_TEST_POSTGRES_URL"

// testURL returns the test database's URL. Without one the test is skipped,
// loudly, unless CI=true, where it fails: CI must test the real thing.
func testURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(envTestURL)
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI=true: .ci/run must start PostgreSQL and set it", envTestURL)
		}
		t.Skipf("SKIPPED: PostgreSQL store tests need a database; set %s=postgres://user:pass@127.0.0.1:5432/db", envTestURL)
	}
	return url
}

// newSchema returns a fresh schema name, dropped when the test ends.
func newSchema(t testing.TB, url string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "rotor_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Logf("cannot drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Logf("cannot drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// openTemp opens a store in a new schema of the test database.
func openTemp(t testing.TB, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	url := testURL(t)
	st, err := postgres.Open(context.Background(), url, append([]postgres.Option{postgres.WithSchema(newSchema(t, url))}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestStoreConformance(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) rotor.Store { return openTemp(t, postgres.WithMaxConns(4)) })
}

func TestStoreConformanceWithoutCache(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) rotor.Store {
		return openTemp(t, postgres.WithCacheSize(0), postgres.WithMaxConns(4))
	})
}
