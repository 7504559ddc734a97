package rotor_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"pgregory.net/rapid"
)

// staleStore is a rotor.CachedLoader whose cache is as wrong as a cache
// can be: LoadCached returns any state of the secret it ever loaded or
// saved, the current one or an older one, or nothing, as pick decides.
type staleStore struct {
	*rotor.MemoryStore
	mu     sync.Mutex
	states map[string][]cachedState
	pick   func(n int) int // an index below n, or -1 for no state
	// saved counts saves that succeeded from a cached state.
	served, saved int
}

type cachedState struct {
	secret *rotor.Secret
	rev    rotor.Revision
}

func (s *staleStore) remember(sec *rotor.Secret, rev rotor.Revision) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states[sec.Name] = append(s.states[sec.Name], cachedState{sec, rev})
}

func (s *staleStore) Load(ctx context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	sec, rev, err := s.MemoryStore.Load(ctx, region, name)
	if err == nil {
		s.remember(sec, rev)
	}
	return sec, rev, err
}

func (s *staleStore) Save(ctx context.Context, sec *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	s.mu.Lock()
	fromCache := false
	for _, st := range s.states[sec.Name] {
		fromCache = fromCache || st.rev == expect
	}
	s.mu.Unlock()
	rev, err := s.MemoryStore.Save(ctx, sec, expect)
	if err == nil {
		s.remember(sec, rev)
		if fromCache {
			s.mu.Lock()
			s.saved++
			s.mu.Unlock()
		}
	}
	return rev, err
}

func (s *staleStore) LoadCached(region, name string) (*rotor.Secret, rotor.Revision, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	states := s.states[name]
	i := s.pick(len(states))
	if i < 0 || i >= len(states) {
		return nil, 0, false
	}
	s.served++
	return states[i].secret, states[i].rev, true
}

