package encrypted_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/rotorkit/rotor/store/encrypted"
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

// keyringWith returns a keyring holding only the default key, filled with b.
func keyringWith(t testing.TB, b byte) *encrypted.Keyring {
	t.Helper()
	k := encrypted.NewKeyring()
	require.NoError(t, k.Add(encrypted.DefaultKeyID, bytes.Repeat([]byte{b}, encrypted.KeySize)))
	return k
}

// openBolt opens a bolt store in path, closed when the test ends.
func openBolt(t testing.TB, path string) *bolt.Store {
	t.Helper()
	st, err := bolt.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestConformanceOverTheMemoryStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rotor.Store {
		return encrypted.New(rotor.NewMemoryStore(), testKeyring(t))
	})
}

func TestConformanceOverTheMemoryStoreWithoutCache(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rotor.Store {
		return encrypted.New(rotor.NewMemoryStore(), testKeyring(t), encrypted.WithCacheSize(0))
	})
}

func TestConformanceOverBolt(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rotor.Store {
		return encrypted.New(openBolt(t, filepath.Join(t.TempDir(), "rotor.db")), testKeyring(t))
	})
}

const (
	plainText   = "correct horse battery staple, the plaintext"
	plainBinary = "binary plaintext \x00\x01\x02 that must not show"
)

// secretWithValues returns a secret with a string and a binary version.
func secretWithValues(name string) *rotor.Secret {
	created := time.Date(2024, time.March, 9, 14, 30, 15, 0, time.UTC)
	return &rotor.Secret{
		ARN:         "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-AbC123",
		Name:        name,
		CreatedDate: created,
		Versions: []*rotor.Version{
			{ID: "v-text", Value: rotor.StringValue(plainText), CreatedDate: created},
			{ID: "v-binary", Value: rotor.BinaryValue([]byte(plainBinary)), CreatedDate: created},
			{ID: "v-pending", CreatedDate: created},
		},
		Stages: []rotor.Stage{
			{Label: rotor.StageCurrent, VersionID: "v-text"},
			{Label: rotor.StagePending, VersionID: "v-pending"},
			{Label: rotor.StagePrevious, VersionID: "v-binary"},
		},
	}
}

// assertValues checks that s holds the values of secretWithValues, each of
// its kind.
func assertValues(t *testing.T, s *rotor.Secret) {
	t.Helper()
	text, bin, pending := s.Version("v-text"), s.Version("v-binary"), s.Version("v-pending")
	require.NotNil(t, text)
	require.NotNil(t, bin)
	require.NotNil(t, pending)
	assert.False(t, text.Value.IsBinary(), "a string value stays a string")
	assert.Equal(t, plainText, text.Value.Text())
	assert.True(t, bin.Value.IsBinary(), "a binary value stays binary")
	assert.Equal(t, []byte(plainBinary), bin.Value.Bytes())
	assert.True(t, pending.Value.IsZero(), "the placeholder stays without a value")
}

func TestTheBoltFileHoldsNoPlaintextAndValuesSurviveCloseAndOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rotor.db")
	inner, err := bolt.Open(path)
	require.NoError(t, err)
	st := encrypted.New(inner, keyringWith(t, 7))
	rev, err := st.Save(ctx, secretWithValues("db/prod"), 0)
	require.NoError(t, err)
	require.NoError(t, inner.Close())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(raw), "db/prod", "the name is kept in the clear, so the file is the right one")
	assert.NotContains(t, string(raw), "correct horse", "the string value is encrypted")
	assert.NotContains(t, string(raw), "must not show", "the binary value is encrypted")

	// A new wrapper with an empty cache over the reopened file.
	st = encrypted.New(openBolt(t, path), keyringWith(t, 7))
	got, gotRev, err := st.Load(ctx, "us-east-1", "db/prod")
	require.NoError(t, err)
	assert.Equal(t, rev, gotRev)
	assertValues(t, got)

	listed, err := st.List(ctx, "us-east-1", rotor.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, listed, 1)
	assertValues(t, listed[0])
}

// A wrong or missing master key leaves the secret readable but for its
// values, each of which is unreadable with a DecryptionFailure.
func TestAWrongMasterKeyFailsWithDecryptionFailure(t *testing.T) {
	ctx := context.Background()
	inner := rotor.NewMemoryStore()
	_, err := encrypted.New(inner, keyringWith(t, 7)).Save(ctx, secretWithValues("db/prod"), 0)
	require.NoError(t, err)

	wrong := encrypted.New(inner, keyringWith(t, 8))
	got, _, err := wrong.Load(ctx, "us-east-1", "db/prod")
	require.NoError(t, err)
	assertUnreadable(t, got, "v-text")
	assertUnreadable(t, got, "v-binary")
	listed, err := wrong.List(ctx, "us-east-1", rotor.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, listed, 1)
	assertUnreadable(t, listed[0], "v-text")

	missing := encrypted.New(inner, encrypted.NewKeyring())
	got, _, err = missing.Load(ctx, "us-east-1", "db/prod")
	require.NoError(t, err)
	cause := assertUnreadable(t, got, "v-text")
	assert.Contains(t, cause.Error(), encrypted.DefaultKeyID, "the error names the missing key")
	assert.True(t, got.Version("v-pending").Value.IsZero(), "the placeholder has nothing to open")
}

