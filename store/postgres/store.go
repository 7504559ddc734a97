package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rotorkit/rotor"
)

// Every Store is a rotor.Store with the scheduler's index and a cache that
// saves a write its first round trip.
var (
	_ rotor.Store        = (*Store)(nil)
	_ rotor.CachedLoader = (*Store)(nil)
	_ rotor.DueLister    = (*Store)(nil)
	_ rotor.RegionLister = (*Store)(nil)
	_ rotor.SortedLister = (*Store)(nil)
)

// Store is a rotor.Store in a PostgreSQL database. It is safe for concurrent
// use, and several Stores (in one process or many) may share one database:
// the revision check is done by the database. Close releases its connections.
type Store struct {
	pool  *pgxpool.Pool
	cache *snapshotCache
}

// Option changes how Open connects.
type Option func(*options)

type options struct {
	schema    string
	cacheSize int
	maxConns  int32
}

// WithSchema keeps the tables in the named schema, created if missing,
// instead of the connection's default search_path. Two Stores with different
// schemas in one database never see each other's secrets.
func WithSchema(name string) Option { return func(o *options) { o.schema = name } }

// WithCacheSize sets how many decoded secrets Load keeps to return again
// without decoding, by revision (default 4096; 0 disables it). The database
// is still asked for the current revision on every Load, so a cached secret
// is returned only while it is the stored one, whichever server saved it.
// The same cache is what LoadCached offers writes to start from; with 0,
// every write reads the row first.
func WithCacheSize(n int) Option { return func(o *options) { o.cacheSize = max(n, 0) } }

// WithMaxConns sets the size of the connection pool (default: pgxpool's,
// the larger of 4 and the number of CPUs, unless the URL sets
// pool_max_conns).
func WithMaxConns(n int32) Option { return func(o *options) { o.maxConns = n } }

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string, with pgxpool's pool_* parameters), then creates or
// migrates the schema. It fails if the database cannot be reached or the
// schema is newer than this code.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	o := options{cacheSize: 4096}
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// ParseConfig's error may quote the URL, password included.
		return nil, errors.New("postgres: the connection URL does not parse")
	}
	if o.schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{o.schema}.Sanitize()
	}
	if o.maxConns > 0 {
		cfg.MaxConns = o.maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, pool, o.schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate the schema: %w", err)
	}
	return &Store{pool: pool, cache: newSnapshotCache(o.cacheSize)}, nil
}

// Close closes the connections, waiting for calls in progress. It returns
// nil; its error result makes Store an io.Closer, as store/bolt's is.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Load implements rotor.Store. It is one query, which leaves the record out
// when the cache holds the stored revision.
func (s *Store) Load(ctx context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	key := cacheKey(region, name)
	cachedRev, cached := s.cache.get(key)
	var (
		rev    int64
		record []byte
	)
	err := s.pool.QueryRow(ctx, `SELECT revision, CASE WHEN revision = $3 THEN NULL ELSE record END
		FROM rotor_secrets WHERE region = $1 AND name = $2`, region, name, int64(cachedRev)).Scan(&rev, &record)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, fmt.Errorf("postgres: %s in %s: %w", name, region, rotor.ErrStoreNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: load %s: %w", name, err)
	}
	if record == nil && cached != nil && rotor.Revision(rev) == cachedRev {
		return cached, cachedRev, nil
	}
	secret, err := s.decode(key, rotor.Revision(rev), record)
	if err != nil {
		return nil, 0, err
	}
	return secret, rotor.Revision(rev), nil
}

// LoadCached implements rotor.CachedLoader: the last state of the secret
// this Store loaded or saved, from memory. Another server may have saved
// since; the Service only prepares writes from it, which Save's revision
// check refuses if so. It reports false when the cache is disabled.
func (s *Store) LoadCached(region, name string) (*rotor.Secret, rotor.Revision, bool) {
	rev, secret := s.cache.get(cacheKey(region, name))
	return secret, rev, secret != nil
}