// TestAStaleCacheNeverChangesAnAnswer runs the same random calls on a
// service over a plain store and on one whose store's cache hands out stale
// states: every answer, error and stored state must be the same.
func TestAStaleCacheNeverChangesAnAnswer(t *testing.T) {
	var served, saved int
	rapid.Check(t, func(rt *rapid.T) {
		plain := newFixture(t)
		stale := &staleStore{MemoryStore: rotor.NewMemoryStore(), states: map[string][]cachedState{}}
		stale.pick = func(n int) int {
			if n == 0 {
				return -1
			}
			switch rapid.IntRange(0, 3).Draw(rt, "cache") {
			case 0:
				return -1
			case 1:
				return rapid.IntRange(0, n-1).Draw(rt, "stale state")
			}
			return n - 1 // the last one seen, current unless another wrote
		}
		cached := &fixture{t: t, ctx: context.Background(), clock: &fakeClock{now: epoch}, fns: &rotor.FunctionRegistry{}}
		cached.svc = rotor.New(stale, rotor.WithClock(cached.clock.Now), rotor.WithRandom(newSeededReader(1)), rotor.WithInvoker(cached.fns))
		fixtures := []*fixture{plain, cached}
		for _, f := range fixtures {
			f.template(lambdaARN)
		}
		ctx := context.Background()
		// both runs call on each fixture and requires the same outcome.
		both := func(name string, call func(f *fixture) (any, error)) {
			out0, err0 := call(plain)
			out1, err1 := call(cached)
			if (err0 == nil) != (err1 == nil) || (err0 != nil && err0.Error() != err1.Error()) || !reflect.DeepEqual(out0, out1) {
				rt.Fatalf("%s: plain store gives %+v, %v; stale cache gives %+v, %v", name, out0, err0, out1, err1)
			}
			s0, _, e0 := plain.svc.Store().Load(ctx, "us-east-1", "p")
			s1, _, e1 := stale.MemoryStore.Load(ctx, "us-east-1", "p")
			if (e0 == nil) != (e1 == nil) {
				rt.Fatalf("%s: stored secret: %v, %v", name, e0, e1)
			}
			if e0 == nil {
				b0, _ := rotor.EncodeSecret(s0)
				b1, _ := rotor.EncodeSecret(s1)
				if string(b0) != string(b1) {
					rt.Fatalf("%s: the stores hold different secrets:\n%s\n%s", name, b0, b1)
				}
			}
		}
		both("CreateSecret", func(f *fixture) (any, error) {
			return f.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "p", SecretString: "v0", ClientRequestToken: token("c")})
		})
		// id names p by its ARN when byARN, else by its name.
		id := func(f *fixture, byARN bool) string {
			if byARN {
				if sec, err := f.svc.Lookup(ctx, "p"); err == nil {
					return sec.ARN
				}
			}
			return "p"
		}
		tokens := []string{token("c")}
		labels := []string{"A", "B", rotor.StagePending, rotor.StageCurrent}
		rt.Repeat(map[string]func(*rapid.T){
			"put": func(rt *rapid.T) {
				tok := token("p" + rapid.StringMatching(`[0-9]{1,2}`).Draw(rt, "token"))
				tokens = append(tokens, tok)
				in := rotor.PutSecretValueInput{ClientRequestToken: tok, SecretString: rapid.SampledFrom([]string{"x", "y"}).Draw(rt, "value")}
				if rapid.Bool().Draw(rt, "with labels") {
					in.VersionStages = rapid.SliceOfNDistinct(rapid.SampledFrom(labels), 1, 2, rapid.ID).Draw(rt, "labels")
				}
				byARN := rapid.Bool().Draw(rt, "by ARN")
				both("PutSecretValue", func(f *fixture) (any, error) {
					in.SecretId = id(f, byARN)
					return f.svc.PutSecretValue(ctx, in)
				})
			},
			"move a label": func(rt *rapid.T) {
				in := rotor.UpdateSecretVersionStageInput{SecretId: "p", VersionStage: rapid.SampledFrom(labels).Draw(rt, "label"),
					MoveToVersionId: rapid.SampledFrom(tokens).Draw(rt, "to")}
				if rapid.Bool().Draw(rt, "remove from") {
					in.RemoveFromVersionId = rapid.SampledFrom(tokens).Draw(rt, "from")
				}
				both("UpdateSecretVersionStage", func(f *fixture) (any, error) { return f.svc.UpdateSecretVersionStage(ctx, in) })
			},
			"rotate": func(rt *rapid.T) {
				tok := token("r" + rapid.StringMatching(`[0-9]`).Draw(rt, "token"))
				tokens = append(tokens, tok)
				byARN := rapid.Bool().Draw(rt, "by ARN")
				both("RotateSecret", func(f *fixture) (any, error) {
					return f.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: id(f, byARN), ClientRequestToken: tok, RotationLambdaARN: lambdaARN})
				})
			},
			"cancel": func(rt *rapid.T) {
				both("CancelRotateSecret", func(f *fixture) (any, error) {
					return f.svc.CancelRotateSecret(ctx, rotor.CancelRotateSecretInput{SecretId: "p"})
				})
			},
			"tag and describe": func(rt *rapid.T) {
				key := rapid.SampledFrom([]string{"team", "env"}).Draw(rt, "key")
				both("TagResource", func(f *fixture) (any, error) {
					return f.svc.TagResource(ctx, rotor.TagResourceInput{SecretId: "p", Tags: []rotor.Tag{{Key: key, Value: "v"}}})
				})
				d := rapid.SampledFrom([]string{"a", "b"}).Draw(rt, "description")
				both("UpdateSecret", func(f *fixture) (any, error) {
					return f.svc.UpdateSecret(ctx, rotor.UpdateSecretInput{SecretId: "p", Description: &d})
				})
			},
			"delete and restore": func(rt *rapid.T) {
				both("DeleteSecret", func(f *fixture) (any, error) {
					return f.svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "p"})
				})
				if rapid.Bool().Draw(rt, "restore") {
					both("RestoreSecret", func(f *fixture) (any, error) {
						return f.svc.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: "p"})
					})
				}
			},
			"time passes": func(rt *rapid.T) {
				d := time.Duration(rapid.IntRange(1, 48).Draw(rt, "hours")) * time.Hour
				for _, f := range fixtures {
					f.clock.Advance(d)
				}
			},
		})
		served += stale.served
		saved += stale.saved
	})
	if served == 0 || saved == 0 {
		t.Fatalf("the cache served %d states, and %d saves succeeded from one: the cached path was not tested", served, saved)
	}
}
