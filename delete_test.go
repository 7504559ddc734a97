package rotor_test

import (
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeleteSecretValidation(t *testing.T) {
	cases := []struct {
		name string
		in   rotor.DeleteSecretInput
		code string
		msg  string
	}{
		{"a window of 6 days is refused", rotor.DeleteSecretInput{SecretId: "x", RecoveryWindowInDays: ptr(int64(6))}, rotor.CodeInvalidParameter, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."},
		{"a window of 31 days is refused", rotor.DeleteSecretInput{SecretId: "x", RecoveryWindowInDays: ptr(int64(31))}, rotor.CodeInvalidParameter, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."},
		{"a window of 0 with force is refused for the window", rotor.DeleteSecretInput{SecretId: "x", RecoveryWindowInDays: ptr(int64(0)), ForceDeleteWithoutRecovery: true}, rotor.CodeInvalidParameter, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."},
		{"a valid window with force is refused", rotor.DeleteSecretInput{SecretId: "x", RecoveryWindowInDays: ptr(int64(7)), ForceDeleteWithoutRecovery: true}, rotor.CodeInvalidParameter, "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."},
		{"an unknown secret without force is not found", rotor.DeleteSecretInput{SecretId: "nope"}, rotor.CodeResourceNotFound, "Secrets Manager can't find the specified secret."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.create("x", "v")
			_, err := f.svc.DeleteSecret(f.ctx, c.in)
			e := requireCode(t, err, c.code)
			assert.Equal(t, c.msg, e.Message)
			assert.Equal(t, "v", f.current("x"))
		})
	}
}

func TestDeleteAndRestore(t *testing.T) {
	f := newFixture(t)
	f.create("x", "v")
	out, err := f.svc.DeleteSecret(f.ctx, rotor.DeleteSecretInput{SecretId: "x", RecoveryWindowInDays: ptr(int64(7))})
	require.NoError(t, err)
	assert.Equal(t, epoch.Add(7*24*time.Hour), out.DeletionDate)

	d, err := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
	require.NoError(t, err, "a scheduled secret can still be described")
	assert.Equal(t, epoch, d.DeletedDate, "DeletedDate is when DeleteSecret was called")

	refused := map[string]error{}
	_, refused["GetSecretValue"] = f.svc.GetSecretValue(f.ctx, rotor.GetSecretValueInput{SecretId: "x"})
	_, refused["PutSecretValue"] = f.svc.PutSecretValue(f.ctx, rotor.PutSecretValueInput{SecretId: "x", SecretString: "w"})
	_, refused["UpdateSecret"] = f.svc.UpdateSecret(f.ctx, rotor.UpdateSecretInput{SecretId: "x", Description: ptr("d")})
	_, refused["TagResource"] = f.svc.TagResource(f.ctx, rotor.TagResourceInput{SecretId: "x", Tags: []rotor.Tag{{Key: "k"}}})
	_, refused["UntagResource"] = f.svc.UntagResource(f.ctx, rotor.UntagResourceInput{SecretId: "x", TagKeys: []string{"k"}})
	_, refused["DeleteSecret"] = f.svc.DeleteSecret(f.ctx, rotor.DeleteSecretInput{SecretId: "x"})
	_, refused["UpdateSecretVersionStage"] = f.svc.UpdateSecretVersionStage(f.ctx, rotor.UpdateSecretVersionStageInput{SecretId: "x", VersionStage: "L", MoveToVersionId: token("x-v0")})
	for op, err := range refused {
		e := requireCode(t, err, rotor.CodeInvalidRequest)
		assert.Equal(t, "You can't perform this operation on the secret because it was marked for deletion.", e.Message, op)
	}
	_, err = f.svc.RestoreSecret(f.ctx, rotor.RestoreSecretInput{SecretId: "x"})
	require.NoError(t, err)
	assert.Equal(t, "v", f.current("x"))
	d, _ = f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
	assert.True(t, d.DeletedDate.IsZero())

	t.Run("a secret is purged when its recovery window ends", func(t *testing.T) {
		_, err := f.svc.DeleteSecret(f.ctx, rotor.DeleteSecretInput{SecretId: "x", RecoveryWindowInDays: ptr(int64(7))})
		require.NoError(t, err)
		f.clock.Advance(7*24*time.Hour - time.Second)
		_, err = f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
		require.NoError(t, err)
		f.clock.Advance(time.Second)
		_, err = f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
		requireCode(t, err, rotor.CodeResourceNotFound)
		f.create("x", "again")
	})
	t.Run("forcing the deletion of a missing secret succeeds", func(t *testing.T) {
		out, err := f.svc.DeleteSecret(f.ctx, rotor.DeleteSecretInput{SecretId: "ghost", ForceDeleteWithoutRecovery: true})
		require.NoError(t, err)
		assert.Equal(t, "ghost", out.Name)
		assert.Contains(t, out.ARN, ":secret:ghost-")
	})
}

func TestRetention(t *testing.T) {
	f := newFixture(t)
	f.create("x", "v")
	for i := 1; i < rotor.MaxVersions; i++ {
		f.put("x", token("v"+itoa(i)), "value "+itoa(i))
	}
	_, err := f.svc.PutSecretValue(f.ctx, rotor.PutSecretValueInput{SecretId: "x", SecretString: "one too many"})
	requireCode(t, err, rotor.CodeLimitExceeded)
	all, _ := f.svc.ListSecretVersionIds(f.ctx, rotor.ListSecretVersionIdsInput{SecretId: "x", IncludeDeprecated: true})
	assert.Len(t, all.Versions, rotor.MaxVersions, "nothing changed")

	before, _, err := f.svc.Store().Load(f.ctx, f.svc.Region(), "x")
	require.NoError(t, err)
	oldest := before.Versions[0].ID
	var purged []string
	f.svc.Subscribe(func(ev rotor.Event) {
		if ev.Kind == rotor.EventVersionPurged {
			purged = append(purged, ev.VersionID)
		}
	})
	f.clock.Advance(25 * time.Hour)
	f.put("x", token("later"), "later")
	all, _ = f.svc.ListSecretVersionIds(f.ctx, rotor.ListSecretVersionIdsInput{SecretId: "x", IncludeDeprecated: true})
	assert.Len(t, all.Versions, rotor.MaxVersions, "the oldest deprecated version made room")
	for _, v := range all.Versions {
		assert.NotEqual(t, oldest, v.VersionId, "the oldest went first")
	}
	assert.Equal(t, "later", f.current("x"))
	assert.Equal(t, []string{oldest}, purged, "its deletion is reported, once")
	f.put("x", token("later 2"), "later 2")
	assert.Len(t, purged, 2, "each version the rule removes is reported")
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
