package encrypted_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sealedStore fills a memory store, through the wrapper under keys, with a
// secret under the default key in us-east-1 and one under alias/payments in
// eu-west-1, and returns the inner store.
func sealedStore(t *testing.T, keys *encrypted.Keyring) rotor.Store {
	t.Helper()
	inner := rotor.NewMemoryStore()
	ctx := context.Background()
	east := rotor.New(encrypted.New(inner, keys), rotor.WithRegion("us-east-1"))
	_, err := east.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "value-that-stays-sealed"})
	require.NoError(t, err)
	_, err = east.CreateSecret(ctx, rotor.CreateSecretInput{Name: "no-value-yet"})
	require.NoError(t, err)
	west := rotor.New(encrypted.New(inner, keys), rotor.WithRegion("eu-west-1"))
	_, err = west.CreateSecret(ctx, rotor.CreateSecretInput{Name: "pay", KmsKeyId: "alias/payments", SecretString: "another-sealed-value"})
	require.NoError(t, err)
	return inner
}

func twoKeys(t *testing.T, defaultByte, paymentsByte byte) *encrypted.Keyring {
	t.Helper()
	k := encrypted.NewKeyring()
	require.NoError(t, k.Add(encrypted.DefaultKeyID, bytes.Repeat([]byte{defaultByte}, encrypted.KeySize)))
	require.NoError(t, k.Add("alias/payments", bytes.Repeat([]byte{paymentsByte}, encrypted.KeySize)))
	return k
}

func TestInspectNamesTheKeyIDsTheRecordsUse(t *testing.T) {
	inner := sealedStore(t, twoKeys(t, 1, 2))
	in, err := encrypted.Inspect(context.Background(), inner, twoKeys(t, 1, 2), "us-east-1", "eu-west-1")
	require.NoError(t, err)
	assert.True(t, in.OK())
	assert.Equal(t, 3, in.Secrets)
	assert.Equal(t, 2, in.Sealed)
	assert.Equal(t, []string{"alias/payments", encrypted.DefaultKeyID}, in.KeyIDs)
	assert.True(t, in.Complete, "the memory store names its regions")
	assert.Empty(t, in.Missing)
	assert.Empty(t, in.Wrong)
}

// regionless hides its store's rotor.RegionLister.
type regionless struct{ rotor.Store }

func TestInspectReadsTheRegionsItIsGivenOfAStoreThatCannotNameThem(t *testing.T) {
	inner := regionless{sealedStore(t, twoKeys(t, 1, 2))}
	in, err := encrypted.Inspect(context.Background(), inner, twoKeys(t, 1, 2), "eu-west-1")
	require.NoError(t, err)
	assert.False(t, in.Complete)
	assert.Equal(t, []string{"eu-west-1"}, in.Regions)
	all, err := encrypted.Inspect(context.Background(), inner.Store, twoKeys(t, 1, 2), "eu-west-1")
	require.NoError(t, err)
	assert.Less(t, in.Secrets, all.Secrets, "the other regions' secrets were not read")
}

func TestInspectFindsTheKeysAKeyringLacksOrHoldsWrong(t *testing.T) {
	inner := sealedStore(t, twoKeys(t, 1, 2))
	onlyDefault := keyringWith(t, 1)
	in, err := encrypted.Inspect(context.Background(), inner, onlyDefault, "us-east-1", "eu-west-1")
	require.NoError(t, err)
	assert.False(t, in.OK())
	assert.Equal(t, []string{"alias/payments"}, in.Missing)
	assert.Empty(t, in.Wrong)
	assert.Equal(t, "eu-west-1/pay", in.Examples["alias/payments"])

	// A fresh default key under the old id: the id is there, the key is not.
	in, err = encrypted.Inspect(context.Background(), inner, twoKeys(t, 9, 2), "us-east-1", "eu-west-1")
	require.NoError(t, err)
	assert.Empty(t, in.Missing)
	assert.Equal(t, []string{encrypted.DefaultKeyID}, in.Wrong)
	assert.Equal(t, "us-east-1/db", in.Examples[encrypted.DefaultKeyID])
}

func TestInspectCountsValuesThatAreNotEnvelopes(t *testing.T) {
	inner := rotor.NewMemoryStore()
	_, err := rotor.New(inner).CreateSecret(context.Background(), rotor.CreateSecretInput{Name: "plain", SecretString: "stored-in-the-clear"})
	require.NoError(t, err)
	in, err := encrypted.Inspect(context.Background(), inner, keyringWith(t, 1), "us-east-1")
	require.NoError(t, err)
	assert.Equal(t, 1, in.Plain)
	assert.False(t, in.OK())
}

func TestInspectReadsEveryRegionOfAStoreThatNamesThem(t *testing.T) {
	st := openBolt(t, filepath.Join(t.TempDir(), "rotor.db"))
	keys := twoKeys(t, 1, 2)
	ctx := context.Background()
	for _, region := range []string{"ap-south-1", "us-east-1"} {
		svc := rotor.New(encrypted.New(st, keys), rotor.WithRegion(region))
		_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "s", KmsKeyId: "alias/payments", SecretString: "v"})
		require.NoError(t, err)
	}
	in, err := encrypted.Inspect(ctx, st, keyringWith(t, 1))
	require.NoError(t, err)
	assert.True(t, in.Complete)
	assert.Equal(t, []string{"ap-south-1", "us-east-1"}, in.Regions)
	assert.Equal(t, 2, in.Secrets)
	assert.Equal(t, []string{"alias/payments"}, in.Missing)
}

func TestInspectOfAnEmptyStoreFindsNothing(t *testing.T) {
	st := openBolt(t, filepath.Join(t.TempDir(), "rotor.db"))
	in, err := encrypted.Inspect(context.Background(), st, encrypted.NewKeyring())
	require.NoError(t, err)
	assert.True(t, in.OK())
	assert.Zero(t, in.Secrets)
	assert.Empty(t, in.KeyIDs)
}
