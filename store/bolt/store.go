package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/internal/revcache"
	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Every Store is a rotor.Store with the scheduler's index and the listing
// indexes.
var (
	_ rotor.Store        = (*Store)(nil)
	_ rotor.DueLister    = (*Store)(nil)
	_ rotor.RegionLister = (*Store)(nil)
	_ rotor.SortedLister = (*Store)(nil)
)

// ErrLocked is returned by Open when another process, or another Open in this
// one, holds the file. Nothing was opened; a retry succeeds once the holder
// closes the file.
var ErrLocked = errors.New("bolt: store file is in use by another process or another Open")

// Store is a rotor.Store kept in one bbolt file. It is safe for concurrent
// use; Close releases the file. The zero value is not usable; call Open.
type Store struct {
	db    *bbolt.DB
	cache *revcache.Cache[*rotor.Secret]
}

// Option changes how Open opens a store.
type Option func(*options)

type options struct {
	lockTimeout time.Duration
	cacheSize   int
	noCreate    bool
}

// WithCreate(false) makes Open fail with an error matching fs.ErrNotExist
// when the file does not exist, instead of creating a new, empty store there
// (default true): for a caller that means to work on a store it was given,
// where a new file would only hide a mistyped path.
func WithCreate(create bool) Option { return func(o *options) { o.noCreate = !create } }

// WithLockTimeout sets how long Open waits for the file lock before it fails
// with ErrLocked (default one second). It must be positive: bbolt waits
// forever on zero.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lockTimeout = d
		}
	}
}

// WithCacheSize sets of how many secrets Load and List keep the last decoded
// state, to return again without decoding (default 4096; 0 disables the
// cache). A cached state is returned only while its revision is the stored
// one; each secret takes one entry however often it is saved.
func WithCacheSize(n int) Option { return func(o *options) { o.cacheSize = max(n, 0) } }

// Bucket names: see the package documentation for the layout.
var (
	recordsBucket  = []byte("records")
	orderBucket    = []byte("order")
	dueBucket      = []byte("due")
	changedBucket  = []byte("changed")
	accessedBucket = []byte("accessed")
	metaBucket     = []byte("meta")
	formatKey      = []byte("format")
	dueIndexKey    = []byte("due-index")
)

// fileFormat is the layout version written to the meta bucket; Open refuses
// files of another layout rather than misreading them, except layout "1"
// (before the LastChangedDate and LastAccessedDate indexes), which it
// upgrades. A file, once upgraded, is refused by a rotor that reads "1"
// only: that rotor would leave the new indexes behind its writes.
const (
	fileFormat   = "2"
	fileFormatV1 = "1"
)

// dueIndexVersion names the rule the due index was built with. Bump it
// whenever rotor.DueAt changes what it returns for a stored secret: Open
// then rebuilds the index of a file built by an older rotor, so that no
// secret is left out of the scheduler's view.
const dueIndexVersion = "2"