func TestAWrongMasterKeyFailsGetSecretValueWithTheAWSCode(t *testing.T) {
	ctx := context.Background()
	inner := rotor.NewMemoryStore()
	_, err := rotor.New(encrypted.New(inner, keyringWith(t, 7))).CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: plainText})
	require.NoError(t, err)

	_, err = rotor.New(encrypted.New(inner, keyringWith(t, 8))).GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod"})
	assertDecryptionFailure(t, err)
}

func TestASaveUnderAMissingKeyFailsWithEncryptionFailureAndSavesNothing(t *testing.T) {
	ctx := context.Background()
	inner := rotor.NewMemoryStore()
	st := encrypted.New(inner, keyringWith(t, 7))
	s := secretWithValues("db/prod")
	s.KmsKeyID = "alias/not-in-the-keyring"
	_, err := st.Save(ctx, s, 0)
	var e *rotor.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, rotor.CodeEncryptionFailure, e.Code)
	assert.True(t, errors.Is(err, rotor.ErrEncryptionFailure))
	assert.Contains(t, e.Message, "alias/not-in-the-keyring")
	_, _, err = inner.Load(ctx, "us-east-1", "db/prod")
	assert.ErrorIs(t, err, rotor.ErrStoreNotFound, "nothing reached the inner store")
}

func TestACiphertextMovedToAnotherVersionOrSecretFailsToDecrypt(t *testing.T) {
	ctx := context.Background()
	keys := keyringWith(t, 7)
	for _, tc := range []struct {
		name string
		move func(t *testing.T, inner rotor.Store) (region, name string)
	}{
		{"a value moved to another version of its secret", func(t *testing.T, inner rotor.Store) (string, string) {
			sealed, rev, err := inner.Load(ctx, "us-east-1", "db/prod")
			require.NoError(t, err)
			moved := sealed.Clone()
			// The binary version now holds the string version's ciphertext.
			moved.Versions[1].Value = moved.Versions[0].Value
			_, err = inner.Save(ctx, moved, rev)
			require.NoError(t, err)
			return "us-east-1", "db/prod"
		}},
		{"a value moved to another secret", func(t *testing.T, inner rotor.Store) (string, string) {
			source, _, err := inner.Load(ctx, "us-east-1", "db/prod")
			require.NoError(t, err)
			_, err = encrypted.New(inner, keys).Save(ctx, secretWithValues("db/other"), 0)
			require.NoError(t, err)
			target, rev, err := inner.Load(ctx, "us-east-1", "db/other")
			require.NoError(t, err)
			moved := target.Clone()
			for i := range moved.Versions {
				moved.Versions[i].Value = source.Versions[i].Value
			}
			_, err = inner.Save(ctx, moved, rev)
			require.NoError(t, err)
			return "us-east-1", "db/other"
		}},
		{"a whole record copied under another name", func(t *testing.T, inner rotor.Store) (string, string) {
			source, _, err := inner.Load(ctx, "us-east-1", "db/prod")
			require.NoError(t, err)
			copied := source.Clone()
			copied.Name = "db/copy"
			copied.ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db/copy-XyZ789"
			_, err = inner.Save(ctx, copied, 0)
			require.NoError(t, err)
			return "us-east-1", "db/copy"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inner := rotor.NewMemoryStore()
			_, err := encrypted.New(inner, keys).Save(ctx, secretWithValues("db/prod"), 0)
			require.NoError(t, err)
			region, name := tc.move(t, inner)
			got, _, err := encrypted.New(inner, keys).Load(ctx, region, name)
			require.NoError(t, err)
			assertUnreadable(t, got, "v-binary")
		})
	}
}

func TestATamperedEnvelopeFailsToDecrypt(t *testing.T) {
	ctx := context.Background()
	keys := keyringWith(t, 7)
	inner := rotor.NewMemoryStore()
	_, err := encrypted.New(inner, keys).Save(ctx, secretWithValues("db/prod"), 0)
	require.NoError(t, err)
	sealed, _, err := inner.Load(ctx, "us-east-1", "db/prod")
	require.NoError(t, err)
	env := sealed.Versions[0].Value.Bytes()
	for _, tc := range []struct {
		name    string
		tamper  func([]byte) []byte
		replace rotor.Value
	}{
		{name: "a flipped bit of ciphertext", tamper: func(b []byte) []byte { b[len(b)-1] ^= 1; return b }},
		{name: "the kind flipped from string to binary", tamper: func(b []byte) []byte { b[4] = 1; return b }},
		{name: "a truncated envelope", tamper: func(b []byte) []byte { return b[:20] }},
		{name: "a plaintext binary value", tamper: func([]byte) []byte { return []byte("plain") }},
		{name: "a plaintext string value", replace: rotor.StringValue("plain")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur, curRev, err := inner.Load(ctx, "us-east-1", "db/prod")
			require.NoError(t, err)
			bad := cur.Clone()
			if tc.tamper != nil {
				bad.Versions[0].Value = rotor.BinaryValue(tc.tamper(bytes.Clone(env)))
			} else {
				bad.Versions[0].Value = tc.replace
			}
			_, err = inner.Save(ctx, bad, curRev)
			require.NoError(t, err)
			got, _, err := encrypted.New(inner, keys).Load(ctx, "us-east-1", "db/prod")
			require.NoError(t, err)
			assertUnreadable(t, got, "v-text")
			assert.Equal(t, []byte(plainBinary), got.Version("v-binary").Value.Bytes(), "the other versions stay readable")
		})
	}
}

