package postgres_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/rotorkit/rotor/store/postgres"
	"github.com/rotorkit/rotor/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKeyring returns a keyring with the default key and the KMS keys that
// storetest's secrets name.
func testKeyring(t testing.TB) *encrypted.Keyring {
	t.Helper()
	k := encrypted.NewKeyring()
	require.NoError(t, k.Add(encrypted.DefaultKeyID, bytes.Repeat([]byte{1}, encrypted.KeySize)))
	for i, region := range []string{"us-east-1", "eu-west-1"} {
		id := "arn:aws:kms:" + region + ":123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		require.NoError(t, k.Add(id, bytes.Repeat([]byte{byte(2 + i)}, encrypted.KeySize)))
	}
	return k
}

func TestEncryptedStoreConformance(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) rotor.Store {
		return encrypted.New(openTemp(t, postgres.WithMaxConns(4)), testKeyring(t))
	})
}

func TestTheTableHoldsNoPlaintextAndValuesSurviveARestart(t *testing.T) {
	ctx := context.Background()
	url := testURL(t)
	schema := newSchema(t, url)
	const plaintext = "correct horse battery staple"

	st, err := postgres.Open(ctx, url, postgres.WithSchema(schema))
	require.NoError(t, err)
	svc := rotor.New(encrypted.New(st, testKeyring(t)))
	_, err = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: plaintext})
	require.NoError(t, err)
	_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db/prod", SecretBinary: []byte(plaintext + " binary")})
	require.NoError(t, err)
	st.Close()

	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var rows []string
	r, err := conn.Query(ctx, `SELECT t::text || encode(t.record, 'escape') FROM `+pgx.Identifier{schema, "rotor_secrets"}.Sanitize()+` t`)
	require.NoError(t, err)
	for r.Next() {
		var row string
		require.NoError(t, r.Scan(&row))
		rows = append(rows, row)
	}
	require.NoError(t, r.Err())
	require.Len(t, rows, 1)
	assert.Contains(t, rows[0], "db/prod", "the row is the secret's")
	assert.NotContains(t, rows[0], "horse", "the values are encrypted")

	st, err = postgres.Open(ctx, url, postgres.WithSchema(schema))
	require.NoError(t, err)
	defer st.Close()
	svc = rotor.New(encrypted.New(st, testKeyring(t)))
	out, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod", VersionStage: rotor.StagePrevious})
	require.NoError(t, err)
	assert.Equal(t, plaintext, out.SecretString)
	out, err = svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod"})
	require.NoError(t, err)
	assert.Equal(t, []byte(plaintext+" binary"), out.SecretBinary)
}
