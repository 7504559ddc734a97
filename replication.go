package rotor

import (
	"slices"
	"strings"
	"time"
)

// Replication (https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html):
// a primary secret is copied into other Regions of its account. A replica
// has the primary's name and ARN suffix, its own Region in its ARN, and every
// version, label, value, description, tag and resource policy of the
// primary; it is encrypted under its own Region's key. Every change to the
// primary reaches the replicas; a replica takes no write of its own.
//
// The work left to do is in the records, so any server sharing the store
// finishes it: each commit of a primary bumps its Generation, and the
// primary's entry for each replica says which generation the replica holds.
// A replica is written whole from one state of its primary, only ever by a
// newer generation, so it never shows a state its primary never had, and
// no change is applied twice or out of order.

// ReplicaStatus says how far a replica is.
type ReplicaStatus string

// The statuses of a replica, as AWS names them.
const (
	ReplicaInProgress ReplicaStatus = "InProgress"
	ReplicaInSync     ReplicaStatus = "InSync"
	ReplicaFailed     ReplicaStatus = "Failed"
)

// Replica is one Region a primary secret is replicated to, as the primary
// records it.
type Replica struct {
	Region string
	// KmsKeyID is the replica's own key; "" is the default key of its
	// Region.
	KmsKeyID      string
	Status        ReplicaStatus
	StatusMessage string
	// Synced is the primary's Generation the replica last reached (or
	// failed to reach); 0 before the first attempt.
	Synced uint64
	// Overwrite lets the first replication replace a secret of the same
	// name that is not this primary's replica (ForceOverwriteReplicaSecret).
	Overwrite bool
	// Removing marks a replica RemoveRegionsFromReplication is deleting.
	Removing bool
}

// ReplicaRegion is a Region to replicate to, as ReplicateSecretToRegions and
// CreateSecret take it.
type ReplicaRegion struct {
	// Region is the Region's name, as us-west-2.
	Region string
	// KmsKeyId is the replica's key in that Region, at most 2048
	// characters; "" is the Region's default key aws/secretsmanager.
	KmsKeyId string
}

// ReplicationStatusEntry is one replica as ReplicationStatus reports it.
type ReplicationStatusEntry struct {
	Region        string
	KmsKeyId      string
	Status        ReplicaStatus
	StatusMessage string
	// LastAccessedDate is when the replica was last read in its Region.
	LastAccessedDate time.Time
}

// Messages AWS sends about replicas, word for word.
const (
	msgReplicaReadOnly      = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
	msgInvalidReplicaRegion = "Invalid replica region."
)

// IsReplica reports whether sec is a replica of a primary in another
// Region: it takes no write of its own.
func (sec *Secret) IsReplica() bool {
	return sec.PrimaryRegion != "" && sec.PrimaryRegion != sec.Region()
}

// writable refuses a write to a secret scheduled for deletion or to a
// replica.
func writable(sec *Secret) error {
	if sec.IsReplica() {
		return newError(CodeInvalidParameter, msgReplicaReadOnly)
	}
	return live(sec)
}

// replicaARN is the ARN of the replica of arn in region: the same
// partition, account, name and suffix.
func replicaARN(arn, region string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return arn
	}
	parts[3] = region
	return strings.Join(parts, ":")
}

// lagging returns the replicas whose work is left: a generation of the
// primary they have not reached or failed at, or a removal.
func (sec *Secret) lagging() []Replica {
	var out []Replica
	for _, r := range sec.Replicas {
		if r.Removing || r.Synced < sec.Generation {
			out = append(out, r)
		}
	}
	return out
}

// replica returns the entry of region, or nil.
func (sec *Secret) replica(region string) *Replica {
	for i := range sec.Replicas {
		if sec.Replicas[i].Region == region {
			return &sec.Replicas[i]
		}
	}
	return nil
}

