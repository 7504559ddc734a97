package rotators_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
)

const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate"

// fakeDB is a database of users and passwords, with master "admin".
type fakeDB struct {
	mu    sync.Mutex
	users map[string]string
}

func (d *fakeDB) Engines() []string { return []string{"postgres"} }

func (d *fakeDB) Ping(_ context.Context, c rotators.DatabaseSecret) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if pw, ok := d.users[c.Username]; !ok || pw != c.Password {
		return errors.New("password authentication failed for user " + c.Username)
	}
	return nil
}

func (d *fakeDB) SetOwnPassword(ctx context.Context, login rotators.DatabaseSecret, password string) error {
	if err := d.Ping(ctx, login); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[login.Username] = password
	return nil
}

func (d *fakeDB) SetUser(ctx context.Context, master, _, user rotators.DatabaseSecret) error {
	if err := d.Ping(ctx, master); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[user.Username] = user.Password
	return nil
}

type world struct {
	svc *rotor.Service
	db  *fakeDB
	// fail, when set, decides whether a step fails after it ran.
	fail func(rotor.Step) bool
}

func newWorld(t testing.TB, make func(rotators.SecretsAPI, rotators.Database) rotor.Rotator, value string) *world {
	w := &world{db: &fakeDB{users: map[string]string{"admin": "admin-pw", "app": "app-pw"}}}
	fns := &rotor.FunctionRegistry{}
	w.svc = rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(fns))
	r := make(w.svc, w.db)
	fns.Register(fn, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		steps := map[rotor.Step]func(context.Context, rotor.RotationEvent) error{
			rotor.StepCreateSecret: r.CreateSecret, rotor.StepSetSecret: r.SetSecret,
			rotor.StepTestSecret: r.TestSecret, rotor.StepFinishSecret: r.FinishSecret,
		}
		err := steps[ev.Step](ctx, ev)
		if err == nil && w.fail != nil && w.fail(ev.Step) {
			return errors.New("crash")
		}
		return err
	}))
	ctx := context.Background()
	master, err := w.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "master", SecretString: `{"engine":"postgres","host":"db","username":"admin","password":"admin-pw"}`})
	require.NoError(t, err)
	if value == "" {
		value = `{"engine":"postgres","host":"db","username":"app","password":"app-pw","masterarn":"` + master.ARN + `"}`
	}
	_, err = w.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app", SecretString: value})
	require.NoError(t, err)
	return w
}

func (w *world) current(t testing.TB) rotators.DatabaseSecret {
	v, err := w.svc.GetSecretValue(context.Background(), rotor.GetSecretValueInput{SecretId: "app"})
	require.NoError(t, err)
	s, err := rotators.ParseDatabaseSecret(v.SecretString)
	require.NoError(t, err)
	return s
}

func TestASecretOfTheWrongFormatFailsCreateSecretNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		{"a missing password", `{"engine":"postgres","host":"db","username":"app"}`, `field "password": missing`},
		{"a missing host", `{"engine":"postgres","username":"app","password":"app-pw"}`, `field "host": missing`},
		{"the wrong engine", `{"engine":"mysql","host":"db","username":"app","password":"app-pw"}`, `field "engine": "mysql", not one of postgres`},
		{"a value that is not JSON", `app-pw`, `not a JSON object`},
		{"no masterarn for alternating users", `{"engine":"postgres","host":"db","username":"app","password":"app-pw"}`, `field "masterarn": missing`},
	} {
		t.Run(tc.name+" fails createSecret", func(t *testing.T) {
			make := rotators.SingleUser
			if tc.name == "no masterarn for alternating users" {
				make = rotators.AlternatingUsers
			}
			w := newWorld(t, make, tc.value)
			_, err := w.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "app", RotationLambdaARN: fn})
			var failed *rotor.StepError
			require.ErrorAs(t, err, &failed)
			assert.Equal(t, rotor.StepCreateSecret, failed.Step)
			assert.Contains(t, failed.Err.Error(), tc.want)
			assert.NotContains(t, failed.Err.Error(), "app-pw")
		})
	}
}

