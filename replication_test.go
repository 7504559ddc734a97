package rotor_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// regions is one store served in several Regions, as rotor serve serves them.
type regions struct {
	t     testing.TB
	ctx   context.Context
	store rotor.Store
	clock *fakeClock
	svc   map[string]*rotor.Service
}

func newRegions(t testing.TB, store rotor.Store, names ...string) *regions {
	r := &regions{t: t, ctx: context.Background(), store: store, clock: &fakeClock{now: epoch}, svc: map[string]*rotor.Service{}}
	random := rotor.WithRandom(newSeededReader(9))
	for _, name := range names {
		r.svc[name] = rotor.New(store, rotor.WithRegion(name), rotor.WithClock(r.clock.Now), random)
	}
	return r
}

func (r *regions) describe(region, id string) rotor.DescribeSecretOutput {
	r.t.Helper()
	d, err := r.svc[region].DescribeSecret(r.ctx, rotor.DescribeSecretInput{SecretId: id})
	require.NoError(r.t, err)
	return d
}

func (r *regions) value(region, id string) string {
	r.t.Helper()
	v, err := r.svc[region].GetSecretValue(r.ctx, rotor.GetSecretValueInput{SecretId: id})
	require.NoError(r.t, err)
	return v.SecretString
}

func TestAReplicaFollowsItsPrimary(t *testing.T) {
	r := newRegions(t, rotor.NewMemoryStore(), "us-east-1", "eu-west-1", "ap-southeast-2")
	east, west := r.svc["us-east-1"], r.svc["eu-west-1"]
	created, err := east.CreateSecret(r.ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v1", Description: "the db",
		Tags: []rotor.Tag{{Key: "team", Value: "core"}}, AddReplicaRegions: []rotor.ReplicaRegion{{Region: "eu-west-1", KmsKeyId: "alias/eu"}}})
	require.NoError(t, err)
	require.Len(t, created.ReplicationStatus, 1)
	assert.Equal(t, rotor.ReplicationStatusEntry{Region: "eu-west-1", KmsKeyId: "alias/eu", Status: rotor.ReplicaInProgress}, created.ReplicationStatus[0],
		"the answer comes before the replication, as on AWS")

	replicaARN := strings.Replace(created.ARN, "us-east-1", "eu-west-1", 1)
	t.Run("the replica has the primary's name, suffix, versions, labels, value and metadata", func(t *testing.T) {
		p, c := r.describe("us-east-1", "db"), r.describe("eu-west-1", "db")
		assert.Equal(t, replicaARN, c.ARN)
		assert.Equal(t, p.VersionIdsToStages, c.VersionIdsToStages)
		assert.Equal(t, "the db", c.Description)
		assert.Equal(t, p.Tags, c.Tags)
		assert.Equal(t, "alias/eu", c.KmsKeyId, "encrypted under its own Region's key")
		assert.Equal(t, "us-east-1", c.PrimaryRegion)
		assert.Equal(t, "us-east-1", p.PrimaryRegion)
		assert.Equal(t, "v1", r.value("eu-west-1", replicaARN))
		require.Len(t, p.ReplicationStatus, 1)
		assert.Equal(t, rotor.ReplicaInSync, p.ReplicationStatus[0].Status)
	})
	t.Run("every change of the primary reaches it", func(t *testing.T) {
		_, err := east.PutSecretValue(r.ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "v2"})
		require.NoError(t, err)
		_, err = east.TagResource(r.ctx, rotor.TagResourceInput{SecretId: "db", Tags: []rotor.Tag{{Key: "env", Value: "prod"}}})
		require.NoError(t, err)
		assert.Equal(t, "v2", r.value("eu-west-1", "db"))
		assert.Equal(t, r.describe("us-east-1", "db").VersionIdsToStages, r.describe("eu-west-1", "db").VersionIdsToStages)
		assert.Len(t, r.describe("eu-west-1", "db").Tags, 2)
	})
	t.Run("a replica takes no write of its own", func(t *testing.T) {
		const msg = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
		for name, write := range map[string]func() error{
			"PutSecretValue": func() error {
				_, err := west.PutSecretValue(r.ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "x"})
				return err
			},
			"UpdateSecret": func() error {
				_, err := west.UpdateSecret(r.ctx, rotor.UpdateSecretInput{SecretId: "db", Description: ptr("x")})
				return err
			},
			"TagResource": func() error {
				_, err := west.TagResource(r.ctx, rotor.TagResourceInput{SecretId: "db", Tags: []rotor.Tag{{Key: "k", Value: "v"}}})
				return err
			},
			"DeleteSecret": func() error {
				_, err := west.DeleteSecret(r.ctx, rotor.DeleteSecretInput{SecretId: "db"})
				return err
			},
			"RotateSecret": func() error {
				_, err := west.RotateSecret(r.ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN})
				return err
			},
			"ReplicateSecretToRegions": func() error {
				_, err := west.ReplicateSecretToRegions(r.ctx, rotor.ReplicateSecretToRegionsInput{SecretId: "db",
					AddReplicaRegions: []rotor.ReplicaRegion{{Region: "ap-southeast-2"}}})
				return err
			},
		} {
			e := requireCode(t, write(), rotor.CodeInvalidParameter)
			assert.Equal(t, msg, e.Message, name)
		}
		_, err := west.UpdateSecret(r.ctx, rotor.UpdateSecretInput{SecretId: "db", KmsKeyId: ptr("alias/eu-2")})
		require.NoError(t, err, "except its own encryption key")
		assert.Equal(t, "alias/eu-2", r.describe("eu-west-1", "db").KmsKeyId)
		assert.Equal(t, "alias/eu-2", r.describe("us-east-1", "db").ReplicationStatus[0].KmsKeyId)
	})
	t.Run("reads in its Region record its own last access", func(t *testing.T) {
		r.clock.Advance(48 * time.Hour)
		r.value("eu-west-1", "db")
		day := time.Date(2026, 1, 17, 0, 0, 0, 0, time.UTC)
		assert.Equal(t, day, r.describe("eu-west-1", "db").LastAccessedDate)
		assert.Equal(t, day, r.describe("us-east-1", "db").ReplicationStatus[0].LastAccessedDate)
		assert.True(t, r.describe("us-east-1", "db").LastAccessedDate.IsZero(), "the primary was not read")
		_, err := east.PutSecretValue(r.ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "v3"})
		require.NoError(t, err)
		assert.Equal(t, day, r.describe("eu-west-1", "db").LastAccessedDate, "kept when the primary changes")
	})
	t.Run("a primary with replicas cannot be deleted", func(t *testing.T) {
		_, err := east.DeleteSecret(r.ctx, rotor.DeleteSecretInput{SecretId: "db", ForceDeleteWithoutRecovery: true})
		e := requireCode(t, err, rotor.CodeInvalidParameter)
		assert.Equal(t, "You can't delete secret "+created.ARN+" that still has replica regions [eu-west-1].", e.Message)
	})
	t.Run("its own Region is no replica Region", func(t *testing.T) {
		_, err := east.ReplicateSecretToRegions(r.ctx, rotor.ReplicateSecretToRegionsInput{SecretId: "db",
			AddReplicaRegions: []rotor.ReplicaRegion{{Region: "us-east-1"}}})
		e := requireCode(t, err, rotor.CodeInvalidParameter)
		assert.Equal(t, "Invalid replica region.", e.Message)
	})
	t.Run("removing a Region deletes its replica; then the primary can go", func(t *testing.T) {
		out, err := east.RemoveRegionsFromReplication(r.ctx, rotor.RemoveRegionsFromReplicationInput{SecretId: "db", RemoveReplicaRegions: []string{"eu-west-1"}})
		require.NoError(t, err)
		assert.Empty(t, out.ReplicationStatus)
		_, err = west.DescribeSecret(r.ctx, rotor.DescribeSecretInput{SecretId: "db"})
		assert.ErrorIs(t, err, rotor.ErrResourceNotFound)
		assert.Empty(t, r.describe("us-east-1", "db").PrimaryRegion, "no longer replicated")
		_, err = east.RemoveRegionsFromReplication(r.ctx, rotor.RemoveRegionsFromReplicationInput{SecretId: "db", RemoveReplicaRegions: []string{"eu-west-1"}})
		require.NoError(t, err, "removing a Region twice is fine")
		_, err = east.DeleteSecret(r.ctx, rotor.DeleteSecretInput{SecretId: "db"})
		require.NoError(t, err)
	})
}

