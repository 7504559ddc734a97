package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rotorkit/rotor/engine/duetest"
	"github.com/rotorkit/rotor/store/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListDueReturnsWhatEngineDueAtSaysIsDue(t *testing.T) {
	duetest.Run(t, openTemp(t))
}

func TestOpenRecomputesADueColumnComputedByAnotherRule(t *testing.T) {
	ctx := context.Background()
	url := testURL(t)
	schema := newSchema(t, url)
	st, err := postgres.Open(ctx, url, postgres.WithSchema(schema))
	require.NoError(t, err)
	base := time.Date(2024, time.March, 9, 12, 0, 0, 0, time.UTC)
	secrets := duetest.Fixtures(base)
	for _, s := range secrets {
		_, err := st.Save(ctx, s.Clone(), 0)
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())

	// An older rotor, with another rule, left a wrong column: here, empty.
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE `+pgx.Identifier{schema, "rotor_secrets"}.Sanitize()+` SET due_at = NULL`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE `+pgx.Identifier{schema, "rotor_meta"}.Sanitize()+` SET value = '0' WHERE key = 'due_index'`)
	require.NoError(t, err)

	st, err = postgres.Open(ctx, url, postgres.WithSchema(schema))
	require.NoError(t, err)
	defer st.Close()
	now := base.Add(2 * time.Hour)
	due, err := st.ListDue(ctx, "us-east-1", now, 1000)
	require.NoError(t, err)
	names := []string{}
	for _, s := range due {
		names = append(names, s.Name)
	}
	assert.Equal(t, duetest.Want(secrets, now), names)
	assert.NotEmpty(t, names)
}
