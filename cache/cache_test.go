package cache_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/cache"
)

func TestAHitMakesNoCall(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	id := w.create(t, "app/db")
	r := &remote{api: w.svc}
	c := cache.New(r, cache.WithClock(w.clock.Now))
	defer c.Close()

	v, err := c.Get(ctx, "app/db")
	require.NoError(t, err)
	assert.Equal(t, "v1", v.Value.Text())
	assert.Equal(t, id, v.VersionID)
	assert.Equal(t, "app/db", v.Name)
	gets, describes := r.calls()
	for range 10 {
		_, err := c.Get(ctx, "app/db")
		require.NoError(t, err)
	}
	gets2, describes2 := r.calls()
	assert.Equal(t, gets, gets2, "GetSecretValue calls")
	assert.Equal(t, describes, describes2, "DescribeSecret calls")
}

func TestABinarySecretKeepsItsBytes(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	_, err := w.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app/key", SecretBinary: []byte{0, 1, 2, 255}})
	require.NoError(t, err)
	c := cache.New(w.svc)
	defer c.Close()
	for range 2 {
		v, err := c.Get(ctx, "app/key")
		require.NoError(t, err)
		assert.True(t, v.Value.IsBinary())
		assert.Equal(t, []byte{0, 1, 2, 255}, v.Value.Bytes())
		v.Value.Bytes()[0] = 9 // a copy: the cached value stays
	}
}

func TestLookupsByStageAndVersion(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	first := w.create(t, "app/db")
	second := w.put(t, "app/db")
	c := cache.New(w.svc, cache.WithClock(w.clock.Now))
	defer c.Close()

	tests := []struct {
		name    string
		get     func() (cache.Version, error)
		want    string
		version string
		err     error
	}{
		{"Get reads AWSCURRENT", func() (cache.Version, error) { return c.Get(ctx, "app/db") }, "v2", second, nil},
		{"an empty stage is AWSCURRENT", func() (cache.Version, error) { return c.GetStage(ctx, "app/db", "") }, "v2", second, nil},
		{"a stage reads the version it labels", func() (cache.Version, error) { return c.GetStage(ctx, "app/db", "AWSPREVIOUS") }, "v1", first, nil},
		{"a version id reads that version", func() (cache.Version, error) { return c.GetVersion(ctx, "app/db", first) }, "v1", first, nil},
		{"a stage on no version is ResourceNotFound", func() (cache.Version, error) { return c.GetStage(ctx, "app/db", "AWSPENDING") }, "", "", rotor.ErrResourceNotFound},
		{"an unknown version id is ResourceNotFound", func() (cache.Version, error) {
			return c.GetVersion(ctx, "app/db", "00000000-0000-4000-8000-000000000000")
		}, "", "", rotor.ErrResourceNotFound},
		{"an empty version id is InvalidParameter", func() (cache.Version, error) { return c.GetVersion(ctx, "app/db", "") }, "", "", rotor.ErrInvalidParameter},
		{"an unknown secret is ResourceNotFound", func() (cache.Version, error) { return c.Get(ctx, "app/none") }, "", "", rotor.ErrResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // a miss, then a hit
				v, err := tt.get()
				if tt.err != nil {
					assert.ErrorIs(t, err, tt.err)
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, v.Value.Text())
				assert.Equal(t, tt.version, v.VersionID)
			}
		})
	}
}

