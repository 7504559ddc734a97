package rotor

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// ReplicationGrace is how long after a primary's change its replicas may lag
// before a scheduler tick (package engine) brings them up to date: the
// server that made the change does it at once, and the tick finishes what a
// crash left.
const ReplicationGrace = time.Minute

// ReplicateSecretToRegionsInput is the input of ReplicateSecretToRegions.
type ReplicateSecretToRegionsInput struct {
	// SecretId is the primary's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// AddReplicaRegions are the Regions to replicate to, at least one; not
	// the secret's own Region.
	AddReplicaRegions []ReplicaRegion
	// ForceOverwriteReplicaSecret replaces a secret of the same name found
	// in a Region; without it, that replica fails and the secret stays.
	ForceOverwriteReplicaSecret bool
}

// ReplicateSecretToRegionsOutput is the output of ReplicateSecretToRegions.
type ReplicateSecretToRegionsOutput struct {
	ARN               string
	ReplicationStatus []ReplicationStatusEntry
}

// ReplicateSecretToRegions replicates a secret to other Regions of its
// account. It answers at once, each new replica InProgress, as AWS does; the
// replicas are then written, each InSync once it holds the primary's state,
// or Failed with a StatusMessage (a secret of that name already exists in
// the Region without ForceOverwriteReplicaSecret, and is left untouched; or
// the replica's key cannot seal it). Every later change of the primary
// reaches its replicas.
func (s *Service) ReplicateSecretToRegions(ctx context.Context, in ReplicateSecretToRegionsInput) (ReplicateSecretToRegionsOutput, error) {
	if err := validateReplicaRegions(in.AddReplicaRegions); err != nil {
		return ReplicateSecretToRegionsOutput{}, err
	}
	var status []ReplicationStatusEntry
	sec, _, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := sec.addReplicas(in.AddReplicaRegions, in.ForceOverwriteReplicaSecret, s.now()); err != nil {
			return err
		}
		status = sec.replicationStatus(nil) // as committed: the answer AWS gives
		return nil
	})
	if err != nil {
		return ReplicateSecretToRegionsOutput{}, err
	}
	return ReplicateSecretToRegionsOutput{ARN: sec.ARN, ReplicationStatus: status}, nil
}

// RemoveRegionsFromReplicationInput is the input of
// RemoveRegionsFromReplication.
type RemoveRegionsFromReplicationInput struct {
	// SecretId is the primary's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// RemoveReplicaRegions are the Regions whose replicas go, at least one.
	// Regions that have none are fine.
	RemoveReplicaRegions []string
}

// RemoveRegionsFromReplicationOutput is the output of
// RemoveRegionsFromReplication: the replicas that remain.
type RemoveRegionsFromReplicationOutput struct {
	ARN               string
	ReplicationStatus []ReplicationStatusEntry
}

// RemoveRegionsFromReplication deletes the replicas of the Regions named,
// at once. A primary without replicas is a secret of its own again (it may
// be deleted).
func (s *Service) RemoveRegionsFromReplication(ctx context.Context, in RemoveRegionsFromReplicationInput) (RemoveRegionsFromReplicationOutput, error) {
	if len(in.RemoveReplicaRegions) == 0 {
		return RemoveRegionsFromReplicationOutput{}, lengthError("[]", "removeReplicaRegions", 1, 1<<30, 0)
	}
	for i, r := range in.RemoveReplicaRegions {
		if err := validateRegion(r, fmt.Sprintf("removeReplicaRegions.%d.member", i+1)); err != nil {
			return RemoveRegionsFromReplicationOutput{}, err
		}
	}
	if _, _, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		return sec.removeReplicas(in.RemoveReplicaRegions, s.now())
	}); err != nil {
		return RemoveRegionsFromReplicationOutput{}, err
	}
	sec, _, err := s.find(ctx, in.SecretId) // as the replicator left it
	if err != nil {
		return RemoveRegionsFromReplicationOutput{}, err
	}
	return RemoveRegionsFromReplicationOutput{ARN: sec.ARN, ReplicationStatus: s.replicationStatus(ctx, sec)}, nil
}

// StopReplicationToReplicaInput is the input of StopReplicationToReplica.
type StopReplicationToReplicaInput struct {
	// SecretId names the replica, in its own Region: its name, complete ARN
	// or partial ARN, 1–2048 characters.
	SecretId string
}

// StopReplicationToReplicaOutput is the output of StopReplicationToReplica.
type StopReplicationToReplicaOutput struct {
	ARN string
}

// StopReplicationToReplica, called in a replica's Region, makes the replica a
// secret of its own: it takes writes, and its primary no longer lists it or
// changes it.
func (s *Service) StopReplicationToReplica(ctx context.Context, in StopReplicationToReplicaInput) (StopReplicationToReplicaOutput, error) {
	var primaryRegion string
	sec, _, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		primaryRegion = sec.PrimaryRegion
		return sec.promote(s.now())
	})
	if err != nil {
		return StopReplicationToReplicaOutput{}, err
	}
	// The primary drops its entry; if this fails, its replicator does it
	// when it next finds the secret no longer its replica.
	s.recordOnPrimary(ctx, primaryRegion, sec.Name, 0, []replicated{{region: sec.Region(), w: replicaWrite{promoted: true}}})
	s.emit(Event{Kind: EventUpdated, ARN: sec.ARN, Name: sec.Name, Time: sec.LastChangedDate})
	return StopReplicationToReplicaOutput{ARN: sec.ARN}, nil
}