// Save implements rotor.Store: one INSERT (expect 0) or one conditional
// UPDATE, committed before it returns.
func (s *Store) Save(ctx context.Context, secret *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	record, err := rotor.EncodeSecret(secret)
	if err != nil {
		return 0, err
	}
	if expect > maxRevision {
		// No row holds such a revision, and bigint cannot say it.
		return 0, fmt.Errorf("postgres: %s: expected revision %d: %w", secret.Name, expect, rotor.ErrStoreConflict)
	}
	region, name := secret.Region(), secret.Name
	created, changed, accessed := secret.CreatedDate, secret.LastChangedDate, secret.LastAccessedDate
	due := dueAt(secret)
	var rev int64
	if expect == 0 {
		err = s.pool.QueryRow(ctx, `INSERT INTO rotor_secrets (region, name, revision, created_unix, created_nanos, due_at, record,
				changed_unix, changed_nanos, accessed_unix, accessed_nanos)
			VALUES ($1, $2, nextval('rotor_revision'), $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (region, name) DO NOTHING
			RETURNING revision`,
			region, name, created.Unix(), int32(created.Nanosecond()), due, record,
			changed.Unix(), int32(changed.Nanosecond()), accessed.Unix(), int32(accessed.Nanosecond())).Scan(&rev)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("postgres: %s: %w", name, rotor.ErrStoreExists)
		}
	} else {
		err = s.pool.QueryRow(ctx, `UPDATE rotor_secrets
			SET revision = nextval('rotor_revision'), created_unix = $4, created_nanos = $5, due_at = $6, record = $7,
				changed_unix = $8, changed_nanos = $9, accessed_unix = $10, accessed_nanos = $11
			WHERE region = $1 AND name = $2 AND revision = $3
			RETURNING revision`,
			region, name, int64(expect), created.Unix(), int32(created.Nanosecond()), due, record,
			changed.Unix(), int32(changed.Nanosecond()), accessed.Unix(), int32(accessed.Nanosecond())).Scan(&rev)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("postgres: %s: stored revision is not %d, or no record: %w", name, expect, rotor.ErrStoreConflict)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: save %s: %w", name, err)
	}
	// We own secret now; cache a copy in case the caller breaks that rule.
	s.cache.put(cacheKey(region, name), rotor.Revision(rev), secret.Clone())
	return rotor.Revision(rev), nil
}

// maxRevision is the largest revision a bigint column holds.
const maxRevision = 1<<63 - 1

// Delete implements rotor.Store: one conditional DELETE.
func (s *Store) Delete(ctx context.Context, region, name string, expect rotor.Revision) error {
	if expect <= maxRevision {
		tag, err := s.pool.Exec(ctx, `DELETE FROM rotor_secrets WHERE region = $1 AND name = $2 AND revision = $3`, region, name, int64(expect))
		if err != nil {
			return fmt.Errorf("postgres: delete %s: %w", name, err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
	}
	// Nothing deleted: say why. Either answer means nothing changed.
	var stored int64
	err := s.pool.QueryRow(ctx, `SELECT revision FROM rotor_secrets WHERE region = $1 AND name = $2`, region, name).Scan(&stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: %s in %s: %w", name, region, rotor.ErrStoreNotFound)
	case err != nil:
		return fmt.Errorf("postgres: delete %s: %w", name, err)
	}
	return fmt.Errorf("postgres: %s: stored revision %d, expected %d: %w", name, stored, expect, rotor.ErrStoreConflict)
}

// listQuery is List's keyset pagination, answered by the index
// rotor_secrets_listing in order, without a sort.
const listQuery = `SELECT name, revision, record FROM rotor_secrets
	WHERE region = $1 AND (created_unix, created_nanos, name) > ($2, $3, $4)
	ORDER BY created_unix, created_nanos, name
	LIMIT $5`

// dueQuery is ListDue's, answered by the partial index rotor_secrets_due.
const dueQuery = `SELECT name, revision, record FROM rotor_secrets
	WHERE region = $1 AND due_at IS NOT NULL AND due_at <= $2
	ORDER BY due_at, name
	LIMIT $3`

// List implements rotor.Store with keyset pagination on the listing index.
func (s *Store) List(ctx context.Context, region string, after rotor.Cursor, limit int) ([]*rotor.Secret, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, listQuery,
		region, after.CreatedDate.Unix(), int32(after.CreatedDate.Nanosecond()), after.Name, int64(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: list %s: %w", region, err)
	}
	return s.collect(region, rows)
}

// sortedQueries are ListSorted's keyset paginations, by order and by
// whether they start at the first secret, each answered by one index in
// order (forwards or backwards), without a sort: rotor_secrets_listing,
// rotor_secrets_changed, rotor_secrets_accessed, or the primary key for
// name order. $1 is the region; $2 and $3 the position's date (Unix
// seconds and nanoseconds) and $4 its name, or, in name order, $2 its name;
// the last parameter is the limit.
var sortedQueries = func() map[sortedQuery]string {
	columns := map[string][]string{
		rotor.SortByCreatedDate:      {"created_unix", "created_nanos", "name"},
		rotor.SortByLastChangedDate:  {"changed_unix", "changed_nanos", "name"},
		rotor.SortByLastAccessedDate: {"accessed_unix", "accessed_nanos", "name"},
		rotor.SortByName:             {"name"},
	}
	out := make(map[sortedQuery]string)
	for by, cols := range columns {
		for _, desc := range []bool{false, true} {
			cmp, dir := ">", ""
			if desc {
				cmp, dir = "<", " DESC"
			}
			var params, orderBy []string
			for i, c := range cols {
				params = append(params, fmt.Sprintf("$%d", i+2))
				orderBy = append(orderBy, c+dir)
			}
			tail := " ORDER BY " + strings.Join(orderBy, ", ")
			head := "SELECT name, revision, record FROM rotor_secrets WHERE region = $1"
			out[sortedQuery{by, desc, true}] = head + tail + " LIMIT $2"
			out[sortedQuery{by, desc, false}] = head + " AND (" + strings.Join(cols, ", ") + ") " + cmp + " (" + strings.Join(params, ", ") + ")" +
				tail + fmt.Sprintf(" LIMIT $%d", len(cols)+2)
		}
	}
	return out
}()

type sortedQuery struct {
	by    string
	desc  bool
	start bool
}

// ListSorted implements rotor.SortedLister with keyset pagination on the
// index of the order's key, read forwards or backwards, so a page costs
// what it holds whatever the number of secrets.
func (s *Store) ListSorted(ctx context.Context, region string, order rotor.ListOrder, after rotor.ListPosition, limit int) ([]*rotor.Secret, error) {
	if !order.Valid() {
		return nil, fmt.Errorf("postgres: no list order %q", order.By)
	}
	if limit <= 0 {
		return nil, nil
	}
	query := sortedQueries[sortedQuery{order.By, order.Desc, after.IsStart()}]
	args := []any{region}
	switch {
	case after.IsStart():
	case order.By == rotor.SortByName:
		args = append(args, after.Name)
	default:
		args = append(args, after.Date.Unix(), int32(after.Date.Nanosecond()), after.Name)
	}
	rows, err := s.pool.Query(ctx, query, append(args, int64(limit))...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list %s by %s: %w", region, order.By, err)
	}
	return s.collect(region, rows)
}

// ListDue implements rotor.DueLister: it returns up to limit secrets of
// region whose rotor.DueAt is at or before now, earliest first. It answers
// from an index written by every save, whichever server saved, so a
// scheduler tick costs what the due secrets cost. The secrets are read-only
// snapshots, as Load's are.
func (s *Store) ListDue(ctx context.Context, region string, now time.Time, limit int) ([]*rotor.Secret, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, dueQuery, region, now, int64(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: list due secrets in %s: %w", region, err)
	}
	return s.collect(region, rows)
}

// regionsQuery walks the primary key's index from one region to the next
// (a loose index scan), so naming the regions costs one index probe per
// region, not a read of every row.
const regionsQuery = `WITH RECURSIVE r(region) AS (
	SELECT min(region) FROM rotor_secrets
	UNION ALL
	SELECT (SELECT min(region) FROM rotor_secrets WHERE region > r.region) FROM r WHERE r.region IS NOT NULL
) SELECT region FROM r WHERE region IS NOT NULL`

// Regions implements rotor.RegionLister: the regions in which the database
// holds secrets, sorted, whichever server wrote them.
func (s *Store) Regions(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, regionsQuery)
	if err != nil {
		return nil, fmt.Errorf("postgres: list regions: %w", err)
	}
	regions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: list regions: %w", err)
	}
	return regions, nil
}