// In-process, every change that commits drops the entry before the
// operation returns, with the clock standing still: no check is ever due.
func TestInProcessAChangeIsServedAsSoonAsItCommits(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(t *testing.T, w *world) // returns with the change committed
		want   string
		err    error
	}{
		{"PutSecretValue", func(t *testing.T, w *world) { w.put(t, "app/db") }, "v2", nil},
		{"a rotation", func(t *testing.T, w *world) { w.rotate(t, "app/db", nil) }, "v2", nil},
		{"UpdateSecretVersionStage moving AWSCURRENT back", func(t *testing.T, w *world) {
			first, err := w.svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "app/db"})
			require.NoError(t, err)
			second := w.put(t, "app/db")
			_, err = w.svc.UpdateSecretVersionStage(ctx, rotor.UpdateSecretVersionStageInput{
				SecretId: "app/db", VersionStage: "AWSCURRENT", MoveToVersionId: first.VersionId, RemoveFromVersionId: second})
			require.NoError(t, err)
		}, "v1", nil},
		{"DeleteSecret with a recovery window", func(t *testing.T, w *world) {
			_, err := w.svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "app/db"})
			require.NoError(t, err)
		}, "", rotor.ErrInvalidRequest},
		{"DeleteSecret without recovery", func(t *testing.T, w *world) {
			_, err := w.svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "app/db", ForceDeleteWithoutRecovery: true})
			require.NoError(t, err)
		}, "", rotor.ErrResourceNotFound},
		{"deleted, then created again under the same name", func(t *testing.T, w *world) {
			_, err := w.svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "app/db", ForceDeleteWithoutRecovery: true})
			require.NoError(t, err)
			w.create(t, "app/db")
		}, "v2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.create(t, "app/db")
			c := cache.New(w.svc, cache.WithClock(w.clock.Now))
			defer c.Close()
			arn, err := w.svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "app/db"})
			require.NoError(t, err)
			ids := []string{"app/db", arn.ARN, strings.TrimSuffix(arn.ARN, arn.ARN[len(arn.ARN)-7:])}
			for _, id := range ids {
				assert.Equal(t, "v1", value(t)(c.Get(ctx, id)), id)
			}

			tt.change(t, w)
			for _, id := range ids[:1] {
				v, err := c.Get(ctx, id)
				if tt.err != nil {
					assert.ErrorIs(t, err, tt.err, id)
					continue
				}
				require.NoError(t, err, id)
				assert.Equal(t, tt.want, v.Value.Text(), id)
			}
			if tt.err != nil { // the ARN and partial ARN entries went too
				for _, id := range ids[1:] {
					_, err := c.Get(ctx, id)
					assert.Error(t, err, id)
				}
			}
		})
	}
}

// Readers racing rotations never see a value older than the last rotation
// that had returned before their Get began: the entry goes at the commit,
// and a read in flight across the commit is not kept. With the clock
// standing still no check ever helps; with the real clock and a 1 ms
// interval, checks run all the time alongside. Run with -race.
func TestInProcessNeverServesTheOldValueAfterACommit(t *testing.T) {
	frozen := newClock()
	tests := []struct {
		name string
		opts []cache.Option
	}{
		{"the clock stands still", []cache.Option{cache.WithClock(frozen.Now)}},
		{"checks run all the time", []cache.Option{cache.WithCheckInterval(time.Millisecond)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { neverOld(t, tt.opts) })
	}
}

func neverOld(t *testing.T, opts []cache.Option) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	c := cache.New(w.svc, opts...)
	defer c.Close()
	rotations := 150
	if testing.Short() {
		rotations = 30
	}

	var committed sync.Map // "latest" → the value of the last finished rotation
	committed.Store("latest", int64(1))
	stop := make(chan struct{})
	var readers sync.WaitGroup
	defer func() {
		close(stop)
		readers.Wait()
	}()
	for range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				before, _ := committed.Load("latest")
				v, err := c.Get(ctx, "app/db")
				if !assert.NoError(t, err) {
					return
				}
				got, err := strconv.ParseInt(strings.TrimPrefix(v.Value.Text(), "v"), 10, 64)
				require.NoError(t, err)
				if got < before.(int64) {
					t.Errorf("Get answered v%d after the rotation to v%d had returned", got, before)
					return
				}
			}
		}()
	}
	for i := range rotations {
		w.clock.Advance(25 * time.Hour) // so that old versions may go
		if i == 0 {
			w.rotate(t, "app/db", nil)
		} else {
			_, err := w.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "app/db"})
			require.NoError(t, err)
		}
		committed.Store("latest", w.next.Load())
	}
	assert.Equal(t, "v"+strconv.Itoa(rotations+1), value(t)(c.Get(ctx, "app/db")))
}

// Remotely the cache learns of a change by a check: one DescribeSecret
// when the interval has passed, and a GetSecretValue only when the label
// moved.
func TestRemoteChecksWithDescribeAndRereadsOnlyWhenTheVersionMoved(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	r := &remote{api: w.svc}
	c := cache.New(r, cache.WithClock(w.clock.Now), cache.WithCheckInterval(time.Minute))
	defer c.Close()

	steps := []struct {
		name            string
		do              func()
		want            string
		gets, describes int64
	}{
		{"a miss reads the value and describes the secret", func() {}, "v1", 1, 1},
		{"a hit calls nothing", func() { w.clock.Advance(time.Minute - time.Millisecond) }, "v1", 1, 1},
		{"an unchanged secret costs one DescribeSecret", func() { w.clock.Advance(time.Millisecond) }, "v1", 1, 2},
		{"a change is not seen before the check", func() { w.put(t, "app/db"); w.clock.Advance(30 * time.Second) }, "v1", 1, 2},
		{"the check sees the label moved and reads the value", func() { w.clock.Advance(30 * time.Second) }, "v2", 2, 3},
		{"then hits again", func() { w.clock.Advance(59 * time.Second) }, "v2", 2, 3},
	}
	for _, s := range steps {
		s.do()
		assert.Equal(t, s.want, value(t)(c.Get(ctx, "app/db")), s.name)
		gets, describes := r.calls()
		assert.Equal(t, s.gets, gets, "%s: GetSecretValue calls", s.name)
		assert.Equal(t, s.describes, describes, "%s: DescribeSecret calls", s.name)
	}
}

