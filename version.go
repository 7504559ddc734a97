package rotor

import "time"

// Version is one version of a secret: an immutable value with the id the
// ClientRequestToken gave it. The labels on a version are kept by the secret
// (Secret.Stages), so that a label can never sit on two versions.
//
// Versions held by a Secret are shared between snapshots: never modify a
// *Version you did not create; the service replaces it instead.
type Version struct {
	// ID is the VersionId, 32–64 characters.
	ID string
	// Value is the payload; zero only for the rotation placeholder before the
	// rotation function fills it.
	Value Value
	// CreatedDate is when the version was created.
	CreatedDate time.Time
	// LastAccessedDate is midnight UTC of the last day the version was read;
	// zero if never read.
	LastAccessedDate time.Time
}

// Retention limits: AWS removes deprecated versions once a secret has more
// than about 100, and never one created less than 24 hours ago
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).
const (
	// MaxVersions is the number of versions above which deprecated ones are purged.
	MaxVersions = 100
	// VersionRetention is how old a deprecated version must be to be purged.
	VersionRetention = 24 * time.Hour
)
