package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openShared opens n stores on one new schema, as n servers would.
func openShared(t *testing.T, n int) []*postgres.Store {
	t.Helper()
	url := testURL(t)
	schema := newSchema(t, url)
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// They start at once: the migration must be applied exactly once.
			stores[i], errs[i] = postgres.Open(context.Background(), url, postgres.WithSchema(schema))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "server %d failed to start", i)
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	return stores
}

func TestServersStartingAtOnceMigrateTheSchemaOnce(t *testing.T) {
	url := testURL(t)
	schema := newSchema(t, url)
	const servers = 8
	var wg sync.WaitGroup
	errs := make([]error, servers)
	for i := 0; i < servers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := postgres.Open(context.Background(), url, postgres.WithSchema(schema))
			if err == nil {
				st.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "server %d", i)
	}

	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var versions, count int
	require.NoError(t, conn.QueryRow(context.Background(),
		`SELECT count(*), count(DISTINCT version) FROM `+pgx.Identifier{schema, "rotor_schema_migrations"}.Sanitize()).Scan(&count, &versions))
	assert.Equal(t, count, versions, "no migration was recorded twice")
	assert.Equal(t, 3, versions, "every migration ran")
}

// TestRecordsAreCompressedWithLZ4 checks migration 2, on a new schema and
// on one that a rotor of migration 1 made and filled.
func TestRecordsAreCompressedWithLZ4(t *testing.T) {
	ctx := context.Background()
	url := testURL(t)
	schema := newSchema(t, url)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	compression := func() string {
		var c string
		require.NoError(t, conn.QueryRow(ctx, `SELECT attcompression::text FROM pg_attribute
			WHERE attrelid = $1::regclass AND attname = 'record'`, schema+".rotor_secrets").Scan(&c))
		return c
	}

	st, err := postgres.Open(ctx, url, postgres.WithSchema(schema))
	require.NoError(t, err)
	if _, err := conn.Exec(ctx, `SET default_toast_compression = lz4`); err != nil {
		// A server built without LZ4: the migration must have kept pglz.
		st.Close()
		assert.Equal(t, "", compression(), "without LZ4 the column keeps the default compression")
		t.Skipf("this PostgreSQL has no LZ4 (%v): checked only that migration 2 kept pglz", err)
	}
	assert.Equal(t, "l", compression(), "a new schema compresses records with LZ4")
	// Make it the schema of migration 1, with a pglz record in it.
	_, err = conn.Exec(ctx, `ALTER TABLE `+pgx.Identifier{schema, "rotor_secrets"}.Sanitize()+` ALTER COLUMN record SET COMPRESSION pglz;
		DELETE FROM `+pgx.Identifier{schema, "rotor_schema_migrations"}.Sanitize()+` WHERE version >= 2`)
	require.NoError(t, err)
	value := strings.Repeat("a long value that compresses ", 200)
	_, err = rotor.New(st).CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: value})
	require.NoError(t, err)
	st.Close()
	method := func() string {
		var m string
		require.NoError(t, conn.QueryRow(ctx, `SELECT coalesce(pg_column_compression(record), 'none') FROM `+
			pgx.Identifier{schema, "rotor_secrets"}.Sanitize()).Scan(&m))
		return m
	}
	require.Equal(t, "pglz", method())

	st, err = postgres.Open(ctx, url, postgres.WithSchema(schema))
	require.NoError(t, err)
	defer st.Close()
	assert.Equal(t, "l", compression(), "migration 2 switches an old schema to LZ4")
	svc := rotor.New(st)
	got, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod"})
	require.NoError(t, err)
	assert.Equal(t, value, got.SecretString, "a record compressed with pglz still reads")
	_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db/prod", SecretString: value + "2"})
	require.NoError(t, err)
	assert.Equal(t, "lz4", method(), "a record saved after the migration is compressed with LZ4")
}

func TestOpenRefusesASchemaNewerThanItKnows(t *testing.T) {
	url := testURL(t)
	schema := newSchema(t, url)
	st, err := postgres.Open(context.Background(), url, postgres.WithSchema(schema))
	require.NoError(t, err)
	st.Close()

	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), `INSERT INTO `+pgx.Identifier{schema, "rotor_schema_migrations"}.Sanitize()+` (version) VALUES (999)`)
	require.NoError(t, err)

	_, err = postgres.Open(context.Background(), url, postgres.WithSchema(schema))
	assert.ErrorContains(t, err, "newer than this rotor knows")
}