func TestRemoteChecksNoLaterThanNextRotationDate(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	w.rotate(t, "app/db", &rotor.RotationRules{ScheduleExpression: "rate(4 hours)"})
	d, err := w.svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "app/db"})
	require.NoError(t, err)
	require.True(t, d.NextRotationDate.Before(w.clock.Now().Add(5*time.Hour)), "next rotation %v", d.NextRotationDate)

	r := &remote{api: w.svc}
	c := cache.New(r, cache.WithClock(w.clock.Now), cache.WithCheckInterval(24*time.Hour))
	defer c.Close()
	assert.Equal(t, "v2", value(t)(c.Get(ctx, "app/db")))

	w.clock.Set(d.NextRotationDate.Add(-time.Second))
	w.rotate(t, "app/db", nil) // the scheduled rotation, a little early
	assert.Equal(t, "v2", value(t)(c.Get(ctx, "app/db")), "checked before NextRotationDate")
	w.clock.Set(d.NextRotationDate)
	assert.Equal(t, "v3", value(t)(c.Get(ctx, "app/db")), "not checked at NextRotationDate")
}

// errUnreachable is a failure that is no answer: the network's.
var errUnreachable = errors.New("dial tcp 10.0.0.1:443: connect: connection refused")

func TestAFailedCheckServesTheLastGoodValueForABoundedTime(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
		// keeps: the last good value is served for MaxStale; otherwise
		// the entry goes and the Get fails.
		keeps bool
	}{
		{"an unreachable API keeps it", errUnreachable, true},
		{"InternalServiceError keeps it", &rotor.Error{Code: rotor.CodeInternalServiceError, Message: "The store failed."}, true},
		{"throttling keeps it", &rotor.Error{Code: "ThrottlingException", Message: "Rate exceeded"}, true},
		{"a deadline keeps it", context.DeadlineExceeded, true},
		{"ResourceNotFound drops it", &rotor.Error{Code: rotor.CodeResourceNotFound, Message: "Secrets Manager can't find the specified secret."}, false},
		{"AccessDenied drops it", &rotor.Error{Code: rotor.CodeAccessDenied, Message: "not authorized"}, false},
		{"DecryptionFailure drops it", &rotor.Error{Code: rotor.CodeDecryptionFailure, Message: "can't decrypt"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.create(t, "app/db")
			r := &remote{api: w.svc}
			var reported []error
			var mu sync.Mutex
			c := cache.New(r, cache.WithClock(w.clock.Now), cache.WithCheckInterval(time.Minute),
				cache.WithMaxStale(10*time.Minute), cache.WithRetryInterval(5*time.Second),
				cache.WithErrorHandler(func(id string, err error) {
					mu.Lock()
					defer mu.Unlock()
					assert.Equal(t, "app/db", id)
					reported = append(reported, err)
				}))
			defer c.Close()
			start := w.clock.Now()
			assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))

			r.failWith(tt.err)
			w.clock.Set(start.Add(time.Minute))
			if !tt.keeps {
				_, err := c.Get(ctx, "app/db")
				assert.ErrorIs(t, err, tt.err)
				r.failWith(nil)
				gets, _ := r.calls()
				assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
				gets2, _ := r.calls()
				assert.Equal(t, gets+1, gets2, "the entry was dropped: the value is read again")
				assert.Empty(t, reported)
				return
			}
			assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")), "served although the check failed")
			_, describes := r.calls()
			w.clock.Advance(4 * time.Second)
			assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
			_, d := r.calls()
			assert.Equal(t, describes, d, "retried before the retry interval")
			w.clock.Advance(time.Second)
			assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
			_, d = r.calls()
			assert.Equal(t, describes+1, d, "not retried after the retry interval")
			w.clock.Set(start.Add(11*time.Minute - time.Millisecond))
			assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")), "MaxStale after the check was due")
			w.clock.Set(start.Add(11 * time.Minute))
			_, err := c.Get(ctx, "app/db")
			assert.ErrorIs(t, err, tt.err, "served past MaxStale")
			mu.Lock()
			assert.Len(t, reported, 3, "each failed check is reported once")
			for _, e := range reported {
				assert.ErrorIs(t, e, tt.err)
			}
			mu.Unlock()

			r.failWith(nil)
			assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")), "recovers once the API answers")
		})
	}
}