// assertUnreadable checks that version id of s could not be opened, with a
// clean DecryptionFailure, and returns that error.
func assertUnreadable(t *testing.T, s *rotor.Secret, id string) error {
	t.Helper()
	v := s.Version(id)
	require.NotNil(t, v, "version %s", id)
	_, cause, ok := v.Value.Unreadable()
	require.True(t, ok, "version %s is unreadable", id)
	assertDecryptionFailure(t, cause)
	return cause
}

// assertDecryptionFailure checks that err is a clean DecryptionFailure that
// shows no value.
func assertDecryptionFailure(t *testing.T, err error) {
	t.Helper()
	var e *rotor.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, rotor.CodeDecryptionFailure, e.Code)
	assert.ErrorIs(t, err, rotor.ErrDecryptionFailure)
	assert.NotContains(t, err.Error(), "correct horse")
	assert.NotContains(t, err.Error(), "must not show")
}

func TestListDuePassesThroughAndDecrypts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2024, time.March, 9, 12, 0, 0, 0, time.UTC)
	s := secretWithValues("db/prod")
	s.RotationConfigured, s.RotationEnabled, s.NextRotationDate = true, true, now.Add(-48*time.Hour)
	s.RotationRules = rotor.RotationRules{AutomaticallyAfterDays: 1}
	s.Stages = s.Stages[:1] // no rotation pending: AWSCURRENT only

	st := encrypted.New(openBolt(t, filepath.Join(t.TempDir(), "rotor.db")), keyringWith(t, 7))
	_, err := st.Save(ctx, s, 0)
	require.NoError(t, err)
	due, err := st.ListDue(ctx, "us-east-1", now, 10)
	require.NoError(t, err)
	require.Len(t, due, 1)
	assertValues(t, due[0])

	_, err = encrypted.New(rotor.NewMemoryStore(), keyringWith(t, 7)).ListDue(ctx, "us-east-1", now, 10)
	assert.ErrorIs(t, err, errors.ErrUnsupported, "the memory store has no ListDue")
}

// envelopes returns the stored envelope of each version of the secret.
func envelopes(t *testing.T, inner rotor.Store, name string) map[string]string {
	t.Helper()
	sealed, _, err := inner.Load(context.Background(), "us-east-1", name)
	require.NoError(t, err)
	out := map[string]string{}
	for _, v := range sealed.Versions {
		out[v.ID] = string(v.Value.Bytes())
	}
	return out
}

// TestASaveEncryptsOnlyNewVersions checks that the envelopes of versions a
// save did not change are stored again as they were, that the new version
// gets its own, and that all of them decrypt in a wrapper that caches
// nothing; a change of KMS key seals every version again.
func TestASaveEncryptsOnlyNewVersions(t *testing.T) {
	ctx := context.Background()
	inner := rotor.NewMemoryStore()
	keys := testKeyring(t)
	svc := rotor.New(encrypted.New(inner, keys))
	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: "v0"})
	require.NoError(t, err)
	values := []string{"v0"}
	for i := 1; i <= 5; i++ {
		before := envelopes(t, inner, "db/prod")
		values = append(values, fmt.Sprintf("v%d", i))
		out, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db/prod", SecretString: values[i], VersionStages: []string{"L" + strconv.Itoa(i)}})
		require.NoError(t, err)
		after := envelopes(t, inner, "db/prod")
		require.Len(t, after, len(before)+1)
		for id, env := range before {
			assert.Equal(t, env, after[id], "the envelope of unchanged version %s", id)
		}
		assert.NotContains(t, before, out.VersionId)
		assert.NotEmpty(t, after[out.VersionId])
	}
	fresh := rotor.New(encrypted.New(inner, keys, encrypted.WithCacheSize(0)))
	for i, v := range values {
		stage := rotor.StageCurrent
		if i > 0 {
			stage = "L" + strconv.Itoa(i)
		}
		got, err := fresh.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod", VersionStage: stage})
		require.NoError(t, err)
		assert.Equal(t, v, got.SecretString)
	}

	// A new KMS key: every version is sealed again, under it.
	const other = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	before := envelopes(t, inner, "db/prod")
	_, err = svc.UpdateSecret(ctx, rotor.UpdateSecretInput{SecretId: "db/prod", KmsKeyId: ptr(other)})
	require.NoError(t, err)
	for id, env := range envelopes(t, inner, "db/prod") {
		assert.NotEqual(t, before[id], env, "version %s is sealed again under the new key", id)
		assert.Contains(t, env, other, "version %s names the new key", id)
	}
}

func ptr(s string) *string { return &s }
