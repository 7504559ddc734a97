package rotators_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/rotorkit/rotor/rotators"
)

func TestParseDatabaseSecret(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name    string
		value   string
		engines []string
		want    rotators.DatabaseSecret
		field   string // of the FormatError, when one is wanted
	}{
		{name: "a full secret reads every field", value: `{"engine":"postgres","host":"db","port":6432,"username":"app","password":"pw","dbname":"d","masterarn":"arn:m","ssl":true}`,
			want: rotators.DatabaseSecret{Engine: "postgres", Host: "db", Port: 6432, Username: "app", Password: "pw", DBName: "d", MasterARN: "arn:m", SSL: &yes}},
		{name: "a port may be a string and ssl a string", value: `{"engine":"mysql","host":"db","port":"3307","username":"app","password":"pw","ssl":"false"}`,
			want: rotators.DatabaseSecret{Engine: "mysql", Host: "db", Port: 3307, Username: "app", Password: "pw", SSL: &no}},
		{name: "optional fields may be absent", value: `{"engine":"postgres","host":"db","username":"app","password":"pw"}`,
			want: rotators.DatabaseSecret{Engine: "postgres", Host: "db", Username: "app", Password: "pw"}},
		{name: "a value that is not JSON is refused", value: `hunter2`, field: ""},
		{name: "a JSON array is refused", value: `[1]`, field: ""},
		{name: "a missing engine is named", value: `{"host":"db","username":"app","password":"pw"}`, field: "engine"},
		{name: "a missing host is named", value: `{"engine":"postgres","username":"app","password":"pw"}`, field: "host"},
		{name: "a missing username is named", value: `{"engine":"postgres","host":"db","password":"pw"}`, field: "username"},
		{name: "a missing password is named", value: `{"engine":"postgres","host":"db","username":"app"}`, field: "password"},
		{name: "an empty password is named", value: `{"engine":"postgres","host":"db","username":"app","password":""}`, field: "password"},
		{name: "a number where a string belongs is named", value: `{"engine":"postgres","host":1,"username":"app","password":"pw"}`, field: "host"},
		{name: "a port out of range is named", value: `{"engine":"postgres","host":"db","port":70000,"username":"app","password":"pw"}`, field: "port"},
		{name: "an ssl that is not a boolean is named", value: `{"engine":"postgres","host":"db","ssl":"maybe","username":"app","password":"pw"}`, field: "ssl"},
		{name: "another engine than the rotator's is named", value: `{"engine":"mysql","host":"db","username":"app","password":"pw"}`, engines: []string{"postgres"}, field: "engine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rotators.ParseDatabaseSecret(tc.value, tc.engines...)
			if tc.want.Engine == "" {
				var fe *rotators.FormatError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tc.field, fe.Field)
				if tc.field != "" {
					assert.Contains(t, err.Error(), fmt.Sprintf("%q", tc.field))
				}
				assert.NotContains(t, err.Error(), "pw")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want.String(), got.String())
			assert.Equal(t, tc.want.Port, got.Port)
			assert.Equal(t, tc.want.Password, got.Password)
			assert.Equal(t, tc.want.MasterARN, got.MasterARN)
			assert.Equal(t, tc.want.SSL, got.SSL)
		})
	}
}

func TestADatabaseSecretPrintsAndLogsWithoutItsPassword(t *testing.T) {
	s, err := rotators.ParseDatabaseSecret(`{"engine":"postgres","host":"db","username":"app","password":"s3cr3t-value"}`)
	require.NoError(t, err)
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("rotating", "secret", s)
	for _, text := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), logged.String()} {
		assert.NotContains(t, text, "s3cr3t-value")
		assert.Contains(t, text, "app")
	}
}

// Marshal keeps the fields rotor does not know and writes back what it
// parsed: parsing what it wrote gives the same secret.
func TestMarshalRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		word := rapid.StringMatching(`[A-Za-z0-9_.!#%'"\\ -]{1,20}`)
		in := map[string]any{
			"engine": rapid.SampledFrom([]string{"postgres", "mysql"}).Draw(t, "engine"), "host": word.Draw(t, "host"),
			"username": word.Draw(t, "username"), "password": word.Draw(t, "password"), "extra": word.Draw(t, "extra"),
		}
		if rapid.Bool().Draw(t, "port?") {
			in["port"] = rapid.IntRange(1, 65535).Draw(t, "port")
		}
		raw, _ := json.Marshal(in)
		s, err := rotators.ParseDatabaseSecret(string(raw))
		require.NoError(t, err)
		out, err := s.WithUser(s.Username+"_clone", "new").Marshal()
		require.NoError(t, err)
		again, err := rotators.ParseDatabaseSecret(out)
		require.NoError(t, err)
		assert.Equal(t, s.Username+"_clone", again.Username)
		assert.Equal(t, "new", again.Password)
		assert.Equal(t, s.Host, again.Host)
		assert.Equal(t, s.Port, again.Port)
		var fields map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &fields))
		assert.Equal(t, in["extra"], fields["extra"])
	})
}

func TestOtherUserAlternates(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := rapid.StringMatching(`[a-z][a-z0-9_]{0,20}`).Draw(t, "user")
		assert.NotEqual(t, u, rotators.OtherUser(u))
		if !strings.HasSuffix(u, rotators.CloneSuffix) || u == rotators.CloneSuffix {
			assert.Equal(t, u, rotators.OtherUser(rotators.OtherUser(u)))
		}
	})
}

// FuzzParseDatabaseSecret feeds the parser what a secret may hold: it never
// panics, and its errors never hold the password.
func FuzzParseDatabaseSecret(f *testing.F) {
	f.Add(`{"engine":"postgres","host":"db","port":5432,"username":"app","password":"pw-fuzz-123","ssl":true}`)
	f.Add(`{"engine":"mysql","host":"db","port":"x","username":"app","password":"pw-fuzz-123"}`)
	f.Add(`{"engine":"postgres","host":"db","username":7,"password":"pw-fuzz-123"} trailing`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, value string) {
		s, err := rotators.ParseDatabaseSecret(value, "postgres", "mysql")
		if err != nil {
			var fe *rotators.FormatError
			require.ErrorAs(t, err, &fe)
			var m map[string]any
			if json.Unmarshal([]byte(value), &m) == nil {
				if pw, ok := m["password"].(string); ok && len(pw) >= 4 {
					assert.NotContains(t, err.Error(), pw)
				}
			}
			return
		}
		assert.NotEmpty(t, s.Password)
		out, err := s.Marshal()
		require.NoError(t, err)
		_, err = rotators.ParseDatabaseSecret(out)
		require.NoError(t, err, "what Marshal writes parses")
	})
}