// collect decodes rows of (name, revision, record) of region.
func (s *Store) collect(region string, rows pgx.Rows) ([]*rotor.Secret, error) {
	defer rows.Close()
	var out []*rotor.Secret
	for rows.Next() {
		var (
			name   string
			rev    int64
			record []byte
		)
		if err := rows.Scan(&name, &rev, &record); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		secret, err := s.decode(cacheKey(region, name), rotor.Revision(rev), record)
		if err != nil {
			return nil, err
		}
		out = append(out, secret)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

// decode returns the secret of a record, from the cache when it holds rev.
func (s *Store) decode(key string, rev rotor.Revision, record []byte) (*rotor.Secret, error) {
	if cachedRev, cached := s.cache.get(key); cached != nil && cachedRev == rev {
		return cached, nil
	}
	if record == nil {
		return nil, fmt.Errorf("postgres: revision %d has no record", rev)
	}
	secret, err := rotor.DecodeSecret(record)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s.cache.put(key, rev, secret)
	return secret, nil
}

// dueAt is the due index's value: rotor.DueAt, or NULL when the scheduler
// never needs to look at s. It is truncated to the microsecond that
// timestamptz keeps, so that the index never makes a secret due late.
func dueAt(s *rotor.Secret) *time.Time {
	at, ok := rotor.DueAt(s)
	if !ok {
		return nil
	}
	at = at.Truncate(time.Microsecond)
	return &at
}

// snapshotCache keeps the last decoded secret of each name, with its
// revision. A revision names one saved state of one secret forever (the
// sequence never hands it out twice), so an entry whose revision is the
// stored one is that state.
type snapshotCache struct {
	mu      sync.RWMutex
	size    int
	entries map[string]cacheEntry
}

type cacheEntry struct {
	rev    rotor.Revision
	secret *rotor.Secret
}

// cacheKey names a secret in the cache; regions hold no NUL byte.
func cacheKey(region, name string) string { return region + "\x00" + name }

func newSnapshotCache(size int) *snapshotCache {
	return &snapshotCache{size: size, entries: make(map[string]cacheEntry)}
}

// get returns the cached revision and secret of key, or 0 and nil.
func (c *snapshotCache) get(key string) (rotor.Revision, *rotor.Secret) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e := c.entries[key]
	return e.rev, e.secret
}

// put keeps secret as key's state at rev, unless a later revision is cached.
func (c *snapshotCache) put(key string, rev rotor.Revision, secret *rotor.Secret) {
	if c.size == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok && e.rev > rev {
		return
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.size {
		// Evict an arbitrary entry: map order is random enough.
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = cacheEntry{rev: rev, secret: secret}
}