// addReplicas is ReplicateSecretToRegions' rule (and CreateSecret's with
// AddReplicaRegions), on a secret of the caller's: each Region becomes a
// replica entry InProgress, to be written by the replicator; a Region that
// already has an entry keeps it. The secret's own Region, a replica and a
// secret scheduled for deletion are refused.
func (next *Secret) addReplicas(regions []ReplicaRegion, overwrite bool, now time.Time) error {
	if err := writable(next); err != nil {
		return err
	}
	for _, rr := range regions {
		if rr.Region == next.Region() {
			return newError(CodeInvalidParameter, msgInvalidReplicaRegion)
		}
	}
	for _, rr := range regions {
		if r := next.replica(rr.Region); r != nil && !r.Removing {
			continue
		}
		next.Replicas = slices.DeleteFunc(next.Replicas, func(r Replica) bool { return r.Region == rr.Region })
		next.Replicas = append(next.Replicas, Replica{Region: rr.Region, KmsKeyID: rr.KmsKeyId, Status: ReplicaInProgress, Overwrite: overwrite})
	}
	next.PrimaryRegion = next.Region()
	next.LastChangedDate = now
	return nil
}

// removeReplicas is RemoveRegionsFromReplication's rule: the entries of the
// Regions named are marked Removing, for the replicator to delete their
// replicas and then the entries. Regions without an entry are fine.
func (next *Secret) removeReplicas(regions []string, now time.Time) error {
	if err := writable(next); err != nil {
		return err
	}
	for i := range next.Replicas {
		if slices.Contains(regions, next.Replicas[i].Region) {
			next.Replicas[i].Removing = true
		}
	}
	next.LastChangedDate = now
	return nil
}

// replicaState returns the replica of primary in region r as it must be
// written now: the primary's state whole, with the replica's own ARN and
// PrimaryRegion, and what belongs to the replica kept from its current
// record (its key, when it was set in its Region, and when it was last
// read). Rotation runs only on the primary: a replica holds no rotation
// state, and is never due.
func replicaState(primary *Secret, r Replica, current *Secret) *Secret {
	next := primary.shallowClone()
	next.ARN = replicaARN(primary.ARN, r.Region)
	next.PrimaryRegion = primary.Region()
	next.Replicas = nil
	next.Rotation = nil
	next.KmsKeyID = r.KmsKeyID
	next.LastAccessedDate = time.Time{}
	// The replica's reads, by version: few versions are ever read.
	var read []*Version
	if current != nil && current.ARN == next.ARN {
		next.KmsKeyID = current.KmsKeyID
		next.LastAccessedDate = current.LastAccessedDate
		for _, v := range current.Versions {
			if !v.LastAccessedDate.IsZero() {
				read = append(read, v)
			}
		}
	}
	// Versions are immutable and shared between snapshots: only one whose
	// date of last access differs from the replica's is copied.
	for i, v := range next.Versions {
		var want time.Time
		for _, old := range read {
			if old.ID == v.ID {
				want = old.LastAccessedDate
				break
			}
		}
		if !v.LastAccessedDate.Equal(want) {
			next.ownVersions()
			c := *v
			c.LastAccessedDate = want
			next.Versions[i] = &c
		}
	}
	return next
}

// isReplicaOf reports whether sec is the replica of primary.
func (sec *Secret) isReplicaOf(primary *Secret) bool {
	return sec.IsReplica() && sec.PrimaryRegion == primary.Region() && sec.ARN == replicaARN(primary.ARN, sec.Region())
}

// replicaWrite is what the replicator does with the replica of primary in
// r's Region, found as current (nil when none): write want, delete the
// record, or nothing; and the status the primary records.
type replicaWrite struct {
	want   *Secret // the record to save; nil for none
	delete bool
	status ReplicaStatus
	msg    string
	// promoted says the replica was promoted to a standalone secret: the
	// primary drops its entry.
	promoted bool
}

