package dbtest

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
)

// Rotators are the two database rotators of one engine.
type Rotators struct {
	SingleUser, AlternatingUsers func(rotators.SecretsAPI) rotor.Rotator
}

const function = "arn:aws:lambda:us-east-1:000000000000:function:rotate"

// fixture is a rotor service whose function is a rotator of the server.
type fixture struct {
	t   *testing.T
	s   *Server
	svc *rotor.Service
	// crashAfter, when set, fails the step of that name once, after it ran:
	// a crash between it and the next step.
	crashAfter rotor.Step
}

func newFixture(t *testing.T, s *Server, make func(rotators.SecretsAPI) rotor.Rotator) *fixture {
	f := &fixture{t: t, s: s}
	fns := &rotor.FunctionRegistry{}
	f.svc = rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(fns))
	r := make(f.svc)
	fns.Register(function, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		err := rotor.RunStep(ctx, r, ev)
		if err == nil && ev.Step == f.crashAfter {
			f.crashAfter = ""
			return errors.New("crash")
		}
		return err
	}))
	return f
}

// with returns the JSON of secret with field set to value.
func with(t testing.TB, secret rotators.DatabaseSecret, field, value string) string {
	js, err := secret.Marshal()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &m))
	m[field] = value
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

func (f *fixture) create(name, value string) string {
	out, err := f.svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: name, SecretString: value})
	require.NoError(f.t, err)
	return out.ARN
}

func (f *fixture) rotate(token string) error {
	_, err := f.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "app", ClientRequestToken: token, RotationLambdaARN: function})
	return err
}

func (f *fixture) stage(stage string) (rotators.DatabaseSecret, string) {
	v, err := f.svc.GetSecretValue(context.Background(), rotor.GetSecretValueInput{SecretId: "app", VersionStage: stage})
	require.NoError(f.t, err)
	s, err := rotators.ParseDatabaseSecret(v.SecretString)
	require.NoError(f.t, err)
	return s, v.VersionId
}

func (f *fixture) ping(s rotators.DatabaseSecret) error { return f.s.DB.Ping(context.Background(), s) }