func TestAnExistingSecretInTheReplicaRegion(t *testing.T) {
	r := newRegions(t, rotor.NewMemoryStore(), "us-east-1", "us-east-2")
	east, east2 := r.svc["us-east-1"], r.svc["us-east-2"]
	_, err := east.CreateSecret(r.ctx, rotor.CreateSecretInput{Name: "dup", SecretString: "s1"})
	require.NoError(t, err)
	theirs, err := east2.CreateSecret(r.ctx, rotor.CreateSecretInput{Name: "dup", SecretString: "s2"})
	require.NoError(t, err)

	_, err = east.ReplicateSecretToRegions(r.ctx, rotor.ReplicateSecretToRegionsInput{SecretId: "dup", AddReplicaRegions: []rotor.ReplicaRegion{{Region: "us-east-2"}}})
	require.NoError(t, err)
	status := r.describe("us-east-1", "dup").ReplicationStatus
	require.Len(t, status, 1)
	assert.Equal(t, rotor.ReplicaFailed, status[0].Status)
	assert.Equal(t, "Replication failed: Secret name dup already exists in region us-east-2.", status[0].StatusMessage)
	assert.Equal(t, "s2", r.value("us-east-2", "dup"), "the existing secret is left untouched")

	_, err = east.RemoveRegionsFromReplication(r.ctx, rotor.RemoveRegionsFromReplicationInput{SecretId: "dup", RemoveReplicaRegions: []string{"us-east-2"}})
	require.NoError(t, err)
	assert.Equal(t, "s2", r.value("us-east-2", "dup"), "removing a failed replica deletes nothing of another")

	_, err = east.ReplicateSecretToRegions(r.ctx, rotor.ReplicateSecretToRegionsInput{SecretId: "dup",
		AddReplicaRegions: []rotor.ReplicaRegion{{Region: "us-east-2"}}, ForceOverwriteReplicaSecret: true})
	require.NoError(t, err)
	assert.Equal(t, rotor.ReplicaInSync, r.describe("us-east-1", "dup").ReplicationStatus[0].Status)
	assert.Equal(t, "s1", r.value("us-east-2", "dup"), "overwritten by the replica")
	assert.NotEqual(t, theirs.ARN, r.describe("us-east-2", "dup").ARN)
}

