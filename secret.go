package rotor

import (
	"slices"
	"strings"
	"time"
)

// Secret is the whole record of one secret: its metadata, its versions and the
// staging labels that point at them, and the rotation in progress. It is what a
// Store saves and loads.
//
// Zero times mean "absent" (AWS omits the member). A Secret loaded from a Store
// is shared and must be treated as read-only; Clone it to get one of your own.
type Secret struct {
	// ARN is arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX.
	ARN  string
	Name string
	// Description is "" when absent.
	Description string
	// KmsKeyID is "" for the default key aws/secretsmanager.
	KmsKeyID string
	// Type is the partner type of a managed external secret; usually "".
	Type string
	// Tags is nil if the secret was never tagged and empty (non-nil) once every
	// tag was removed, as DescribeSecret tells the two apart.
	Tags []Tag

	CreatedDate     time.Time
	LastChangedDate time.Time
	// LastAccessedDate is midnight UTC of the last day a value was read.
	LastAccessedDate time.Time
	LastRotatedDate  time.Time
	// NextRotationDate is the end of the next rotation window while rotation
	// is enabled, else zero.
	NextRotationDate time.Time
	// DeletedDate is when DeleteSecret was called; zero unless scheduled for
	// deletion.
	DeletedDate time.Time
	// DeletionDate is when the secret is purged: DeletedDate plus the
	// recovery window.
	DeletionDate time.Time

	// RotationConfigured is false until RotateSecret first saved a
	// configuration; DescribeSecret then omits RotationEnabled.
	RotationConfigured bool
	RotationEnabled    bool
	RotationLambdaARN  string
	RotationRules      RotationRules

	// ResourcePolicy is the JSON resource policy document, "" if none.
	ResourcePolicy string
	OwningService  string
	// PrimaryRegion is set on a replicated secret: on the primary its own
	// Region, on a replica the primary's. "" for a secret that is not
	// replicated.
	PrimaryRegion string
	// Replicas are a primary's replicas, in the order they were added.
	Replicas []Replica
	// Generation counts a primary's commits, and on a replica names the
	// primary's commit it holds.
	Generation uint64

	// Versions in creation order, oldest first. Shared with other snapshots:
	// replace an element, never modify it.
	Versions []*Version
	// Stages lists each staging label with the one version it is on, sorted
	// by label; a label appears at most once.
	Stages []Stage
	// Rotation is the rotation in progress, nil when none is.
	Rotation *RotationState

	// sharedVersions marks a copy whose Versions slice still belongs to the
	// snapshot it was copied from: copy it before changing it.
	sharedVersions bool
}

// Clone returns a deep copy of s that shares nothing mutable with it.
func (s *Secret) Clone() *Secret {
	if s == nil {
		return nil
	}
	c := s.shallowClone()
	c.ownVersions()
	for i, v := range c.Versions {
		vc := *v
		c.Versions[i] = &vc
	}
	return c
}

// shallowClone copies what the service changes on write (the struct, tags,
// the labels, the rotation state) and shares the immutable versions; the
// version list itself is copied only when a write changes it (ownVersions),
// so a write that does not add a version costs the same at 1 and at 100
// versions.
func (s *Secret) shallowClone() *Secret {
	c := *s
	if s.Tags != nil {
		c.Tags = slices.Clone(s.Tags)
	}
	c.sharedVersions = true
	c.Stages = slices.Clone(s.Stages)
	c.Replicas = slices.Clone(s.Replicas)
	if s.Rotation != nil {
		r := *s.Rotation
		c.Rotation = &r
	}
	return &c
}

// ownVersions gives s its own copy of the version list before a change.
func (s *Secret) ownVersions() {
	if s.sharedVersions {
		s.Versions = slices.Clone(s.Versions)
		s.sharedVersions = false
	}
}

// Region returns the region of the secret's ARN.
func (s *Secret) Region() string {
	// arn:PARTITION:secretsmanager:REGION:...: the fourth field, found
	// without allocating because stores ask on every call.
	rest := s.ARN
	for range 3 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		return rest[:i]
	}
	return ""
}

// Deleted reports whether the secret is scheduled for deletion.
func (s *Secret) Deleted() bool { return !s.DeletedDate.IsZero() }

// Version returns the version with the given id, or nil.
func (s *Secret) Version(id string) *Version {
	// Newest first: the versions a caller asks for are nearly always the last few.
	for i := len(s.Versions) - 1; i >= 0; i-- {
		if s.Versions[i].ID == id {
			return s.Versions[i]
		}
	}
	return nil
}

func (s *Secret) versionIndex(id string) int {
	for i := len(s.Versions) - 1; i >= 0; i-- {
		if s.Versions[i].ID == id {
			return i
		}
	}
	return -1
}

// StagesOf returns the labels on version id in sorted order (which puts
// AWSCURRENT, AWSPENDING and AWSPREVIOUS first, as AWS lists them); nil if none.
func (s *Secret) StagesOf(id string) []string {
	n := 0
	for _, st := range s.Stages {
		if st.VersionID == id {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for _, st := range s.Stages {
		if st.VersionID == id {
			out = append(out, st.Label)
		}
	}
	return out
}

// StageVersion returns the id of the version that label is on.
func (s *Secret) StageVersion(label string) (string, bool) {
	for _, st := range s.Stages {
		if st.Label == label {
			return st.VersionID, true
		}
	}
	return "", false
}

// VersionIDsToStages returns every labelled version's labels, as DescribeSecret
// reports them; nil when no version has a label.
func (s *Secret) VersionIDsToStages() map[string][]string {
	if len(s.Stages) == 0 {
		return nil
	}
	m := make(map[string][]string, len(s.Stages))
	for _, st := range s.Stages {
		m[st.VersionID] = append(m[st.VersionID], st.Label)
	}
	return m
}

// splitSecretARN returns the region, account and resource name (NAME-XXXXXX)
// of a Secrets Manager secret ARN; ok is false if arn is not one.
func splitSecretARN(arn string) (region, account, resource string) {
	// arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:RESOURCE
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "secretsmanager" || parts[5] != "secret" {
		return "", "", ""
	}
	return parts[3], parts[4], parts[6]
}