// Run runs every test of a database rotator against s.
func Run(t *testing.T, s *Server, r Rotators) {
	t.Run("single user: each rotation's password logs in and the one before no longer does", func(t *testing.T) {
		f := newFixture(t, s, r.SingleUser)
		user := s.NewUser(t)
		js, err := user.Marshal()
		require.NoError(t, err)
		f.create("app", js)
		for i := range 3 {
			before, _ := f.stage(rotor.StageCurrent)
			require.NoError(t, f.rotate(""), "rotation %d", i+1)
			after, _ := f.stage(rotor.StageCurrent)
			assert.Equal(t, user.Username, after.Username)
			assert.NotEqual(t, before.Password, after.Password)
			assert.NoError(t, f.ping(after), "the new password logs in")
			assert.Error(t, f.ping(before), "the old password no longer logs in")
			assert.NotContains(t, after.Password, `'`, "the templates' excluded characters stay out")
		}
	})

	t.Run("alternating users: both users log in across three rotations, and the clone has the original's grants", func(t *testing.T) {
		f := newFixture(t, s, r.AlternatingUsers)
		user := s.NewUser(t)
		canRead := s.GrantRead(t, user.Username)
		masterJS, err := s.Master.Marshal()
		require.NoError(t, err)
		master := f.create("master", masterJS)
		f.create("app", with(t, user, "masterarn", master))
		want := []string{rotators.OtherUser(user.Username), user.Username, rotators.OtherUser(user.Username)}
		for i := range 3 {
			require.NoError(t, f.rotate(""), "rotation %d", i+1)
			current, _ := f.stage(rotor.StageCurrent)
			previous, _ := f.stage(rotor.StagePrevious)
			assert.Equal(t, want[i], current.Username, "rotation %d", i+1)
			assert.NotEqual(t, current.Username, previous.Username)
			for _, c := range []rotators.DatabaseSecret{current, previous} {
				assert.NoError(t, f.ping(c), "%s logs in after rotation %d", c.Username, i+1)
				assert.NoError(t, canRead(c), "%s reads what the original may after rotation %d", c.Username, i+1)
			}
		}
	})

	for _, kind := range []struct {
		name string
		make func(rotators.SecretsAPI) rotor.Rotator
	}{{"single user", r.SingleUser}, {"alternating users", r.AlternatingUsers}} {
		for _, step := range []rotor.Step{rotor.StepCreateSecret, rotor.StepSetSecret, rotor.StepTestSecret} {
			t.Run(kind.name+": a crash after "+string(step)+" resumes with the same token and locks no one out", func(t *testing.T) {
				f := newFixture(t, s, kind.make)
				user := s.NewUser(t)
				masterJS, err := s.Master.Marshal()
				require.NoError(t, err)
				f.create("app", with(t, user, "masterarn", f.create("master", masterJS)))
				f.crashAfter = step
				const token = "00000000-0000-4000-8000-000000000001"
				err = f.rotate(token)
				var failed *rotor.StepError
				require.ErrorAs(t, err, &failed)
				assert.Equal(t, step, failed.Step)

				current, currentID := f.stage(rotor.StageCurrent)
				errCurrent := f.ping(current)
				if kind.name == "alternating users" {
					assert.NoError(t, errCurrent, "AWSCURRENT logs in while the rotation is stopped")
				} else if errCurrent != nil {
					pending, _ := f.stage(rotor.StagePending)
					assert.NoError(t, f.ping(pending), "AWSCURRENT or AWSPENDING logs in while the rotation is stopped")
				}
				assert.NotEqual(t, token, currentID)

				require.NoError(t, f.rotate(token), "the rotation resumes")
				current, currentID = f.stage(rotor.StageCurrent)
				assert.Equal(t, token, currentID)
				assert.NoError(t, f.ping(current), "AWSCURRENT logs in once the rotation finished")
			})
		}
	}

	t.Run("alternating users: a wrong master password fails setSecret and AWSCURRENT keeps working", func(t *testing.T) {
		f := newFixture(t, s, r.AlternatingUsers)
		user := s.NewUser(t)
		wrong := s.Master.WithUser(s.Master.Username, "not-the-master-password")
		masterJS, err := wrong.Marshal()
		require.NoError(t, err)
		js := with(t, user, "masterarn", f.create("master", masterJS))
		f.create("app", js)
		_, before := f.stage(rotor.StageCurrent)
		err = f.rotate("")
		var failed *rotor.StepError
		require.ErrorAs(t, err, &failed)
		assert.Equal(t, rotor.StepSetSecret, failed.Step)
		assert.Contains(t, failed.Error(), s.Master.Username, "the error names the master user")
		pending, _ := f.stage(rotor.StagePending)
		noSecrets(t, failed.Error(), s.Master.Password, wrong.Password, user.Password, pending.Password)
		current, after := f.stage(rotor.StageCurrent)
		assert.Equal(t, before, after)
		assert.NoError(t, f.ping(current))
	})

	for _, kind := range []struct {
		name string
		make func(rotators.SecretsAPI) rotor.Rotator
	}{{"single user", r.SingleUser}, {"alternating users", r.AlternatingUsers}} {
		t.Run(kind.name+": a stopped database fails setSecret and AWSCURRENT keeps working", func(t *testing.T) {
			f := newFixture(t, s, kind.make)
			user := s.NewUser(t)
			down := stoppedPort(t)
			stopped, master := user, s.Master
			stopped.Port, master.Port = down, down
			masterJS, err := master.Marshal()
			require.NoError(t, err)
			f.create("app", with(t, stopped, "masterarn", f.create("master", masterJS)))
			_, before := f.stage(rotor.StageCurrent)
			err = f.rotate("")
			var failed *rotor.StepError
			require.ErrorAs(t, err, &failed)
			assert.Equal(t, rotor.StepSetSecret, failed.Step)
			pending, _ := f.stage(rotor.StagePending)
			noSecrets(t, failed.Error(), s.Master.Password, user.Password, pending.Password)
			current, after := f.stage(rotor.StageCurrent)
			assert.Equal(t, before, after)
			current.Port = user.Port // the database, started again
			assert.NoError(t, f.ping(current), "AWSCURRENT's password still logs in")
		})
	}
}

func noSecrets(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		// (The test user's password may be its name, as in .ci/run.)
		if len(s) >= 8 && strings.Contains(text, s) {
			t.Errorf("the error shows a password: %s", text)
		}
	}
}

// stoppedPort returns a local port nothing listens on.
func stoppedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}
