package rotor_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// beforeSave runs a callback before the next Save reaches the store, once.
type beforeSave struct {
	rotor.Store
	once sync.Once
	hook func()
}

func (b *beforeSave) Save(ctx context.Context, s *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	if b.hook != nil {
		b.once.Do(b.hook)
	}
	return b.Store.Save(ctx, s, expect)
}

// kinds records the kinds of the events a service emits.
func kinds(svc *rotor.Service) *[]rotor.EventKind {
	var mu sync.Mutex
	var got []rotor.EventKind
	svc.Subscribe(func(ev rotor.Event) {
		mu.Lock()
		got = append(got, ev.Kind)
		mu.Unlock()
	})
	return &got
}

func TestAnEventReportsACommittedChangeOnce(t *testing.T) {
	ctx := context.Background()
	t.Run("a restore that another server made first reports nothing", func(t *testing.T) {
		mem := rotor.NewMemoryStore()
		store := &beforeSave{Store: mem}
		here := rotor.New(store)
		other := rotor.New(mem)
		_, err := here.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v"})
		require.NoError(t, err)
		_, err = here.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "db"})
		require.NoError(t, err)
		seen := kinds(here)
		store.hook = func() {
			// The other server restores between this one's read and save.
			_, err := other.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: "db"})
			require.NoError(t, err)
		}
		_, err = here.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: "db"})
		require.NoError(t, err)
		assert.Empty(t, *seen, "the restore this server tried was not the one committed")
	})
	t.Run("removing a resource policy that is not there reports nothing", func(t *testing.T) {
		svc := rotor.New(rotor.NewMemoryStore())
		_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v"})
		require.NoError(t, err)
		seen := kinds(svc)
		_, err = svc.DeleteResourcePolicy(ctx, rotor.DeleteResourcePolicyInput{SecretId: "db"})
		require.NoError(t, err)
		assert.Empty(t, *seen)
		_, err = svc.PutResourcePolicy(ctx, rotor.PutResourcePolicyInput{SecretId: "db",
			ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`})
		require.NoError(t, err)
		_, err = svc.DeleteResourcePolicy(ctx, rotor.DeleteResourcePolicyInput{SecretId: "db"})
		require.NoError(t, err)
		assert.Equal(t, []rotor.EventKind{rotor.EventUpdated, rotor.EventUpdated}, *seen)
	})
	t.Run("cancelling a rotation that is off reports nothing", func(t *testing.T) {
		svc := rotor.New(rotor.NewMemoryStore())
		_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v"})
		require.NoError(t, err)
		seen := kinds(svc)
		out, err := svc.CancelRotateSecret(ctx, rotor.CancelRotateSecretInput{SecretId: "db"})
		require.NoError(t, err)
		assert.Empty(t, out.VersionId)
		assert.Empty(t, *seen)
	})
}

func TestAnEventCarriesEveryLabelAfterTheChange(t *testing.T) {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	var got []rotor.Event
	svc.Subscribe(func(ev rotor.Event) { got = append(got, ev) })
	created, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "one"})
	require.NoError(t, err)
	put, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "two"})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, []rotor.Stage{{Label: rotor.StageCurrent, VersionID: created.VersionId}}, got[0].Labels)
	assert.Equal(t, []rotor.Stage{
		{Label: rotor.StageCurrent, VersionID: put.VersionId},
		{Label: rotor.StagePrevious, VersionID: created.VersionId},
	}, got[1].Labels, "AWSPREVIOUS, which followed AWSCURRENT, is reported where it went")
}

// TestSubscribeWhileTheServiceIsInUse subscribes while other goroutines
// write (the race detector watches), and every subscriber hears each change
// committed after its Subscribe returned.
func TestSubscribeWhileTheServiceIsInUse(t *testing.T) {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "busy", SecretString: "v0"})
	require.NoError(t, err)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int32
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = svc.TagResource(ctx, rotor.TagResourceInput{SecretId: "busy", Tags: []rotor.Tag{{Key: fmt.Sprint("w", w), Value: fmt.Sprint(i)}}})
				writes.Add(1)
			}
		}()
	}
	var heard [20]atomic.Int32
	for i := range heard {
		// Each subscription lands among writes that emit.
		for n := writes.Load(); writes.Load() < n+2; {
			runtime.Gosched()
		}
		svc.Subscribe(func(ev rotor.Event) {
			if ev.Kind == rotor.EventValuePut {
				heard[i].Add(1)
			}
		})
	}
	close(stop)
	wg.Wait()
	_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "busy", SecretString: "after"})
	require.NoError(t, err)
	for i := range heard {
		assert.Equal(t, int32(1), heard[i].Load(), "subscriber %d", i)
	}
}
