package rotor_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const plaintext = "hunter2-very-secret"

func TestValuesNeverPrint(t *testing.T) {
	f := newFixture(t)
	f.create("x", plaintext)
	_, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "b", SecretBinary: []byte(plaintext)})
	require.NoError(t, err)
	out, err := f.svc.GetSecretValue(f.ctx, rotor.GetSecretValueInput{SecretId: "x"})
	require.NoError(t, err)
	bin, err := f.svc.GetSecretValue(f.ctx, rotor.GetSecretValueInput{SecretId: "b"})
	require.NoError(t, err)
	sec, _, err := f.svc.Store().Load(f.ctx, "us-east-1", "x")
	require.NoError(t, err)
	batch, err := f.svc.BatchGetSecretValue(f.ctx, rotor.BatchGetSecretValueInput{SecretIdList: []string{"x", "b"}})
	require.NoError(t, err)
	things := map[string]any{
		"output": out, "binary output": bin, "pointer to output": &out, "secret": sec, "secret value": *sec,
		"version": *sec.Versions[0], "value": sec.Versions[0].Value, "batch": batch, "batch entry": batch.SecretValues[0],
		"string value": rotor.StringValue(plaintext), "binary value": rotor.BinaryValue([]byte(plaintext)),
	}
	for name, v := range things {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			s := fmt.Sprintf(verb, v)
			assert.NotContains(t, s, plaintext, "%s printed with %s", name, verb)
			assert.NotContains(t, s, fmt.Sprintf("%x", plaintext), "%s printed with %s", name, verb)
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("read", "thing", v)
		assert.NotContains(t, buf.String(), plaintext, "%s through slog", name)
		buf.Reset()
		slog.New(slog.NewTextHandler(&buf, nil)).Info("read", "thing", v)
		assert.NotContains(t, buf.String(), plaintext, "%s through slog text", name)
	}
	assert.Contains(t, fmt.Sprintf("%+v", out), "[REDACTED]")
	assert.Contains(t, fmt.Sprintf("%+v", out), out.ARN, "the rest of the output still prints")
}

func TestErrorsNeverCarryValues(t *testing.T) {
	f := newFixture(t)
	f.create("x", plaintext)
	_, err := f.svc.PutSecretValue(f.ctx, rotor.PutSecretValueInput{SecretId: "x", ClientRequestToken: token("x-v0"), SecretString: plaintext + "2"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), plaintext)
	_, err = f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "y", SecretString: plaintext, SecretBinary: []byte(plaintext)})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), plaintext)
}

func TestSentinelsMatchByCode(t *testing.T) {
	err := error(&rotor.Error{Code: rotor.CodeResourceNotFound, Message: "Secrets Manager can't find the specified secret."})
	assert.True(t, errors.Is(err, rotor.ErrResourceNotFound))
	assert.False(t, errors.Is(err, rotor.ErrInvalidRequest))
	wrapped := fmt.Errorf("lookup: %w", err)
	assert.True(t, errors.Is(wrapped, rotor.ErrResourceNotFound))
	assert.Equal(t, "ResourceNotFoundException: Secrets Manager can't find the specified secret.", err.Error())
}

func TestValuesInUnexportedFieldsNeverPrint(t *testing.T) {
	type holder struct{ v rotor.Value }
	type outer struct{ h holder }
	for _, thing := range []any{holder{rotor.StringValue(plaintext)}, outer{holder{rotor.BinaryValue([]byte(plaintext))}}, &holder{rotor.StringValue(plaintext)}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
			assert.NotContains(t, fmt.Sprintf(verb, thing), plaintext, verb)
			assert.NotContains(t, fmt.Sprintf(verb, thing), fmt.Sprintf("%x", plaintext), verb)
		}
	}
}