func TestWithoutMaxStaleAFailedCheckFailsTheGet(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	r := &remote{api: w.svc}
	c := cache.New(r, cache.WithClock(w.clock.Now), cache.WithCheckInterval(time.Minute), cache.WithMaxStale(0))
	defer c.Close()
	assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
	r.failWith(errUnreachable)
	w.clock.Advance(time.Minute)
	_, err := c.Get(ctx, "app/db")
	assert.ErrorIs(t, err, errUnreachable)
}

// A caller whose login failed calls Refresh: the value is read at once; if
// that fails, the last good value goes on being served, and the error is
// reported.
func TestRefresh(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	r := &remote{api: w.svc}
	var reported []error
	c := cache.New(r, cache.WithClock(w.clock.Now), cache.WithCheckInterval(time.Hour),
		cache.WithErrorHandler(func(_ string, err error) { reported = append(reported, err) }))
	defer c.Close()
	assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
	assert.Equal(t, "v1", value(t)(c.GetStage(ctx, "app/db", "AWSCURRENT")))
	w.put(t, "app/db")
	assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")), "no check is due")

	v, err := c.Refresh(ctx, "app/db")
	require.NoError(t, err)
	assert.Equal(t, "v2", v.Value.Text())
	gets, _ := r.calls()
	assert.Equal(t, "v2", value(t)(c.Get(ctx, "app/db")), "Refresh updated the entry")
	gets2, _ := r.calls()
	assert.Equal(t, gets, gets2)

	w.put(t, "app/db")
	r.failWith(errUnreachable)
	_, err = c.Refresh(ctx, "app/db")
	assert.ErrorIs(t, err, errUnreachable)
	assert.Equal(t, []error{errUnreachable}, reported)
	assert.Equal(t, "v2", value(t)(c.Get(ctx, "app/db")), "the last good value is still served")
	r.failWith(nil)
	w.clock.Advance(cache.DefaultRetryInterval)
	assert.Equal(t, "v3", value(t)(c.Get(ctx, "app/db")), "a failed Refresh is retried by the next Get")
}

func TestTheLeastRecentlyUsedEntryIsEvicted(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	for _, name := range []string{"a", "b", "c"} {
		w.create(t, name)
	}
	r := &remote{api: w.svc}
	c := cache.New(r, cache.WithClock(w.clock.Now), cache.WithMaxEntries(2))
	defer c.Close()
	read := func(name string) (calls int64) {
		before, _ := r.calls()
		_, err := c.Get(ctx, name)
		require.NoError(t, err)
		after, _ := r.calls()
		return after - before
	}
	steps := []struct {
		name  string
		calls int64
	}{
		{"a", 1}, {"b", 1}, {"a", 0}, // a is now the most recently used
		{"c", 1},           // evicts b
		{"a", 0}, {"c", 0}, // kept
		{"b", 1}, // read again; evicts a
		{"a", 1},
	}
	for i, s := range steps {
		assert.Equal(t, s.calls, read(s.name), "step %d: Get(%s)", i, s.name)
	}
}

func TestASecretScheduledForDeletion(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		remote bool
	}{{"in-process", false}, {"remote", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.create(t, "app/db")
			var api cache.API = w.svc
			if tt.remote {
				api = &remote{api: w.svc}
			}
			c := cache.New(api, cache.WithClock(w.clock.Now), cache.WithCheckInterval(time.Minute))
			defer c.Close()
			assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
			_, err := w.svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "app/db", RecoveryWindowInDays: ptr(int64(7))})
			require.NoError(t, err)
			if tt.remote {
				assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")), "not checked yet")
				w.clock.Advance(time.Minute)
			}
			_, err = c.Get(ctx, "app/db")
			assert.ErrorIs(t, err, rotor.ErrInvalidRequest, "a secret scheduled for deletion cannot be read")
			_, err = c.Get(ctx, "app/db")
			assert.ErrorIs(t, err, rotor.ErrInvalidRequest, "the failure is not cached, nor the old value")

			_, err = w.svc.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: "app/db"})
			require.NoError(t, err)
			assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")), "restored")
		})
	}
}