// Open opens the store in the file at path, creating it with mode 0600 if it
// does not exist (unless WithCreate(false)). It fails with an error matching
// ErrLocked when another process (or another Open in this process) has the
// file open, and with one matching ErrDamaged when the file is not a whole
// store (empty, cut short, or with pages that do not hold together; Open
// reads every page of the file to know). Open never creates a store over an
// existing file, and never panics or faults on a damaged one.
func Open(path string, opts ...Option) (store *Store, err error) {
	o := options{lockTimeout: time.Second, cacheSize: 4096}
	for _, opt := range opts {
		opt(&o)
	}
	exists, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	if !exists && o.noCreate {
		return nil, fmt.Errorf("bolt: open %s: no such store file: %w", path, fs.ErrNotExist)
	}
	bopts := &bbolt.Options{Timeout: o.lockTimeout}
	if exists || o.noCreate {
		// The file checked above must be the one bbolt opens: one that
		// has gone meanwhile is not replaced by a new, empty store.
		bopts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			return os.OpenFile(name, flag&^os.O_CREATE, perm)
		}
	}
	db, err := openBBolt(path, bopts)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: gave up after %s waiting for the file lock: %w", path, o.lockTimeout, ErrLocked)
	}
	if err != nil {
		return nil, err
	}
	if exists {
		if err := verify(db); err != nil {
			_ = closeQuietly(db)
			return nil, damaged(path, "%v", err)
		}
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{recordsBucket, orderBucket, dueBucket, changedBucket, accessedBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		switch format := meta.Get(formatKey); {
		case format == nil:
			if err := meta.Put(formatKey, []byte(fileFormat)); err != nil {
				return err
			}
		case string(format) == fileFormatV1:
			if err := upgradeFromV1(tx); err != nil {
				return fmt.Errorf("upgrade the file from layout %q: %w", fileFormatV1, err)
			}
			if err := meta.Put(formatKey, []byte(fileFormat)); err != nil {
				return err
			}
		case string(format) != fileFormat:
			return fmt.Errorf("file layout %q, this version of rotor reads %q", format, fileFormat)
		}
		if string(meta.Get(dueIndexKey)) != dueIndexVersion {
			if err := rebuildDueIndex(tx); err != nil {
				return fmt.Errorf("rebuild the due index: %w", err)
			}
			return meta.Put(dueIndexKey, []byte(dueIndexVersion))
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return &Store{db: db, cache: revcache.New[*rotor.Secret](o.cacheSize)}, nil
}

// Close releases the file. Calls on a closed store fail.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("bolt: close %s: %w", s.db.Path(), err)
	}
	return nil
}

// Path returns the file the store is kept in.
func (s *Store) Path() string { return s.db.Path() }

// Load implements rotor.Store.
func (s *Store) Load(ctx context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	var (
		secret *rotor.Secret
		rev    rotor.Revision
	)
	err := s.db.View(func(tx *bbolt.Tx) error {
		raw := regionBucket(tx, recordsBucket, region).get(name)
		if raw == nil {
			return fmt.Errorf("bolt: %s in %s: %w", name, region, rotor.ErrStoreNotFound)
		}
		var err error
		secret, rev, err = s.decode(region, []byte(name), raw)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return secret, rev, nil
}

// Save implements rotor.Store. It commits one fsync'd transaction in which
// the revision is checked and the next store-wide revision is taken.
func (s *Store) Save(ctx context.Context, secret *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	encoded, err := rotor.EncodeSecret(secret)
	if err != nil {
		return 0, err
	}
	region, name := secret.Region(), secret.Name
	next := headerOf(secret, 0)
	var rev rotor.Revision
	err = s.db.Update(func(tx *bbolt.Tx) error {
		records := tx.Bucket(recordsBucket)
		recs, err := records.CreateBucketIfNotExists(regionName(region))
		if err != nil {
			return err
		}
		raw := recs.Get([]byte(name))
		if err := checkRevision(name, raw, expect); err != nil {
			return err
		}
		var old header
		if raw != nil {
			if old, _, err = parseRecord(raw); err != nil {
				return err
			}
		}
		seq, err := records.NextSequence()
		if err != nil {
			return err
		}
		rev, next.rev = rotor.Revision(seq), rotor.Revision(seq)
		if err := moveIndexKey(tx, orderBucket, region, name, old.created, next.created); err != nil {
			return err
		}
		if err := moveIndexKey(tx, dueBucket, region, name, old.due, next.due); err != nil {
			return err
		}
		if err := moveIndexKey(tx, changedBucket, region, name, old.changed, next.changed); err != nil {
			return err
		}
		if err := moveIndexKey(tx, accessedBucket, region, name, old.accessed, next.accessed); err != nil {
			return err
		}
		return recs.Put([]byte(name), recordValue(next, encoded))
	})
	if err != nil {
		return 0, saveError(name, err)
	}
	// The caller gave up the secret to us, but may break that rule: cache a
	// copy of our own.
	s.cache.Put(region, name, rev, secret.Clone())
	return rev, nil
}

// Delete implements rotor.Store, in one fsync'd transaction.
func (s *Store) Delete(ctx context.Context, region, name string, expect rotor.Revision) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		recs := tx.Bucket(recordsBucket).Bucket(regionName(region))
		var raw []byte
		if recs != nil {
			raw = recs.Get([]byte(name))
		}
		if raw == nil {
			return fmt.Errorf("%s in %s: %w", name, region, rotor.ErrStoreNotFound)
		}
		old, _, err := parseRecord(raw)
		if err != nil {
			return err
		}
		if old.rev != expect {
			return fmt.Errorf("%s: stored revision %d, expected %d: %w", name, old.rev, expect, rotor.ErrStoreConflict)
		}
		if err := moveIndexKey(tx, orderBucket, region, name, old.created, nil); err != nil {
			return err
		}
		for _, b := range []struct {
			top []byte
			key []byte
		}{{dueBucket, old.due}, {changedBucket, old.changed}, {accessedBucket, old.accessed}} {
			if err := moveIndexKey(tx, b.top, region, name, b.key, nil); err != nil {
				return err
			}
		}
		return recs.Delete([]byte(name))
	})
	if err != nil {
		return saveError(name, err)
	}
	return nil
}

