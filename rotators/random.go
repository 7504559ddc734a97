package rotators

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/rotorkit/rotor"
)

// RandomValue returns the rotator of a secret that is itself the
// credential: a shared API key or HMAC key that its users read from the
// secret. createSecret stores a fresh value from GetRandomPassword (with
// the defaults of the request password; its zero value means 32
// characters of every class): the whole SecretString, or, when the secret
// is a JSON object with a "password" field, that field, keeping the others.
// setSecret and testSecret have nothing to change.
func RandomValue(api SecretsAPI, password rotor.GetRandomPasswordInput) rotor.Rotator {
	return &steps{api: api, password: password, next: nextRandomValue}
}

func nextRandomValue(_ context.Context, current rotor.GetSecretValueOutput, password string) (string, error) {
	if !strings.HasPrefix(strings.TrimSpace(current.SecretString), "{") {
		return password, nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(current.SecretString), &fields) != nil {
		return password, nil
	}
	if _, ok := fields["password"]; !ok {
		return password, nil
	}
	b, err := marshalText(password)
	if err != nil {
		return "", err
	}
	fields["password"] = b
	out, err := marshalText(fields)
	return string(out), err
}

// marshalText is json.Marshal without HTML escaping: a password's & stays
// &, not \u0026.
func marshalText(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
