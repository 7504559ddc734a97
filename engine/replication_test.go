package engine_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diesBeforeReplicas is a store whose server dies, while armed, after a
// primary's commit and before its replicas' saves.
type diesBeforeReplicas struct {
	rotor.Store
	primary string
	armed   atomic.Bool
}

func (d *diesBeforeReplicas) Save(ctx context.Context, s *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	if d.armed.Load() && s.Region() != d.primary {
		return 0, errors.New("the server died")
	}
	return d.Store.Save(ctx, s, expect)
}

// An engine that starts after a crash brings replicas up to date in Resume,
// without waiting for rotor.ReplicationGrace; the replicas held an earlier
// state of the primary until then.
func TestResumeCatchesUpReplicasACrashLeftBehind(t *testing.T) {
	ctx := context.Background()
	store := &diesBeforeReplicas{Store: rotor.NewMemoryStore(), primary: "us-east-1"}
	clock := &fakeClock{now: epoch}
	before := newNode(t, store, clock, 1, engine.Config{})
	_, err := before.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v1",
		AddReplicaRegions: []rotor.ReplicaRegion{{Region: "eu-west-1"}, {Region: "ap-south-1"}}})
	require.NoError(t, err)
	store.armed.Store(true)
	_, err = before.svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "v2"})
	require.NoError(t, err)
	_, err = before.svc.TagResource(ctx, rotor.TagResourceInput{SecretId: "db", Tags: []rotor.Tag{{Key: "team", Value: "core"}}})
	require.NoError(t, err)
	store.armed.Store(false)
	before.eng.Close()

	replica := func(region string) (string, int) {
		svc := rotor.New(store, rotor.WithRegion(region), rotor.WithClock(clock.Now))
		v, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db"})
		require.NoError(t, err)
		d, err := svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "db"})
		require.NoError(t, err)
		return v.SecretString, len(d.Tags)
	}
	value, tags := replica("eu-west-1")
	assert.Equal(t, "v1", value, "before the restart the replica shows the state it reached")
	assert.Zero(t, tags)

	after := newNode(t, store, clock, 2, engine.Config{})
	_, err = after.eng.Resume(ctx)
	require.NoError(t, err)
	for _, region := range []string{"eu-west-1", "ap-south-1"} {
		value, tags := replica(region)
		assert.Equal(t, "v2", value, region)
		assert.Equal(t, 1, tags, region)
	}
	d, err := after.svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "db"})
	require.NoError(t, err)
	for _, r := range d.ReplicationStatus {
		assert.Equal(t, rotor.ReplicaInSync, r.Status, r.Region)
	}
	_, due := rotor.DueAt(after.load(t, "db"))
	assert.False(t, due, "nothing is left for the scheduler")
}
