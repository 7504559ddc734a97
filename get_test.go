package rotor_test

import (
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetSecretValueResolution(t *testing.T) {
	f := newFixture(t)
	v0 := f.create("x", "zero").VersionId
	f.put("x", token("v1"), "one")
	f.put("x", token("v2"), "two", "CUSTOM")
	cases := []struct {
		name      string
		in        rotor.GetSecretValueInput
		wantValue string
		code      string
		msg       string
	}{
		{"no id and no stage reads AWSCURRENT", rotor.GetSecretValueInput{SecretId: "x"}, "one", "", ""},
		{"a stage reads the version it is on", rotor.GetSecretValueInput{SecretId: "x", VersionStage: "AWSPREVIOUS"}, "zero", "", ""},
		{"a custom stage reads its version", rotor.GetSecretValueInput{SecretId: "x", VersionStage: "CUSTOM"}, "two", "", ""},
		{"a version id reads that version", rotor.GetSecretValueInput{SecretId: "x", VersionId: v0}, "zero", "", ""},
		{"a matching id and stage read the version", rotor.GetSecretValueInput{SecretId: "x", VersionId: token("v1"), VersionStage: "AWSCURRENT"}, "one", "", ""},
		{"an id and a stage of different versions are refused", rotor.GetSecretValueInput{SecretId: "x", VersionId: v0, VersionStage: "AWSCURRENT"}, "", rotor.CodeInvalidRequest, "You provided a VersionStage that is not associated to the provided VersionId."},
		{"an unknown stage is not found", rotor.GetSecretValueInput{SecretId: "x", VersionStage: "AWSPENDING"}, "", rotor.CodeResourceNotFound, "Secrets Manager can't find the specified secret value for staging label: AWSPENDING"},
		{"an unknown version id is not found", rotor.GetSecretValueInput{SecretId: "x", VersionId: token("nope")}, "", rotor.CodeResourceNotFound, "Secrets Manager can't find the specified secret value for VersionId: " + token("nope")},
		{"a short version id is refused", rotor.GetSecretValueInput{SecretId: "x", VersionId: "short"}, "", rotor.CodeValidation, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := f.svc.GetSecretValue(f.ctx, c.in)
			if c.code != "" {
				e := requireCode(t, err, c.code)
				if c.msg != "" {
					assert.Equal(t, c.msg, e.Message)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.wantValue, out.SecretString)
		})
	}
}

func TestGetSecretValueRecordsTheDayOnce(t *testing.T) {
	f := newFixture(t)
	f.create("x", "v")
	saves := f.store.Saves()
	for range 10 {
		f.current("x")
	}
	assert.Equal(t, saves+1, f.store.Saves(), "ten reads on one day write once")
	d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
	assert.Equal(t, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), d.LastAccessedDate)
	f.clock.Advance(24 * time.Hour)
	f.current("x")
	f.current("x")
	assert.Equal(t, saves+2, f.store.Saves(), "the next day writes once more")
	versions, err := f.svc.ListSecretVersionIds(f.ctx, rotor.ListSecretVersionIdsInput{SecretId: "x"})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC), versions.Versions[0].LastAccessedDate)
	t.Run("DescribeSecret does not count as an access", func(t *testing.T) {
		before := f.store.Saves()
		f.clock.Advance(24 * time.Hour)
		_, err := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
		require.NoError(t, err)
		assert.Equal(t, before, f.store.Saves())
	})
}

func TestBatchGetSecretValue(t *testing.T) {
	f := newFixture(t)
	f.create("a", "va")
	f.create("b", "vb")
	out, err := f.svc.BatchGetSecretValue(f.ctx, rotor.BatchGetSecretValueInput{SecretIdList: []string{"a", "missing", "b"}})
	require.NoError(t, err)
	require.Len(t, out.SecretValues, 2)
	assert.Equal(t, "va", out.SecretValues[0].SecretString)
	assert.Equal(t, "vb", out.SecretValues[1].SecretString)
	require.Len(t, out.Errors, 1)
	assert.Equal(t, rotor.BatchError{SecretId: "missing", ErrorCode: rotor.CodeResourceNotFound, Message: "Secrets Manager can't find the specified secret."}, out.Errors[0])

	byFilter, err := f.svc.BatchGetSecretValue(f.ctx, rotor.BatchGetSecretValueInput{Filters: []rotor.Filter{{Key: "name", Values: []string{"b"}}}})
	require.NoError(t, err)
	require.Len(t, byFilter.SecretValues, 1)
	assert.Equal(t, "vb", byFilter.SecretValues[0].SecretString)

	_, err = f.svc.BatchGetSecretValue(f.ctx, rotor.BatchGetSecretValueInput{SecretIdList: []string{"a"}, Filters: []rotor.Filter{{Key: "name", Values: []string{"a"}}}})
	e := requireCode(t, err, rotor.CodeInvalidParameter)
	assert.Equal(t, "Either 'SecretIdList' or 'Filters' must be provided, but not both.", e.Message)
	_, err = f.svc.BatchGetSecretValue(f.ctx, rotor.BatchGetSecretValueInput{SecretIdList: []string{"a"}, MaxResults: 5})
	requireCode(t, err, rotor.CodeInvalidParameter)
}