// rebuildDueIndex recomputes every secret's due key from its record, in
// the index and in the record's header. Revisions do not change: the
// secrets are the same.
func rebuildDueIndex(tx *bbolt.Tx) error {
	if err := tx.DeleteBucket(dueBucket); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
		return err
	}
	due, err := tx.CreateBucket(dueBucket)
	if err != nil {
		return err
	}
	return rewriteRecords(tx, func(regionKey, name, raw []byte) ([]byte, error) {
		h, body, err := parseRecord(raw)
		if err != nil {
			return nil, err
		}
		secret, err := rotor.DecodeSecret(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		h.due = dueKey(secret)
		if h.due != nil {
			regionDue, err := due.CreateBucketIfNotExists(regionKey)
			if err != nil {
				return nil, err
			}
			if err := regionDue.Put(indexKey(h.due, string(name)), nil); err != nil {
				return nil, err
			}
		}
		return recordValue(h, body), nil
	})
}

// upgradeFromV1 brings a file of layout "1" to this layout: it adds the
// LastChangedDate and LastAccessedDate keys to every record's header and
// their entries to the two indexes. Revisions do not change: the secrets
// are the same.
func upgradeFromV1(tx *bbolt.Tx) error {
	return rewriteRecords(tx, func(regionKey, name, raw []byte) ([]byte, error) {
		if len(raw) < headerLenV1 {
			return nil, fmt.Errorf("%s: record of %d bytes is too short", name, len(raw))
		}
		body := raw[headerLenV1:]
		secret, err := rotor.DecodeSecret(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		h := headerOf(secret, rotor.Revision(binary.BigEndian.Uint64(raw)))
		// The created and due keys stay those the indexes hold.
		h.created, h.due = raw[revisionLen:revisionLen+timeKeyLen], nil
		if raw[revisionLen+timeKeyLen] == 1 {
			h.due = raw[revisionLen+timeKeyLen+1 : headerLenV1]
		}
		for _, b := range []struct{ top, key []byte }{{changedBucket, h.changed}, {accessedBucket, h.accessed}} {
			idx, err := tx.Bucket(b.top).CreateBucketIfNotExists(regionKey)
			if err != nil {
				return nil, err
			}
			if err := idx.Put(indexKey(b.key, string(name)), nil); err != nil {
				return nil, err
			}
		}
		return recordValue(h, body), nil
	})
}

// rewriteRecords replaces every record of every region with what fn makes
// of it. The new values are put after each region's walk: a bucket must
// not change while ForEach walks it.
func rewriteRecords(tx *bbolt.Tx, fn func(regionKey, name, raw []byte) ([]byte, error)) error {
	type rewrite struct{ name, value []byte }
	return tx.Bucket(recordsBucket).ForEachBucket(func(regionKey []byte) error {
		recs := tx.Bucket(recordsBucket).Bucket(regionKey)
		var rewrites []rewrite
		err := recs.ForEach(func(name, raw []byte) error {
			value, err := fn(regionKey, name, raw)
			if err != nil {
				return err
			}
			rewrites = append(rewrites, rewrite{bytes.Clone(name), value})
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range rewrites {
			if err := recs.Put(r.name, r.value); err != nil {
				return err
			}
		}
		return nil
	})
}

// moveIndexKey moves name's entry in region's bucket of the index top from
// the time key from to the time key to; nil means no entry. An unchanged
// key is left alone, which saves dirty pages: the listing key changes only
// when a store user rewrites CreatedDate, the due key only when a rotation
// is configured, started, leased or done.
func moveIndexKey(tx *bbolt.Tx, top []byte, region, name string, from, to []byte) error {
	if bytes.Equal(from, to) {
		return nil
	}
	b, err := tx.Bucket(top).CreateBucketIfNotExists(regionName(region))
	if err != nil {
		return err
	}
	if from != nil {
		if err := b.Delete(indexKey(from, name)); err != nil {
			return err
		}
	}
	if to != nil {
		return b.Put(indexKey(to, name), nil)
	}
	return nil
}

// List implements rotor.Store: the walk of ListSorted in creation order,
// which is the Store's listing order, so its cost follows limit, not the
// number of secrets.
func (s *Store) List(ctx context.Context, region string, after rotor.Cursor, limit int) ([]*rotor.Secret, error) {
	return s.ListSorted(ctx, region, rotor.ListOrder{By: rotor.SortByCreatedDate},
		rotor.ListPosition{Date: after.CreatedDate, Name: after.Name}, limit)
}

// indexed returns the secret of region that an entry of the named index
// points to, from recs, the region's records; an entry without a record is
// a damaged file.
func (s *Store) indexed(recs *bbolt.Bucket, region string, name []byte, index string) (*rotor.Secret, error) {
	raw := recs.Get(name)
	if raw == nil {
		return nil, fmt.Errorf("bolt: %s index names %q in %s, which has no record", index, name, region)
	}
	secret, _, err := s.decode(region, name, raw)
	return secret, err
}

// decode returns the secret and revision of the record value raw of name in
// region, from the cache when it holds that revision. raw and name are only
// valid inside their transaction.
func (s *Store) decode(region string, name, raw []byte) (*rotor.Secret, rotor.Revision, error) {
	h, body, err := parseRecord(raw)
	if err != nil {
		return nil, 0, err
	}
	if secret, ok := s.cache.GetBytes(region, name, h.rev); ok {
		return secret, h.rev, nil
	}
	// DecodeSecret copies what it keeps out of raw, which bbolt unmaps once
	// the transaction ends.
	secret, err := rotor.DecodeSecret(body)
	if err != nil {
		return nil, 0, fmt.Errorf("bolt: %w", err)
	}
	s.cache.Put(region, string(name), h.rev, secret)
	return secret, h.rev, nil
}

// checkRevision returns the store sentinel saying why a write expecting
// expect must not touch the record old (nil when there is none).
func checkRevision(name string, old []byte, expect rotor.Revision) error {
	switch {
	case old == nil && expect != 0:
		return fmt.Errorf("%s does not exist, expected revision %d: %w", name, expect, rotor.ErrStoreConflict)
	case old != nil && expect == 0:
		return fmt.Errorf("%s: %w", name, rotor.ErrStoreExists)
	case old != nil:
		if len(old) < revisionLen {
			return fmt.Errorf("bolt: record of %s is %d bytes, too short", name, len(old))
		}
		if stored := rotor.Revision(binary.BigEndian.Uint64(old)); stored != expect {
			return fmt.Errorf("%s: stored revision %d, expected %d: %w", name, stored, expect, rotor.ErrStoreConflict)
		}
	}
	return nil
}

// saveError prefixes the package to errors of a write transaction.
func saveError(name string, err error) error {
	if errors.Is(err, rotor.ErrStoreConflict) || errors.Is(err, rotor.ErrStoreExists) || errors.Is(err, rotor.ErrStoreNotFound) {
		return fmt.Errorf("bolt: %w", err)
	}
	return fmt.Errorf("bolt: save %s: %w", name, err)
}

// bucketReader reads a region bucket that may not exist.
type bucketReader struct{ b *bbolt.Bucket }

func regionBucket(tx *bbolt.Tx, top []byte, region string) bucketReader {
	return bucketReader{tx.Bucket(top).Bucket(regionName(region))}
}

func (r bucketReader) get(key string) []byte {
	if r.b == nil {
		return nil
	}
	return r.b.Get([]byte(key))
}

// ListDue implements rotor.DueLister: it returns up to limit secrets of
// region whose rotor.DueAt is at or before now, earliest first (then by
// name). It reads an index kept by every save, so a scheduler tick costs what
// the due secrets cost. The secrets are read-only snapshots, as Load's are.
func (s *Store) ListDue(ctx context.Context, region string, now time.Time, limit int) ([]*rotor.Secret, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	end := timeKey(now)
	var out []*rotor.Secret
	err := s.db.View(func(tx *bbolt.Tx) error {
		due := tx.Bucket(dueBucket).Bucket(regionName(region))
		recs := tx.Bucket(recordsBucket).Bucket(regionName(region))
		if due == nil || recs == nil {
			return nil
		}
		c := due.Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit && bytes.Compare(k[:timeKeyLen], end) <= 0; k, _ = c.Next() {
			secret, err := s.indexed(recs, region, k[timeKeyLen:], "due")
			if err != nil {
				return err
			}
			out = append(out, secret)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListSorted implements rotor.SortedLister: it walks the index of the
// order's key (for name order, the records themselves, which bbolt keeps
// by name) forwards or backwards from the position, so its cost follows
// limit, not the number of secrets.
func (s *Store) ListSorted(ctx context.Context, region string, order rotor.ListOrder, after rotor.ListPosition, limit int) ([]*rotor.Secret, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var top []byte
	switch order.By {
	case rotor.SortByCreatedDate:
		top = orderBucket
	case rotor.SortByLastChangedDate:
		top = changedBucket
	case rotor.SortByLastAccessedDate:
		top = accessedBucket
	case rotor.SortByName:
		top = recordsBucket
	default:
		return nil, fmt.Errorf("bolt: no list order %q", order.By)
	}
	if limit <= 0 {
		return nil, nil
	}
	var out []*rotor.Secret
	err := s.db.View(func(tx *bbolt.Tx) error {
		index := tx.Bucket(top).Bucket(regionName(region))
		recs := tx.Bucket(recordsBucket).Bucket(regionName(region))
		if index == nil || recs == nil {
			return nil
		}
		out = make([]*rotor.Secret, 0, min(limit, 128))
		byName := order.By == rotor.SortByName
		start := []byte(after.Name)
		if !byName {
			start = indexKey(timeKey(after.Date), after.Name)
		}
		c := index.Cursor()
		var k, v []byte
		step := c.Next
		switch {
		case order.Desc:
			step = c.Prev
			if after.IsStart() {
				k, v = c.Last()
			} else if k, _ = c.Seek(start); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev() // the last key before start
			}
		case after.IsStart():
			k, v = c.First()
		default:
			if k, v = c.Seek(start); k != nil && bytes.Equal(k, start) {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, v = step() {
			var (
				secret *rotor.Secret
				err    error
			)
			if byName {
				secret, _, err = s.decode(region, k, v)
			} else {
				secret, err = s.indexed(recs, region, k[timeKeyLen:], string(top))
			}
			if err != nil {
				return err
			}
			out = append(out, secret)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
