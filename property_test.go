package rotor_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"pgregory.net/rapid"
)

// TestMain raises the number of property histories in CI (CI=true) to 10,000.
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("CI") == "true" && flag.Lookup("rapid.checks").Value.String() == "100" {
		_ = flag.Set("rapid.checks", "10000")
	}
	os.Exit(m.Run())
}

// history is the state a property test keeps beside the service, to check
// what the service does against what it must do.
type history struct {
	t        *rapid.T
	f        *fixture
	values   map[string]string // version id -> the only value it may ever have
	tokens   []string          // tokens used so far
	previous string            // the version AWSCURRENT left last
	failAt   map[rotor.Step]bool
}

func (h *history) secret() (*rotor.Secret, rotor.Revision) {
	sec, rev, err := h.f.svc.Store().Load(context.Background(), "us-east-1", "p")
	if err != nil {
		h.t.Fatalf("load: %v", err)
	}
	return sec, rev
}

func (h *history) current() string {
	sec, _ := h.secret()
	id, _ := sec.StageVersion(rotor.StageCurrent)
	return id
}

func (h *history) newToken(prefix string) string {
	tok := token(fmt.Sprintf("%s-%d", prefix, len(h.tokens)))
	h.tokens = append(h.tokens, tok)
	return tok
}

func (h *history) oldToken() string {
	if len(h.tokens) == 0 {
		return h.newToken("t")
	}
	return rapid.SampledFrom(h.tokens).Draw(h.t, "old token")
}

// apply runs one call and checks that a refused call changed nothing.
func (h *history) apply(name string, call func() error) {
	_, before := h.secret()
	currentBefore := h.current()
	err := call()
	_, after := h.secret()
	var stepErr *rotor.StepError
	if err != nil && !errors.As(err, &stepErr) && before != after {
		h.t.Fatalf("%s was refused (%v) but changed the secret", name, err)
	}
	if err != nil {
		var e *rotor.Error
		if !errors.As(err, &e) {
			h.t.Fatalf("%s: error is not a *rotor.Error: %v", name, err)
		}
	}
	if c := h.current(); c != currentBefore {
		h.previous = currentBefore
	}
	h.check()
}

func (h *history) check() {
	sec, _ := h.secret()
	seen := map[string]bool{}
	currents := 0
	for _, st := range sec.Stages {
		if seen[st.Label] {
			h.t.Fatalf("label %s is on two versions", st.Label)
		}
		seen[st.Label] = true
		if sec.Version(st.VersionID) == nil {
			h.t.Fatalf("label %s is on a version that does not exist", st.Label)
		}
		if st.Label == rotor.StageCurrent {
			currents++
		}
	}
	if len(sec.Versions) > 0 && currents != 1 {
		h.t.Fatalf("%d AWSCURRENT labels on a secret with versions", currents)
	}
	if len(sec.Stages) > rotor.MaxLabels {
		h.t.Fatalf("%d labels", len(sec.Stages))
	}
	if len(sec.Versions) > rotor.MaxVersions {
		h.t.Fatalf("%d versions kept", len(sec.Versions))
	}
	if h.previous != "" && sec.Version(h.previous) != nil {
		if p, _ := sec.StageVersion(rotor.StagePrevious); p != h.previous {
			h.t.Fatalf("AWSPREVIOUS is on %q, want %q (the version AWSCURRENT left last)", p, h.previous)
		}
	}
	for _, v := range sec.Versions {
		if v.Value.IsZero() {
			continue
		}
		text := v.Value.Text()
		if old, ok := h.values[v.ID]; ok && old != text {
			h.t.Fatalf("token %s named two values", v.ID)
		}
		h.values[v.ID] = text
	}
}