// replicate brings the lagging replicas of primary to its state: each
// replica is written whole from primary (see decideReplica), under the
// replica's own revision, then the outcome is recorded on the primary. A
// store that fails leaves the replica lagging, for the next change or the
// next scheduler tick to finish.
func (s *Service) replicate(ctx context.Context, primary *Secret, since time.Time) {
	var done []replicated
	for _, r := range primary.lagging() {
		w, failure, err := s.replicateOne(ctx, primary, r, since)
		if err != nil {
			continue
		}
		done = append(done, replicated{r.Region, w, failure})
	}
	if len(done) > 0 {
		s.recordOnPrimary(ctx, primary.Region(), primary.Name, primary.Generation, done)
	}
}

// replicated is the replicator's outcome for the replica in region.
type replicated struct {
	region  string
	w       replicaWrite
	failure string
}

// replicateOne carries out decideReplica for replica r of primary. failure
// is why the replica's store refused it (its key is missing, say).
func (s *Service) replicateOne(ctx context.Context, primary *Secret, r Replica, since time.Time) (replicaWrite, string, error) {
	for attempt := 0; ; attempt++ {
		current, rev, err := s.store.Load(ctx, r.Region, primary.Name)
		if errors.Is(err, ErrStoreNotFound) {
			current, rev = nil, 0
		} else if err != nil {
			return replicaWrite{}, "", err
		}
		w := decideReplica(primary, r, current)
		switch {
		case w.delete:
			err = s.store.Delete(ctx, r.Region, primary.Name, rev)
			if errors.Is(err, ErrStoreNotFound) {
				err = nil
			}
		case w.want != nil:
			_, err = s.store.Save(ctx, w.want, rev)
		default:
			return w, "", nil
		}
		var e *Error
		switch {
		case err == nil:
			arn := replicaARN(primary.ARN, r.Region)
			now := s.now()
			ev := Event{Kind: EventReplicated, ARN: arn, Name: primary.Name, Time: now}
			if !since.IsZero() && now.After(since) {
				ev.Lag = now.Sub(since)
			}
			s.emit(ev)
			return w, "", nil
		case errors.As(err, &e) && (e.Code == CodeEncryptionFailure || e.Code == CodeDecryptionFailure):
			return w, "Replication failed: " + e.Message, nil
		case !errors.Is(err, ErrStoreConflict) && !errors.Is(err, ErrStoreExists):
			return w, "", err
		case attempt >= s.retries:
			return w, "", err
		}
	}
}

// recordOnPrimary records the replicator's outcomes, from generation gen,
// on the primary named name in primaryRegion (see recordReplica), with one
// save for all of them.
func (s *Service) recordOnPrimary(ctx context.Context, primaryRegion, name string, gen uint64, done []replicated) {
	for attempt := 0; attempt <= s.retries; attempt++ {
		cur, rev, err := s.store.Load(ctx, primaryRegion, name)
		if err != nil {
			return
		}
		next, changed := cur, false
		for _, d := range done {
			var out outcome
			next, out = recordReplica(next, d.region, gen, d.w, d.failure)
			changed = changed || out.changed
		}
		if !changed {
			return
		}
		if _, err := s.store.Save(ctx, next, rev); !errors.Is(err, ErrStoreConflict) {
			return
		}
	}
}

// replicationStatus reports the replicas of sec with each one's key and
// last access, read from its own record.
func (s *Service) replicationStatus(ctx context.Context, sec *Secret) []ReplicationStatusEntry {
	return sec.replicationStatus(func(region string) (string, time.Time) {
		r, _, err := s.store.Load(ctx, region, sec.Name)
		if err != nil || !r.isReplicaOf(sec) {
			return "", time.Time{}
		}
		return r.KmsKeyID, r.LastAccessedDate
	})
}

// regionPattern is the form of a Region name in AWS's API model.
var regionPattern = regexp.MustCompile(`^([a-z]+-)+\d+$`)

func validateRegion(region, path string) error {
	if err := checkLength(region, path, 1, 128); err != nil {
		return err
	}
	if !regionPattern.MatchString(region) {
		return constraintError(region, path, `satisfy regular expression pattern: ^([a-z]+-)+\d+$`)
	}
	return nil
}

// validateReplicaRegions checks the AddReplicaRegions of a request.
func validateReplicaRegions(regions []ReplicaRegion) error {
	if len(regions) == 0 {
		return lengthError("[]", "addReplicaRegions", 1, 1<<30, 0)
	}
	for i, r := range regions {
		path := fmt.Sprintf("addReplicaRegions.%d.member", i+1)
		if err := validateRegion(r.Region, path+".region"); err != nil {
			return err
		}
		if err := checkLength(r.KmsKeyId, path+".kmsKeyId", 0, MaxKmsKeyIDLength); err != nil {
			return err
		}
	}
	return nil
}