// No formatting of a Version, and no error, shows a value.
func TestAValueNeverPrints(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	_, err := w.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app/db", SecretString: "hunter2-s3cret"})
	require.NoError(t, err)
	c := cache.New(w.svc)
	defer c.Close()
	v, err := c.Get(ctx, "app/db")
	require.NoError(t, err)
	require.Equal(t, "hunter2-s3cret", v.Value.Text())

	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("got", "version", v)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("got", "version", v)
	printed := fmt.Sprintf("%v %+v %#v %s %q %x", v, v, v, v, v, v) + logs.String()
	assert.NotContains(t, printed, "hunter2")
	assert.NotContains(t, printed, hex("hunter2"))
	assert.Contains(t, printed, v.VersionID)

	_, err = c.GetVersion(ctx, "app/db", "00000000-0000-4000-8000-000000000000")
	require.Error(t, err)
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), "hunter2")
}

func hex(s string) string { return fmt.Sprintf("%x", s) }

func TestClose(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	c := cache.New(w.svc)
	_, err := c.Get(ctx, "app/db")
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "a second Close")
	_, err = c.Get(ctx, "app/db")
	assert.ErrorIs(t, err, cache.ErrClosed)
	_, err = c.Refresh(ctx, "app/db")
	assert.ErrorIs(t, err, cache.ErrClosed)
	w.put(t, "app/db") // the service still calls the subscription: it must do nothing
}

// With the real clock, timers mark entries due (a hit reads no clock).
func TestWithTheRealClockAnEntryIsCheckedWhenItsIntervalEnds(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	r := &remote{api: w.svc}
	c := cache.New(r, cache.WithCheckInterval(20*time.Millisecond))
	defer c.Close()
	assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
	w.put(t, "app/db")
	deadline := time.Now().Add(10 * time.Second)
	for value(t)(c.Get(ctx, "app/db")) != "v2" {
		require.True(t, time.Now().Before(deadline), "still v1 long after the check interval")
		time.Sleep(time.Millisecond)
	}
	_, describes := r.calls()
	assert.GreaterOrEqual(t, describes, int64(2))
}

// describeDenied is a caller whose policy allows GetSecretValue only.
type describeDenied struct{ remote }

func (d *describeDenied) DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	d.describes.Add(1)
	return rotor.DescribeSecretOutput{}, &rotor.Error{Code: rotor.CodeAccessDenied, Message: "not authorized to perform: secretsmanager:DescribeSecret"}
}

func TestACallerThatMayNotDescribeChecksByReadingTheValue(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	d := &describeDenied{remote{api: w.svc}}
	c := cache.New(d, cache.WithClock(w.clock.Now), cache.WithCheckInterval(time.Minute))
	defer c.Close()
	assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
	w.clock.Advance(time.Minute)
	assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
	w.put(t, "app/db")
	w.clock.Advance(time.Minute)
	assert.Equal(t, "v2", value(t)(c.Get(ctx, "app/db")))
	gets, _ := d.calls()
	assert.Equal(t, int64(3), gets)
}

// A check that learnt the label moved never serves the old value, even
// when reading the new one fails for a reason that may pass.
func TestACheckThatSawTheLabelMoveNeverServesTheOldValue(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "app/db")
	r := &remote{api: w.svc}
	c := cache.New(r, cache.WithClock(w.clock.Now), cache.WithCheckInterval(time.Minute))
	defer c.Close()
	assert.Equal(t, "v1", value(t)(c.Get(ctx, "app/db")))
	w.put(t, "app/db")
	r.mu.Lock()
	r.failGets = errUnreachable
	r.mu.Unlock()
	w.clock.Advance(time.Minute)
	_, err := c.Get(ctx, "app/db")
	assert.ErrorIs(t, err, errUnreachable)
	_, err = c.Get(ctx, "app/db")
	assert.ErrorIs(t, err, errUnreachable, "the old value came back")
	r.mu.Lock()
	r.failGets = nil
	r.mu.Unlock()
	assert.Equal(t, "v2", value(t)(c.Get(ctx, "app/db")))
}

func TestStatsCountWhatTheCacheDid(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.create(t, "a")
	w.create(t, "b")
	r := &remote{api: w.svc}
	c := cache.New(r, cache.WithClock(w.clock.Now), cache.WithCheckInterval(time.Minute), cache.WithMaxEntries(1))
	defer c.Close()
	value(t)(c.Get(ctx, "a")) // a miss: a read and a describe
	value(t)(c.Get(ctx, "a")) // a hit
	w.clock.Advance(time.Minute)
	value(t)(c.Get(ctx, "a")) // a check: a describe
	value(t)(c.Get(ctx, "b")) // a miss, evicting a
	_, err := c.Get(ctx, "none")
	require.Error(t, err)
	assert.Equal(t, cache.Stats{Hits: 1, Misses: 4, Describes: 3, Reads: 3, Failures: 1, Evictions: 1, Entries: 1}, c.Stats())
}
