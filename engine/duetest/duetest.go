// Package duetest checks a store for the rotation engine. Run checks its
// rotor.DueLister: that ListDue returns, earliest first, exactly the secrets
// rotor.DueAt says are due, through saves that change what is due and
// deletes. RunScheduler checks that the engine's scheduler rotates a due
// secret over the store once per window. A store offering the engine an
// index of due rotations runs both with one call each:
//
//	func TestListDue(t *testing.T)  { duetest.Run(t, openMyStore(t)) }
//	func TestScheduler(t *testing.T) { duetest.RunScheduler(t, openMyStore(t)) }
package duetest

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fixtures returns secrets in every state the scheduler tells apart:
// rotation enabled with windows of several schedules, disabled, pending with
// and without a lease, given up, and scheduled for deletion.
func Fixtures(base time.Time) []*rotor.Secret {
	var out []*rotor.Secret
	add := func(name string, change func(s *rotor.Secret)) {
		s := &rotor.Secret{
			ARN:         "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-AbC123",
			Name:        name,
			CreatedDate: base.Add(-30 * 24 * time.Hour),
			Versions:    []*rotor.Version{{ID: "v1", Value: rotor.StringValue("current"), CreatedDate: base.Add(-30 * 24 * time.Hour)}},
			Stages:      []rotor.Stage{{Label: rotor.StageCurrent, VersionID: "v1"}},
		}
		change(s)
		out = append(out, s)
	}
	enable := func(rules rotor.RotationRules, next time.Time) func(*rotor.Secret) {
		return func(s *rotor.Secret) {
			s.RotationConfigured, s.RotationEnabled, s.RotationRules, s.NextRotationDate = true, true, rules, next
			s.RotationLambdaARN = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
		}
	}
	daily := rotor.RotationRules{AutomaticallyAfterDays: 1}
	for i, offset := range []time.Duration{-48 * time.Hour, -3 * time.Hour, -time.Hour, 0, time.Hour, 5 * time.Hour, 30 * time.Hour} {
		add(fmt.Sprintf("daily-%d", i), enable(daily, base.Add(offset).Add(-time.Second)))
	}
	add("hourly", enable(rotor.RotationRules{ScheduleExpression: "rate(4 hours)"}, base.Add(time.Hour-time.Second)))
	add("window-2h", enable(rotor.RotationRules{ScheduleExpression: "cron(0 16 * * ? *)", Duration: "2h"}, base.Add(30*time.Minute-time.Second)))
	add("disabled", func(s *rotor.Secret) {
		enable(daily, base.Add(-48*time.Hour))(s)
		s.RotationEnabled = false
	})
	pending := func(lease time.Time, owner string, abandoned bool, next time.Time) func(*rotor.Secret) {
		return func(s *rotor.Secret) {
			enable(daily, base.Add(24*time.Hour))(s)
			s.Versions = append(s.Versions, &rotor.Version{ID: "v2", CreatedDate: base.Add(-2 * time.Hour)})
			s.Stages = append(s.Stages, rotor.Stage{Label: rotor.StagePending, VersionID: "v2"})
			s.Rotation = &rotor.RotationState{Token: "v2", StartedAt: base.Add(-2 * time.Hour), LeaseOwner: owner, LeaseExpires: lease, Abandoned: abandoned, NextAttempt: next}
		}
	}
	add("pending-leased", pending(base.Add(time.Minute), "worker-1", false, time.Time{}))
	add("pending-lease-expired", pending(base.Add(-time.Minute), "worker-1", false, time.Time{}))
	add("pending-orphan", pending(time.Time{}, "", false, time.Time{}))
	add("given-up", pending(time.Time{}, "", true, base.Add(2*time.Hour)))
	add("deleted", func(s *rotor.Secret) {
		enable(daily, base.Add(-48*time.Hour))(s)
		s.DeletedDate, s.DeletionDate = base.Add(-time.Hour), base.Add(7*24*time.Hour)
	})
	return out
}

// Want returns the names of secrets whose rotor.DueAt is at or before
// now, earliest first, then by name.
func Want(secrets []*rotor.Secret, now time.Time) []string {
	type entry struct {
		at   time.Time
		name string
	}
	var due []entry
	for _, s := range secrets {
		if at, ok := rotor.DueAt(s); ok && !at.After(now) {
			due = append(due, entry{at, s.Name})
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].at.Equal(due[j].at) {
			return due[i].at.Before(due[j].at)
		}
		return due[i].name < due[j].name
	})
	names := []string{}
	for _, e := range due {
		names = append(names, e.name)
	}
	return names
}

// Run checks a store's ListDue against rotor.DueAt, through saves
// that change what is due and a delete.
func Run(t *testing.T, st interface {
	rotor.Store
	rotor.DueLister
}) {
	ctx := context.Background()
	base := time.Date(2024, time.March, 9, 12, 0, 0, 0, time.UTC)
	secrets := Fixtures(base)
	revs := make(map[string]rotor.Revision)
	for _, s := range secrets {
		rev, err := st.Save(ctx, s.Clone(), 0)
		require.NoError(t, err)
		revs[s.Name] = rev
	}
	listDue := func(now time.Time, limit int) []string {
		t.Helper()
		due, err := st.ListDue(ctx, "us-east-1", now, limit)
		require.NoError(t, err)
		names := []string{}
		for _, s := range due {
			names = append(names, s.Name)
		}
		return names
	}
	var sawSome, sawFewer bool
	for _, offset := range []time.Duration{-72 * time.Hour, -time.Hour, 0, 30 * time.Minute, 2 * time.Hour, 48 * time.Hour} {
		now := base.Add(offset)
		want := Want(secrets, now)
		sawSome = sawSome || len(want) > 0
		sawFewer = sawFewer || len(want) < len(secrets)
		assert.Equal(t, want, listDue(now, 1000), "due at %s", now)
		if len(want) > 2 {
			assert.Equal(t, want[:2], listDue(now, 2), "due at %s, two at most", now)
		}
	}
	require.True(t, sawSome && sawFewer, "the fixtures must make some secrets due and some not")

	// A rotation done moves the next date on; a secret deleted leaves the index.
	for i, s := range secrets {
		switch s.Name {
		case "daily-0":
			next := s.Clone()
			next.NextRotationDate = base.Add(10 * 24 * time.Hour)
			_, err := st.Save(ctx, next.Clone(), revs[s.Name])
			require.NoError(t, err)
			secrets[i] = next
		case "daily-1":
			require.NoError(t, st.Delete(ctx, "us-east-1", s.Name, revs[s.Name]))
		}
	}
	var kept []*rotor.Secret
	for _, s := range secrets {
		if s.Name != "daily-1" {
			kept = append(kept, s)
		}
	}
	now := base.Add(time.Hour)
	assert.Equal(t, Want(kept, now), listDue(now, 1000))
	assert.NotContains(t, listDue(now, 1000), "daily-0")
	due, err := st.ListDue(ctx, "eu-west-1", now, 10)
	require.NoError(t, err)
	assert.Empty(t, due, "another region has nothing due")
}