func TestPropertyLabelInvariants(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t)
		h := &history{t: rt, f: f, values: map[string]string{}, failAt: map[rotor.Step]bool{}}
		template := &rotor.TemplateRotator{API: f.svc}
		f.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
			if h.failAt[ev.Step] {
				return fmt.Errorf("injected failure at %s", ev.Step)
			}
			return rotorStep(ctx, template, ev)
		}))
		ctx := context.Background()
		if _, err := f.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "p", SecretString: "v0", ClientRequestToken: h.newToken("c")}); err != nil {
			rt.Fatal(err)
		}
		h.check()
		pool := []string{"A", "B", "C", rotor.StagePending}
		rt.Repeat(map[string]func(*rapid.T){
			"put": func(rt *rapid.T) {
				in := rotor.PutSecretValueInput{SecretId: "p", ClientRequestToken: h.newToken("p"), SecretString: rapid.StringMatching(`[a-z]{1,8}`).Draw(rt, "value")}
				if rapid.Bool().Draw(rt, "with labels") {
					in.VersionStages = rapid.SliceOfNDistinct(rapid.SampledFrom(append(pool, rotor.StageCurrent)), 1, 3, rapid.ID).Draw(rt, "labels")
				}
				h.apply("PutSecretValue", func() error { _, err := f.svc.PutSecretValue(ctx, in); return err })
			},
			"replay a put": func(rt *rapid.T) {
				tok := h.oldToken()
				value, ok := h.values[tok]
				if !ok {
					value = "fresh"
				}
				if rapid.Bool().Draw(rt, "other value") {
					value += "x"
				}
				h.apply("PutSecretValue replay", func() error {
					_, err := f.svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "p", ClientRequestToken: tok, SecretString: value})
					return err
				})
			},
			"move a label": func(rt *rapid.T) {
				sec, _ := h.secret()
				if len(sec.Versions) == 0 {
					return
				}
				label := rapid.SampledFrom(append(pool, rotor.StageCurrent)).Draw(rt, "label")
				to := rapid.SampledFrom(sec.Versions).Draw(rt, "to").ID
				in := rotor.UpdateSecretVersionStageInput{SecretId: "p", VersionStage: label, MoveToVersionId: to}
				if rapid.Bool().Draw(rt, "name the holder") {
					in.RemoveFromVersionId, _ = sec.StageVersion(label)
				}
				if rapid.IntRange(0, 4).Draw(rt, "remove only") == 0 {
					in.MoveToVersionId = ""
					if in.RemoveFromVersionId == "" {
						in.RemoveFromVersionId = to
					}
				}
				h.apply("UpdateSecretVersionStage", func() error { _, err := f.svc.UpdateSecretVersionStage(ctx, in); return err })
			},
			"rotate": func(rt *rapid.T) {
				clear(h.failAt)
				if rapid.Bool().Draw(rt, "fail") {
					h.failAt[rapid.SampledFrom(rotor.Steps()).Draw(rt, "failing step")] = true
				}
				tok := h.newToken("r")
				if rapid.IntRange(0, 3).Draw(rt, "reuse a token") == 0 {
					tok = h.oldToken()
				}
				h.apply("RotateSecret", func() error {
					_, err := f.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "p", ClientRequestToken: tok, RotationLambdaARN: lambdaARN})
					return err
				})
			},
			"cancel": func(rt *rapid.T) {
				h.apply("CancelRotateSecret", func() error {
					_, err := f.svc.CancelRotateSecret(ctx, rotor.CancelRotateSecretInput{SecretId: "p"})
					return err
				})
			},
			"delete and restore": func(rt *rapid.T) {
				h.apply("DeleteSecret", func() error {
					_, err := f.svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "p"})
					return err
				})
				if rapid.Bool().Draw(rt, "restore") {
					h.apply("RestoreSecret", func() error {
						_, err := f.svc.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: "p"})
						return err
					})
				}
			},
			"time passes": func(rt *rapid.T) {
				// Stay inside the recovery window: a purged secret ends the history.
				_, _ = f.svc.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: "p"})
				f.clock.Advance(time.Duration(rapid.IntRange(1, 48).Draw(rt, "hours")) * time.Hour)
			},
		})
	})
}