func TestStopReplicationToReplicaPromotesIt(t *testing.T) {
	r := newRegions(t, rotor.NewMemoryStore(), "us-east-1", "eu-west-1", "eu-central-1")
	east, west := r.svc["us-east-1"], r.svc["eu-west-1"]
	_, err := east.CreateSecret(r.ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v1",
		AddReplicaRegions: []rotor.ReplicaRegion{{Region: "eu-west-1"}, {Region: "eu-central-1"}}})
	require.NoError(t, err)

	_, err = east.StopReplicationToReplica(r.ctx, rotor.StopReplicationToReplicaInput{SecretId: "db"})
	requireCode(t, err, rotor.CodeInvalidParameter) // not a replica
	out, err := west.StopReplicationToReplica(r.ctx, rotor.StopReplicationToReplicaInput{SecretId: "db"})
	require.NoError(t, err)
	assert.Contains(t, out.ARN, ":eu-west-1:")

	_, err = west.PutSecretValue(r.ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "its own"})
	require.NoError(t, err, "a promoted replica takes writes")
	_, err = east.PutSecretValue(r.ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "v2"})
	require.NoError(t, err)
	assert.Equal(t, "its own", r.value("eu-west-1", "db"), "the primary no longer changes it")
	assert.Equal(t, "v2", r.value("eu-central-1", "db"))
	var regionsListed []string
	for _, e := range r.describe("us-east-1", "db").ReplicationStatus {
		regionsListed = append(regionsListed, e.Region)
	}
	assert.Equal(t, []string{"eu-central-1"}, regionsListed)
	assert.Empty(t, r.describe("eu-west-1", "db").PrimaryRegion)
}

// failingReplicaSaves fails saves to one Region while armed, as a server
// that dies between the primary's commit and the replica's.
type failingReplicaSaves struct {
	rotor.Store
	region string
	armed  atomic.Bool
}

func (f *failingReplicaSaves) Save(ctx context.Context, s *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	if f.armed.Load() && s.Region() == f.region {
		return 0, errors.New("the server died")
	}
	return f.Store.Save(ctx, s, expect)
}