// Whatever steps fail and however often the rotation is retried with its
// token, the alternating-users rotator never leaves AWSCURRENT unable to log
// in, and the single-user one always leaves AWSCURRENT or AWSPENDING able to;
// a rotation retried to the end leaves AWSCURRENT logging in.
func TestRetriedRotationsNeverLockOut(t *testing.T) {
	for name, make := range map[string]func(rotators.SecretsAPI, rotators.Database) rotor.Rotator{
		"single user": rotators.SingleUser, "alternating users": rotators.AlternatingUsers,
	} {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				w := newWorld(t, make, "")
				ctx := context.Background()
				for r := range rapid.IntRange(1, 3).Draw(rt, "rotations") {
					w.fail = func(rotor.Step) bool { return rapid.IntRange(0, 3).Draw(rt, "fail") == 0 }
					out, err := w.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "app", RotationLambdaARN: fn})
					for err != nil {
						var failed *rotor.StepError
						require.ErrorAs(rt, err, &failed, "rotation %d", r)
						cur := w.current(t)
						if w.db.Ping(ctx, cur) != nil {
							require.Equal(rt, "single user", name, "alternating users: AWSCURRENT always logs in")
							p, perr := w.svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "app", VersionStage: rotor.StagePending})
							require.NoError(rt, perr)
							pending, _ := rotators.ParseDatabaseSecret(p.SecretString)
							require.NoError(rt, w.db.Ping(ctx, pending), "AWSCURRENT or AWSPENDING logs in")
						}
						_, err = w.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "app", ClientRequestToken: failed.Token})
					}
					_ = out
					require.NoError(rt, w.db.Ping(ctx, w.current(t)), "AWSCURRENT logs in after rotation %d", r)
				}
			})
		})
	}
}

func TestRandomValue(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		check       func(t *testing.T, before, after string)
	}{
		{"a plain value is replaced whole", "old-api-key", func(t *testing.T, before, after string) {
			assert.Len(t, after, 32)
			assert.NotEqual(t, before, after)
		}},
		{"a JSON value gets a new password field and keeps the others", `{"user":"svc","password":"old","n":1}`, func(t *testing.T, before, after string) {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(after), &m))
			assert.Equal(t, "svc", m["user"])
			assert.Equal(t, 1.0, m["n"])
			assert.Len(t, m["password"], 32)
		}},
		{"a JSON value without a password field is replaced whole", `{"key":"old"}`, func(t *testing.T, before, after string) {
			assert.Len(t, after, 32)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			fns := &rotor.FunctionRegistry{}
			svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(fns))
			fns.Register(fn, rotators.RandomValue(svc, rotor.GetRandomPasswordInput{}))
			_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "k", SecretString: tc.value})
			require.NoError(t, err)
			out, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "k", RotationLambdaARN: fn})
			require.NoError(t, err)
			v, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "k"})
			require.NoError(t, err)
			assert.Equal(t, out.VersionId, v.VersionId)
			tc.check(t, tc.value, v.SecretString)
			prev, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "k", VersionStage: rotor.StagePrevious})
			require.NoError(t, err)
			assert.Equal(t, tc.value, prev.SecretString)
		})
	}
}

func TestANewValueKeepsItsCharactersAsTheyAre(t *testing.T) {
	ctx := context.Background()
	fns := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(fns))
	// Only characters JSON's HTML escaping would change.
	fns.Register(fn, rotators.RandomValue(svc, rotor.GetRandomPasswordInput{ExcludeCharacters: "!\"#$%'()*+,-./:;=?@[\\]^_`{|}~", PasswordLength: 8, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true}))
	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "k", SecretString: `{"password":"x"}`})
	require.NoError(t, err)
	_, err = svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "k", RotationLambdaARN: fn})
	require.NoError(t, err)
	v, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "k"})
	require.NoError(t, err)
	assert.Regexp(t, `^\{"password":"[<>&]{8}"\}$`, v.SecretString)
}

// RotateImmediately=false checks the function with testSecret alone and
// saves the configuration when it passes.
func TestAConfigurationCheckRunsTestSecretAlone(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, rotators.AlternatingUsers, "")
	no := false
	_, err := w.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "app", RotationLambdaARN: fn, RotateImmediately: &no})
	require.NoError(t, err)
	assert.Equal(t, "app", w.current(t).Username, "nothing rotated")
	d, err := w.svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "app"})
	require.NoError(t, err)
	assert.Equal(t, fn, d.RotationLambdaARN)
}