func TestSecretsSurviveCloseAndOpen(t *testing.T) {
	ctx := context.Background()
	url := testURL(t)
	schema := newSchema(t, url)
	st, err := postgres.Open(ctx, url, postgres.WithSchema(schema))
	require.NoError(t, err)
	_, err = rotor.New(st).CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: "hunter2"})
	require.NoError(t, err)
	st.Close()

	st, err = postgres.Open(ctx, url, postgres.WithSchema(schema))
	require.NoError(t, err)
	defer st.Close()
	out, err := rotor.New(st).GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod"})
	require.NoError(t, err)
	assert.Equal(t, "hunter2", out.SecretString)
}

func TestOfTwoServersSavingOverOneRevisionExactlyOneWins(t *testing.T) {
	ctx := context.Background()
	stores := openShared(t, 2)
	s := &rotor.Secret{ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db/prod-AbC123", Name: "db/prod", CreatedDate: time.Now().UTC().Truncate(time.Millisecond)}
	rev, err := stores[0].Save(ctx, s.Clone(), 0)
	require.NoError(t, err)

	for round := 0; round < 20; round++ {
		var wins atomic.Int32
		var wg sync.WaitGroup
		revs := make([]rotor.Revision, 2*len(stores))
		for i := range revs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				next := s.Clone()
				next.Description = fmt.Sprintf("round %d writer %d", round, i)
				r, err := stores[i%len(stores)].Save(ctx, next, rev)
				if err == nil {
					wins.Add(1)
					revs[i] = r
					return
				}
				assert.ErrorIs(t, err, rotor.ErrStoreConflict)
			}()
		}
		wg.Wait()
		require.Equal(t, int32(1), wins.Load(), "round %d", round)
		for _, r := range revs {
			if r != 0 {
				rev = r
			}
		}
	}
}

const rotateARN = "arn:aws:lambda:us-east-1:123456789012:function:rotate"

// countingRunner records the rotations the service accepted and runs none.
type countingRunner struct{ started atomic.Int32 }

func (r *countingRunner) StartRotation(string, string) { r.started.Add(1) }

func TestManyServersOnOneDatabaseKeepTheRules(t *testing.T) {
	ctx := context.Background()
	stores := openShared(t, 2)
	runner := &countingRunner{}
	functions := &rotor.FunctionRegistry{}
	// The runner never runs it: only RotateSecret's acceptance is tested.
	functions.Register(rotateARN, rotor.RotatorFunc(func(context.Context, rotor.RotationEvent) error { return nil }))
	var services []*rotor.Service
	for _, st := range stores {
		services = append(services, rotor.New(st, rotor.WithRotationRunner(runner), rotor.WithInvoker(functions), rotor.WithAccountID("123456789012")))
	}
	const secrets = 20
	for i := 0; i < secrets; i++ {
		_, err := services[0].CreateSecret(ctx, rotor.CreateSecretInput{Name: fmt.Sprintf("app/%02d", i), SecretString: "initial"})
		require.NoError(t, err)
	}

	t.Run("100 concurrent RotateSecret calls on one secret accept exactly one rotation", func(t *testing.T) {
		var accepted atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := services[i%2].RotateSecret(ctx, rotor.RotateSecretInput{
					SecretId:          "app/00",
					RotationLambdaARN: rotateARN,
				})
				if err == nil {
					accepted.Add(1)
					return
				}
				assert.True(t, errors.Is(err, rotor.ErrInvalidRequest), "call %d: %v", i, err)
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(1), accepted.Load())
		assert.Equal(t, int32(1), runner.started.Load())
	})

	t.Run("1000 concurrent PutSecretValue calls with distinct tokens over 20 secrets lose none, and retries make no second version", func(t *testing.T) {
		const calls = 1000
		var wg sync.WaitGroup
		errs := make([]error, calls)
		sem := make(chan struct{}, 64)
		for i := 0; i < calls; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				in := rotor.PutSecretValueInput{
					SecretId:           fmt.Sprintf("app/%02d", i%secrets),
					ClientRequestToken: fmt.Sprintf("a1b2c3d4-0000-4000-8000-%012d", i),
					SecretString:       fmt.Sprintf("value %d", i),
				}
				if _, errs[i] = services[i%2].PutSecretValue(ctx, in); errs[i] != nil {
					return
				}
				// The same call again, on the other server: a retry.
				_, errs[i] = services[(i+1)%2].PutSecretValue(ctx, in)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "call %d", i)
		}
		for i := 0; i < secrets; i++ {
			out, err := services[1].ListSecretVersionIds(ctx, rotor.ListSecretVersionIdsInput{SecretId: fmt.Sprintf("app/%02d", i), IncludeDeprecated: true, MaxResults: 100})
			require.NoError(t, err)
			want := 1 + calls/secrets
			if i == 0 {
				want++ // the pending version of the rotation above
			}
			assert.Len(t, out.Versions, want, "secret app/%02d: one version per token, the initial one and no more", i)
		}
	})
}
