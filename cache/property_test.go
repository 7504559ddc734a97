package cache_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/cache"
)

// In one goroutine over an in-process service, the cache answers exactly
// what the service answers, after any sequence of writes, label moves,
// deletions, restores, purges, evictions and clock moves: every commit reaches it
// before the next call. (Concurrent readers:
// TestInProcessNeverServesTheOldValueAfterACommit.)
func TestInProcessTheCacheAnswersWhatTheServiceAnswers(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		clk := newClock()
		svc := rotor.New(rotor.NewMemoryStore(), rotor.WithClock(clk.Now))
		names := []string{"a", "b"}
		versions := map[string][]string{}
		n := 0
		for _, name := range names {
			out, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: name, SecretString: "v0"})
			if err != nil {
				rt.Fatal(err)
			}
			versions[name] = []string{out.VersionId}
		}
		c := cache.New(svc, cache.WithClock(clk.Now), cache.WithMaxEntries(rapid.IntRange(1, 6).Draw(rt, "max entries")),
			cache.WithCheckInterval(time.Hour))
		defer c.Close()
		labels := []string{rotor.StageCurrent, rotor.StagePrevious, rotor.StagePending, "MYLABEL"}
		name := func(rt *rapid.T) string { return rapid.SampledFrom(names).Draw(rt, "secret") }

		rt.Repeat(map[string]func(*rapid.T){
			"put": func(rt *rapid.T) {
				s := name(rt)
				n++
				in := rotor.PutSecretValueInput{SecretId: s, SecretString: "v" + strconv.Itoa(n)}
				if rapid.Bool().Draw(rt, "labelled") {
					in.VersionStages = []string{rapid.SampledFrom(labels).Draw(rt, "label")}
				}
				out, err := svc.PutSecretValue(ctx, in)
				if err == nil {
					versions[s] = append(versions[s], out.VersionId)
				}
			},
			"move a label": func(rt *rapid.T) {
				s := name(rt)
				label := rapid.SampledFrom(labels).Draw(rt, "label")
				in := rotor.UpdateSecretVersionStageInput{SecretId: s, VersionStage: label,
					MoveToVersionId: rapid.SampledFrom(versions[s]).Draw(rt, "to")}
				if d, err := svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: s}); err == nil {
					for id, stages := range d.VersionIdsToStages {
						for _, l := range stages {
							if l == label {
								in.RemoveFromVersionId = id
							}
						}
					}
				}
				_, _ = svc.UpdateSecretVersionStage(ctx, in)
			},
			"delete": func(rt *rapid.T) {
				_, _ = svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: name(rt)})
			},
			"restore": func(rt *rapid.T) {
				_, _ = svc.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: name(rt)})
			},
			"move the clock": func(rt *rapid.T) {
				clk.Advance(rapid.SampledFrom([]time.Duration{time.Second, time.Hour - time.Second, time.Hour, 3 * time.Hour, 31 * 24 * time.Hour}).Draw(rt, "by"))
			},
			"refresh": func(rt *rapid.T) {
				s := name(rt)
				got, err := c.Refresh(ctx, s)
				compare(rt, "Refresh", got, err, svc, rotor.GetSecretValueInput{SecretId: s})
			},
			"": func(rt *rapid.T) { // read, and check the answer
				s := name(rt)
				in := rotor.GetSecretValueInput{SecretId: s}
				var got cache.Version
				var err error
				if rapid.Bool().Draw(rt, "by version") {
					in.VersionId = rapid.SampledFrom(versions[s]).Draw(rt, "version")
					got, err = c.GetVersion(ctx, s, in.VersionId)
				} else {
					in.VersionStage = rapid.SampledFrom(labels).Draw(rt, "stage")
					got, err = c.GetStage(ctx, s, in.VersionStage)
				}
				compare(rt, "Get", got, err, svc, in)
			},
		})
	})
}

func compare(rt *rapid.T, op string, got cache.Version, err error, svc *rotor.Service, in rotor.GetSecretValueInput) {
	want, wantErr := svc.GetSecretValue(context.Background(), in)
	var e, we *rotor.Error
	switch {
	case wantErr != nil && err != nil:
		if !errors.As(err, &e) || !errors.As(wantErr, &we) || e.Code != we.Code {
			rt.Fatalf("%s %+v: the cache failed with %v, the service with %v", op, in, err, wantErr)
		}
	case wantErr != nil:
		rt.Fatalf("%s %+v: the cache answered version %s, the service failed with %v", op, in, got.VersionID, wantErr)
	case err != nil:
		rt.Fatalf("%s %+v: the cache failed with %v, the service answered version %s", op, in, err, want.VersionId)
	case got.VersionID != want.VersionId || got.Value.Text() != want.SecretString:
		rt.Fatalf("%s %+v: the cache answered version %s, the service version %s", op, in, got.VersionID, want.VersionId)
	}
}
