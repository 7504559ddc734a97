package rotor

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Revision identifies one saved state of a secret. A store gives every save a
// revision it has never given before (so a secret deleted and created again
// never repeats an old revision); 0 means "no record".
type Revision uint64

// Cursor is a position in a Store's listing order: secrets sort by
// CreatedDate, then Name. The zero Cursor is before the first secret.
type Cursor struct {
	CreatedDate time.Time
	Name        string
}

// CursorOf returns the cursor positioned on s, so that List continues after it.
func CursorOf(s *Secret) Cursor { return Cursor{CreatedDate: s.CreatedDate, Name: s.Name} }

// Before reports whether c sorts before the secret at position o.
func (c Cursor) Before(o Cursor) bool {
	if !c.CreatedDate.Equal(o.CreatedDate) {
		return c.CreatedDate.Before(o.CreatedDate)
	}
	return strings.Compare(c.Name, o.Name) < 0
}

// Store keeps secret records. It holds no rules: the Service decides, the
// store saves and loads with optimistic concurrency. A secret is keyed by its
// region (from its ARN) and its name, so one store can hold several regions.
//
// Ownership: a *Secret returned by Load or List is a snapshot that the caller
// must treat as read-only; a store may share it with other callers (the memory
// store does, so reads copy nothing), and it never changes afterwards. Save
// takes ownership of the secret passed to it: the caller must not modify it,
// or the versions it points to, after the call.
//
// Errors: Load and Delete return an error matching ErrStoreNotFound when no
// record exists; Save and Delete return ErrStoreConflict when the stored
// revision is not the expected one and ErrStoreExists when expect is 0 but a
// record exists. Those three mean the call changed nothing and that the caller
// may re-read and try again. Any other error may leave the outcome unknown.
//
// Implementations must be safe for concurrent use. storetest.Run checks all of
// this; every Store must pass it.
type Store interface {
	// Load returns the secret with that name in region and its revision.
	Load(ctx context.Context, region, name string) (*Secret, Revision, error)
	// Save writes s under (s.Region(), s.Name) if the stored revision equals
	// expect, 0 meaning the secret must not exist yet. It returns the new
	// revision.
	Save(ctx context.Context, s *Secret, expect Revision) (Revision, error)
	// Delete removes the secret if its stored revision equals expect.
	Delete(ctx context.Context, region, name string, expect Revision) error
	// List returns the next limit secrets of region that sort strictly
	// after the cursor, in listing order (CreatedDate, then Name byte by byte,
	// so SQL stores need a binary collation), including those scheduled for
	// deletion. It returns fewer than limit only when no more exist. Listed
	// secrets are whole, versions and values included.
	List(ctx context.Context, region string, after Cursor, limit int) ([]*Secret, error)
}

// CachedLoader is an optional interface of a Store whose Load costs a round
// trip to a database that other writers share. LoadCached returns the last
// state of the secret that this store loaded or saved, and its revision,
// without asking the database, or false if it keeps none. The state may be
// stale: another writer may have saved since. It is a read-only snapshot, as
// Load's are.
//
// The Service uses it to prepare writes only. It applies the change to the
// cached state and saves with the cached revision, which Save refuses if the
// state was stale; then, and whenever the change would not be saved (an
// error, a replay), it loads from the store and decides again. So every
// answer is one the stored state gives, as with Load alone, and a write that
// finds the cache current costs one round trip instead of two.
type CachedLoader interface {
	LoadCached(region, name string) (*Secret, Revision, bool)
}

// DueLister is an optional interface of a Store that finds the secrets a
// rotation engine must look at without reading every secret. ListDue returns
// at most limit secrets of region whose DueAt is at or before now, earliest
// first, as read-only snapshots (as Load returns them). The engine decides
// again on each secret as stored, so a store may return a few that are no
// longer due; it must not leave out one that is.
//
// A durable store implements it with a column holding DueAt(secret), written
// with every save, and an index on (region, due). A wrapper that cannot serve
// it (around a store without one) returns an error matching
// errors.ErrUnsupported, and the engine reads every secret instead.
type DueLister interface {
	ListDue(ctx context.Context, region string, now time.Time, limit int) ([]*Secret, error)
}

// Store sentinels. Stores wrap their native error with them (fmt.Errorf("...:
// %w", ErrStoreConflict)) so errors.Is matches and errors.As still reaches the
// native error.
var (
	// ErrStoreNotFound: no record. Nothing changed.
	ErrStoreNotFound = errors.New("rotor: secret not found in store")
	// ErrStoreExists: a save with expect 0 found a record. Nothing changed;
	// re-read and try again.
	ErrStoreExists = errors.New("rotor: secret already exists in store")
	// ErrStoreConflict: the stored revision is not the expected one. Nothing
	// changed; re-read and try again.
	ErrStoreConflict = errors.New("rotor: store revision conflict")
)
