package encrypted

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/internal/revcache"
)

// Every Store is a rotor.Store with the scheduler's index and the listing
// indexes, and passes on the inner store's cache of states to the Service.
var (
	_ rotor.Store        = (*Store)(nil)
	_ rotor.CachedLoader = (*Store)(nil)
	_ rotor.DueLister    = (*Store)(nil)
	_ rotor.RegionLister = (*Store)(nil)
	_ rotor.SortedLister = (*Store)(nil)
)

// Store is a rotor.Store that encrypts every version's value before it
// reaches an inner store and decrypts it on the way back. It adds no rules of
// its own: revisions, conflicts and listing are the inner store's, so it
// passes storetest.Run when the inner store does. It is safe for concurrent
// use when the inner store is.
type Store struct {
	inner  rotor.Store
	keys   *Keyring
	random io.Reader
	cache  *revcache.Cache[state]
}

// state is what the cache keeps of one revision: the decrypted secret, and
// the envelope stored for each of its versions, in the same order, so that a
// save of a later state seals only the versions that are new.
type state struct {
	plain  *rotor.Secret
	sealed []rotor.Value
}

// sealedValues returns the values of sealed's versions, in order.
func sealedValues(sealed *rotor.Secret) []rotor.Value {
	values := make([]rotor.Value, len(sealed.Versions))
	for i, v := range sealed.Versions {
		values[i] = v.Value
	}
	return values
}

// Option changes how New wraps a store.
type Option func(*Store)

// WithRandom sets the source of data keys and nonces (default crypto/rand).
// It must be cryptographically secure outside tests; it is read under a
// lock, so any io.Reader will do.
func WithRandom(r io.Reader) Option { return func(s *Store) { s.random = &lockedReader{r: r} } }

// WithCacheSize sets of how many secrets the wrapper keeps the last
// decrypted state, with its envelopes, to return again without decrypting
// and to save again without encrypting what did not change (default 1024; 0
// disables it). A cached state is used only while its revision is the stored
// one; each secret takes one entry however often it is saved. The cache holds
// plaintext in memory, as every loaded secret does.
func WithCacheSize(n int) Option { return func(s *Store) { s.cache = revcache.New[state](max(n, 0)) } }