// decideReplica decides the replicator's step for replica r of primary,
// whose record in r's Region is current (nil when none).
func decideReplica(primary *Secret, r Replica, current *Secret) replicaWrite {
	switch {
	case r.Removing:
		return replicaWrite{delete: current != nil && current.isReplicaOf(primary), promoted: true}
	case current == nil:
		return replicaWrite{want: replicaState(primary, r, nil), status: ReplicaInSync}
	case current.isReplicaOf(primary):
		if current.Generation >= primary.Generation {
			return replicaWrite{status: ReplicaInSync}
		}
		return replicaWrite{want: replicaState(primary, r, current), status: ReplicaInSync}
	case r.Synced > 0 && current.ARN == replicaARN(primary.ARN, r.Region):
		// It was this replica, and StopReplicationToReplica made it a
		// secret of its own.
		return replicaWrite{promoted: true}
	case r.Overwrite && r.Synced == 0:
		return replicaWrite{want: replicaState(primary, r, nil), status: ReplicaInSync}
	}
	return replicaWrite{status: ReplicaFailed,
		msg: "Replication failed: Secret name " + primary.Name + " already exists in region " + r.Region + "."}
}

// recordReplica is the rule that records the replicator's outcome for the
// replica in region on the primary, at the generation it worked from: a
// later generation's outcome is never overwritten by an earlier one, and a
// removed or promoted replica's entry goes.
func recordReplica(primary *Secret, region string, gen uint64, w replicaWrite, failure string) (*Secret, outcome) {
	cur := primary.replica(region)
	if cur == nil || !w.promoted && (cur.Synced > gen || cur.Synced == gen && cur.Status == w.status && failure == "") {
		return primary, outcome{}
	}
	next := primary.shallowClone()
	next.Replicas = slices.Clone(primary.Replicas)
	r := next.replica(region)
	switch {
	case w.promoted:
		next.Replicas = slices.DeleteFunc(next.Replicas, func(r Replica) bool { return r.Region == region })
		if len(next.Replicas) == 0 {
			next.PrimaryRegion = ""
		}
	case failure != "":
		r.Status, r.StatusMessage, r.Synced = ReplicaFailed, failure, gen
	default:
		r.Status, r.StatusMessage, r.Synced = w.status, w.msg, gen
	}
	return next, outcome{changed: true}
}

// promote is StopReplicationToReplica's rule, on a secret of the caller's
// in the replica's Region: it becomes a secret of its own, which takes
// writes; the primary drops it from its replicas.
func (next *Secret) promote(now time.Time) error {
	if !next.IsReplica() {
		return newError(CodeInvalidParameter, "The secret %s is not a replica: StopReplicationToReplica must be called in the Region of a replica.", next.Name)
	}
	next.PrimaryRegion = ""
	next.Generation = 0
	next.LastChangedDate = now
	return nil
}

// replicationStatus reports the replicas of sec, in the order they were
// added; lastRead gives a replica's last access, read from its record.
func (sec *Secret) replicationStatus(lastRead func(region string) (kmsKeyID string, at time.Time)) []ReplicationStatusEntry {
	var out []ReplicationStatusEntry
	for _, r := range sec.Replicas {
		if r.Removing {
			continue
		}
		e := ReplicationStatusEntry{Region: r.Region, KmsKeyId: r.KmsKeyID, Status: r.Status, StatusMessage: r.StatusMessage}
		if r.Synced < sec.Generation {
			// A change has not reached it yet.
			e.Status, e.StatusMessage = ReplicaInProgress, ""
		}
		if lastRead != nil {
			if key, at := lastRead(r.Region); !at.IsZero() || key != "" {
				e.KmsKeyId, e.LastAccessedDate = key, at
			}
		}
		out = append(out, e)
	}
	return out
}

// deletable refuses to delete a replica (RemoveRegionsFromReplication does)
// or a primary that still has replicas, as AWS does.
func deletable(sec *Secret) error {
	if err := writable(sec); err != nil {
		return err
	}
	if len(sec.Replicas) > 0 {
		regions := make([]string, len(sec.Replicas))
		for i, r := range sec.Replicas {
			regions[i] = r.Region
		}
		return newError(CodeInvalidParameter, "You can't delete secret %s that still has replica regions [%s].", sec.ARN, strings.Join(regions, ", "))
	}
	return nil
}