// A change whose replication did not happen is left in the records, and a
// scheduler tick, at the primary's DueAt, finishes it.
func TestReplicationLeftBehindIsCaughtUp(t *testing.T) {
	store := &failingReplicaSaves{Store: rotor.NewMemoryStore(), region: "eu-west-1"}
	r := newRegions(t, store, "us-east-1", "eu-west-1")
	east := r.svc["us-east-1"]
	_, err := east.CreateSecret(r.ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v1",
		AddReplicaRegions: []rotor.ReplicaRegion{{Region: "eu-west-1"}}})
	require.NoError(t, err)

	store.armed.Store(true)
	_, err = east.PutSecretValue(r.ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "v2"})
	require.NoError(t, err, "the primary's change is committed")
	store.armed.Store(false)
	assert.Equal(t, "v1", r.value("eu-west-1", "db"), "the replica shows an earlier state, never a made-up one")
	assert.Equal(t, rotor.ReplicaInProgress, r.describe("us-east-1", "db").ReplicationStatus[0].Status, "the change has not reached it")

	sec, err := east.Lookup(r.ctx, "db")
	require.NoError(t, err)
	due, ok := rotor.DueAt(sec)
	require.True(t, ok, "the primary is due for its replicas")
	r.clock.Advance(due.Sub(r.clock.Now()))
	_, err = east.Runtime().Tick(r.ctx, "db")
	require.NoError(t, err)
	assert.Equal(t, "v2", r.value("eu-west-1", "db"))
	assert.Equal(t, rotor.ReplicaInSync, r.describe("us-east-1", "db").ReplicationStatus[0].Status)
	sec, err = east.Lookup(r.ctx, "db")
	require.NoError(t, err)
	_, ok = rotor.DueAt(sec)
	assert.False(t, ok, "nothing is left to do")
}

// A replica's versions and labels are always those of some state its
// primary had: whatever the changes, and whichever replications failed.
func TestPropertyAReplicaShowsOnlyStatesOfItsPrimary(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		store := &failingReplicaSaves{Store: rotor.NewMemoryStore(), region: "eu-west-1"}
		r := newRegions(t, store, "us-east-1", "eu-west-1")
		east, west := r.svc["us-east-1"], r.svc["eu-west-1"]
		_, err := east.CreateSecret(r.ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v0",
			AddReplicaRegions: []rotor.ReplicaRegion{{Region: "eu-west-1"}}})
		require.NoError(rt, err)
		seen := map[string]bool{}
		snapshot := func(svc *rotor.Service) string {
			sec, err := svc.Lookup(r.ctx, "db")
			require.NoError(rt, err)
			var parts []string
			for _, v := range sec.Versions {
				parts = append(parts, fmt.Sprintf("%s:%s:%v", v.ID, v.Value.Text(), sec.StagesOf(v.ID)))
			}
			for _, t := range sec.Tags {
				parts = append(parts, t.Key+"="+t.Value)
			}
			sort.Strings(parts)
			return strings.Join(parts, "|") + "|" + sec.Description
		}
		seen[snapshot(east)] = true
		var versions []string
		for i := range rapid.IntRange(1, 25).Draw(rt, "steps") {
			store.armed.Store(rapid.Bool().Draw(rt, "replica save fails"))
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0:
				out, err := east.PutSecretValue(r.ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: fmt.Sprint("v", i)})
				require.NoError(rt, err)
				versions = append(versions, out.VersionId)
			case 1:
				if len(versions) > 0 {
					cur, _ := east.Lookup(r.ctx, "db")
					from, _ := cur.StageVersion(rotor.StageCurrent)
					to := rapid.SampledFrom(versions).Draw(rt, "version")
					if to != from {
						_, err := east.UpdateSecretVersionStage(r.ctx, rotor.UpdateSecretVersionStageInput{SecretId: "db",
							VersionStage: rotor.StageCurrent, MoveToVersionId: to, RemoveFromVersionId: from})
						require.NoError(rt, err)
					}
				}
			case 2:
				_, err := east.TagResource(r.ctx, rotor.TagResourceInput{SecretId: "db", Tags: []rotor.Tag{{Key: "k", Value: fmt.Sprint(i)}}})
				require.NoError(rt, err)
			case 3:
				_, err := east.UpdateSecret(r.ctx, rotor.UpdateSecretInput{SecretId: "db", Description: ptr(fmt.Sprint("d", i))})
				require.NoError(rt, err)
			case 4:
				store.armed.Store(false)
				_, err := east.Runtime().Tick(r.ctx, "db")
				require.NoError(rt, err)
			}
			seen[snapshot(east)] = true
			got := snapshot(west)
			require.True(rt, seen[got], "the replica shows a state its primary never had: %s", got)
		}
		store.armed.Store(false)
		_, err = east.Runtime().Tick(r.ctx, "db")
		require.NoError(rt, err)
		require.Equal(rt, snapshot(east), snapshot(west), "caught up in the end")
	})
}