// New returns inner wrapped with encryption under the master keys of keys,
// which must not change afterwards. inner must keep binary values byte for
// byte, as storetest.Run checks. Closing inner is the caller's business.
func New(inner rotor.Store, keys *Keyring, opts ...Option) *Store {
	s := &Store{inner: inner, keys: keys, random: rand.Reader, cache: revcache.New[state](1024)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Load implements rotor.Store. A version whose value does not decrypt (its
// master key is missing or another, or its envelope is damaged) comes back as
// a rotor.UnreadableValue holding its envelope: the secret's metadata and its
// other versions stay readable, reading that version's value fails with a
// *rotor.Error of Code rotor.CodeDecryptionFailure, and a later save writes
// the envelope back as it was.
func (s *Store) Load(ctx context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	sealed, rev, err := s.inner.Load(ctx, region, name)
	if err != nil {
		return nil, 0, err
	}
	return s.open(sealed, rev), rev, nil
}

// LoadCached implements rotor.CachedLoader for an inner store that does: the
// inner store's cached state, decrypted (from this Store's cache when it
// holds that revision). It reports false when the inner store keeps no
// cache, or holds no state of the secret.
func (s *Store) LoadCached(region, name string) (*rotor.Secret, rotor.Revision, bool) {
	inner, ok := s.inner.(rotor.CachedLoader)
	if !ok {
		return nil, 0, false
	}
	sealed, rev, ok := inner.LoadCached(region, name)
	if !ok {
		return nil, 0, false
	}
	return s.open(sealed, rev), rev, true
}

// Save implements rotor.Store. A master key missing from the keyring fails
// the call with a *rotor.Error of Code rotor.CodeEncryptionFailure, before
// anything reaches the inner store, when the save has a value to seal with
// it: a save that adds no value (a tag, a deletion, a label) stores the
// envelopes as they were, and so does one of a secret whose key is gone.
func (s *Store) Save(ctx context.Context, secret *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	var prev state
	if expect != 0 {
		prev, _ = s.cache.Get(secret.Region(), secret.Name, expect)
	}
	sealed, err := s.seal(secret, prev)
	if err != nil {
		return 0, err
	}
	values := sealedValues(sealed)
	rev, err := s.inner.Save(ctx, sealed, expect)
	if err != nil {
		return 0, err
	}
	// We own secret now; keep a copy in case the caller breaks that rule.
	// The copy keeps the order of secret's versions, which values follows.
	s.cache.Put(secret.Region(), secret.Name, rev, state{plain: secret.Clone(), sealed: values})
	return rev, nil
}

// Delete implements rotor.Store.
func (s *Store) Delete(ctx context.Context, region, name string, expect rotor.Revision) error {
	return s.inner.Delete(ctx, region, name, expect)
}

// List implements rotor.Store. A version that does not decrypt comes back
// unreadable, as from Load: one damaged secret never fails a page.
func (s *Store) List(ctx context.Context, region string, after rotor.Cursor, limit int) ([]*rotor.Secret, error) {
	page, err := s.inner.List(ctx, region, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*rotor.Secret, len(page))
	for i, sealed := range page {
		out[i] = s.open(sealed, 0) // List gives no revisions: no cache
	}
	return out, nil
}

// seal returns a copy of secret whose values are envelopes. A version that
// secret shares with prev's plain secret (the same *rotor.Version: versions
// never change once saved) keeps the envelope stored for it, when the ARN
// and the KMS key are prev's: only new versions are encrypted, under a new
// data key. So a save costs the same at 1 and at 100 versions.
func (s *Store) seal(secret *rotor.Secret, prev state) (*rotor.Secret, error) {
	out := secret.Clone()
	var stored map[*rotor.Version]rotor.Value
	if p := prev.plain; p != nil && p.ARN == secret.ARN && canonicalKeyID(p.KmsKeyID) == canonicalKeyID(secret.KmsKeyID) &&
		len(prev.sealed) == len(p.Versions) {
		stored = make(map[*rotor.Version]rotor.Value, len(p.Versions))
		for i, v := range p.Versions {
			stored[v] = prev.sealed[i]
		}
	}
	var (
		master []byte
		dk     *dataKey
	)
	for i, v := range out.Versions {
		if v.Value.IsZero() {
			continue // The pending placeholder has nothing to hide.
		}
		if env, _, unreadable := v.Value.Unreadable(); unreadable {
			v.Value = env // what could not be opened is kept as it was
			continue
		}
		if env, ok := stored[secret.Versions[i]]; ok && env.IsBinary() {
			v.Value = env
			continue
		}
		if master == nil {
			var ok bool
			if master, ok = s.keys.key(secret.KmsKeyID); !ok {
				return nil, encryptionFailure(secret, "the KMS key is not in the keyring", nil)
			}
		}
		if dk == nil {
			var err error
			if dk, err = newDataKey(s.random, master, canonicalKeyID(secret.KmsKeyID), secret.ARN); err != nil {
				return nil, encryptionFailure(secret, "no data key could be made", err)
			}
		}
		kind, plain := kindString, []byte(v.Value.Text())
		if v.Value.IsBinary() {
			kind, plain = kindBinary, v.Value.Bytes()
		}
		env, err := dk.seal(s.random, secret.ARN, v.ID, kind, plain)
		clear(plain)
		if err != nil {
			return nil, encryptionFailure(secret, "the value could not be sealed", err)
		}
		v.Value = rotor.BinaryValue(env)
	}
	return out, nil
}

// open returns a copy of sealed whose values are decrypted; a value that
// does not decrypt becomes a rotor.UnreadableValue holding its envelope and
// the DecryptionFailure that says why. rev, when not 0, is sealed's revision,
// under which the result is cached.
func (s *Store) open(sealed *rotor.Secret, rev rotor.Revision) *rotor.Secret {
	if rev != 0 {
		if st, ok := s.cache.Get(sealed.Region(), sealed.Name, rev); ok {
			return st.plain
		}
	}
	out := sealed.Clone()
	// The envelopes of one save carry the same sealed data key, and a
	// record holds those of a few saves: open each data key once.
	var (
		openedKey   []byte
		openedKeyID string
		aead        cipher.AEAD
		opened      map[string]cipher.AEAD // by key id and sealed key
	)
	for _, v := range out.Versions {
		if v.Value.IsZero() {
			continue
		}
		unreadable := func(keyID, reason string) {
			v.Value = rotor.UnreadableValue(v.Value, decryptionFailure(sealed, keyID, fmt.Sprintf("version %s: %s", v.ID, reason)))
		}
		if !v.Value.IsBinary() {
			unreadable("", "the stored value is not encrypted")
			continue
		}
		e, err := parseEnvelope(v.Value.Bytes())
		if err != nil {
			unreadable("", err.Error())
			continue
		}
		if aead == nil || openedKeyID != e.keyID || !bytes.Equal(openedKey, e.sealedKey) {
			name := e.keyID + "\x00" + string(e.sealedKey)
			a, ok := opened[name]
			if !ok {
				master, ok := s.keys.key(e.keyID)
				if !ok {
					unreadable(e.keyID, "the KMS key is not in the keyring")
					continue
				}
				if a, err = openDataKey(e, master, sealed.ARN); err != nil {
					unreadable(e.keyID, err.Error())
					continue
				}
				if opened == nil {
					opened = make(map[string]cipher.AEAD)
				}
				opened[name] = a
			}
			aead, openedKey, openedKeyID = a, e.sealedKey, e.keyID
		}
		plain, err := e.open(aead, sealed.ARN, v.ID)
		if err != nil {
			unreadable(e.keyID, err.Error())
			continue
		}
		if e.kind == kindBinary {
			v.Value = rotor.BinaryValue(plain)
		} else {
			v.Value = rotor.StringValue(string(plain))
		}
		clear(plain)
	}
	if rev != 0 {
		s.cache.Put(sealed.Region(), sealed.Name, rev, state{plain: out, sealed: sealedValues(sealed)})
	}
	return out
}

// encryptionFailure is the error of a save that could not encrypt.
func encryptionFailure(secret *rotor.Secret, reason string, cause error) error {
	return &rotor.Error{
		Code: rotor.CodeEncryptionFailure,
		Message: fmt.Sprintf("Secrets Manager can't encrypt the protected secret text of %s using the KMS key %q: %s.",
			secret.Name, canonicalKeyID(secret.KmsKeyID), reason),
		Err: cause,
	}
}

// decryptionFailure is the error of a load that could not decrypt. keyID is
// "" when the envelope could not be read.
func decryptionFailure(secret *rotor.Secret, keyID, reason string) error {
	using := "its KMS key"
	if keyID != "" {
		using = fmt.Sprintf("the KMS key %q", keyID)
	}
	return &rotor.Error{
		Code:    rotor.CodeDecryptionFailure,
		Message: fmt.Sprintf("Secrets Manager can't decrypt the protected secret text of %s using %s: %s.", secret.Name, using, reason),
	}
}

// lockedReader serializes reads of a caller's io.Reader, which need not be
// safe for concurrent use.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return io.ReadFull(l.r, p)
}

// ListDue implements rotor.DueLister by passing the call to the inner
// store's ListDue and decrypting what it returns, so that wrapping a store
// keeps its due index. It returns an error matching errors.ErrUnsupported
// when the inner store is no rotor.DueLister, and the engine then reads
// every secret instead.
func (s *Store) ListDue(ctx context.Context, region string, now time.Time, limit int) ([]*rotor.Secret, error) {
	inner, ok := s.inner.(rotor.DueLister)
	if !ok {
		return nil, fmt.Errorf("encrypted: the inner store %T has no ListDue: %w", s.inner, errors.ErrUnsupported)
	}
	page, err := inner.ListDue(ctx, region, now, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*rotor.Secret, len(page))
	for i, sealed := range page {
		out[i] = s.open(sealed, 0)
	}
	return out, nil
}

// Regions implements rotor.RegionLister by passing the call to the inner
// store. It returns an error matching errors.ErrUnsupported when the inner
// store is no rotor.RegionLister.
func (s *Store) Regions(ctx context.Context) ([]string, error) {
	inner, ok := s.inner.(rotor.RegionLister)
	if !ok {
		return nil, fmt.Errorf("encrypted: the inner store %T cannot name its regions: %w", s.inner, errors.ErrUnsupported)
	}
	return inner.Regions(ctx)
}

// ListSorted implements rotor.SortedLister by passing the call to the inner
// store's ListSorted and decrypting what it returns: the dates and names an
// order needs are kept in the clear, so wrapping a store keeps its indexes.
// A version that does not decrypt comes back unreadable, as from List. It
// returns an error matching errors.ErrUnsupported when the inner store is
// no rotor.SortedLister, and the service then reads every secret instead.
func (s *Store) ListSorted(ctx context.Context, region string, order rotor.ListOrder, after rotor.ListPosition, limit int) ([]*rotor.Secret, error) {
	inner, ok := s.inner.(rotor.SortedLister)
	if !ok {
		return nil, fmt.Errorf("encrypted: the inner store %T has no ListSorted: %w", s.inner, errors.ErrUnsupported)
	}
	page, err := inner.ListSorted(ctx, region, order, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*rotor.Secret, len(page))
	for i, sealed := range page {
		out[i] = s.open(sealed, 0)
	}
	return out, nil
}
