package rotor

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Service runs the Secrets Manager operations for one region and account over
// a Store. It is safe for concurrent use; many Services (in one process or on
// many servers) may share one Store, because every write is a compare-and-save
// on the secret's revision, retried by re-reading and re-applying the rule.
type Service struct {
	store     Store
	cached    CachedLoader // store's, or nil
	region    string
	account   string
	partition string
	clock     func() time.Time
	random    io.Reader
	invoker   Invoker
	runner    RotationRunner
	retries   int
	// hooks holds the subscribers, replaced whole by Subscribe, so that
	// subscribing never races with a commit that emits.
	hooks  atomic.Pointer[[]func(Event)]
	hookMu sync.Mutex

	intervalMu sync.Mutex
	intervals  map[RotationRules]int64

	runtime *Runtime
}

// Option configures a Service.
type Option func(*Service)

// WithRegion sets the region of the service's ARNs (default us-east-1).
func WithRegion(region string) Option { return func(s *Service) { s.region = region } }

// WithAccountID sets the account of the service's ARNs (default 000000000000).
func WithAccountID(id string) Option { return func(s *Service) { s.account = id } }

// WithPartition sets the ARN partition (default aws).
func WithPartition(p string) Option { return func(s *Service) { s.partition = p } }

// WithClock sets the source of time (default time.Now). Every date the
// service records comes from it, truncated to milliseconds in UTC.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.clock = now } }

// WithRandom sets the source of randomness for ARN suffixes, generated
// tokens and passwords (default crypto/rand). Reads are serialized, also
// between the services one option is given to, so any io.Reader works, a
// seeded math/rand one in tests included.
func WithRandom(r io.Reader) Option {
	shared := &lockedReader{r: r}
	return func(s *Service) { s.random = shared }
}

// WithInvoker sets what runs rotation functions (default: none, so RotateSecret
// answers that it cannot invoke the function).
func WithInvoker(inv Invoker) Option { return func(s *Service) { s.invoker = inv } }

// WithRotationRunner hands accepted rotations to r (an engine that runs them
// asynchronously) instead of running the steps inside RotateSecret.
func WithRotationRunner(r RotationRunner) Option { return func(s *Service) { s.runner = r } }

// WithConflictRetries sets how many times a write that lost a race is re-read
// and re-applied before the service gives up with InternalServiceError
// (default 64).
func WithConflictRetries(n int) Option { return func(s *Service) { s.retries = n } }

// New returns a Service over store.
func New(store Store, opts ...Option) *Service {
	s := &Service{
		store: store, region: "us-east-1", account: "000000000000", partition: "aws",
		clock: time.Now, random: rand.Reader, retries: 64,
		intervals: make(map[RotationRules]int64),
	}
	for _, o := range opts {
		o(s)
	}
	s.cached, _ = store.(CachedLoader)
	s.runtime = &Runtime{s: s}
	return s
}

// Region returns the region the service serves.
func (s *Service) Region() string { return s.region }

// AccountID returns the account of the service's ARNs.
func (s *Service) AccountID() string { return s.account }

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return io.ReadFull(l.r, p)
}

// now returns the service time: UTC, millisecond precision, as AWS reports it.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// newToken returns a random UUID, as the SDKs generate for ClientRequestToken.
func (s *Service) newToken() (string, error) {
	u, err := uuid.NewRandomFromReader(s.random)
	if err != nil {
		return "", &Error{Code: CodeInternalServiceError, Message: "Could not generate a ClientRequestToken.", Err: err}
	}
	return u.String(), nil
}

const arnSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newARN returns the ARN for name with a fresh 6-character suffix.
func (s *Service) newARN(name string) (string, error) {
	suffix := make([]byte, 6)
	if err := uniformChoice(s.random, arnSuffixAlphabet, suffix); err != nil {
		return "", &Error{Code: CodeInternalServiceError, Message: "Could not generate the secret ARN.", Err: err}
	}
	return fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-%s", s.partition, s.region, s.account, name, suffix), nil
}

// uniformChoice fills dst with characters of alphabet chosen uniformly by
// rejection sampling, so no character is favoured by a modulo.
func uniformChoice(r io.Reader, alphabet string, dst []byte) error {
	n := len(alphabet)
	limit := 256 - 256%n
	buf := make([]byte, len(dst)*2)
	for i := 0; i < len(dst); {
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			dst[i] = alphabet[int(b)%n]
			i++
			if i == len(dst) {
				break
			}
		}
	}
	return nil
}

// storeError turns a store failure into the InternalServiceError a caller
// sees, keeping the native error reachable.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &Error{Code: CodeInternalServiceError, Message: "The store failed; the request may not have taken effect. Retry with the same ClientRequestToken.", Err: err}
}

// Lookup returns the secret a SecretId names, resolved exactly as every
// operation resolves it: a name, a full ARN, or a partial ARN (without the
// 6-character suffix). The secret is a shared, read-only snapshot: do not
// modify it (Clone it first). A missing secret is ResourceNotFoundException;
// one whose recovery window has passed is purged and reported missing.
// Authorizers and engines use it to see what a request is about.
func (s *Service) Lookup(ctx context.Context, secretID string) (*Secret, error) {
	sec, _, err := s.find(ctx, secretID)
	return sec, err
}

// Partition returns the ARN partition of the service (aws by default).
func (s *Service) Partition() string { return s.partition }

// find resolves a SecretId (see secretName) and loads the secret. A secret
// whose recovery window has passed is purged here and reported as missing.
func (s *Service) find(ctx context.Context, id string) (*Secret, Revision, error) {
	if err := validateSecretID(id); err != nil {
		return nil, 0, err
	}
	name, fullARN, ok := s.secretName(id)
	if !ok {
		return nil, 0, errSecretNotFound()
	}
	sec, rev, err := s.loadLive(ctx, name)
	if err == nil && fullARN && sec.ARN != id {
		// The name's secret was created again since: another suffix.
		return nil, 0, errSecretNotFound()
	}
	return sec, rev, err
}

// secretName says which secret a SecretId names: a name names itself; an
// ARN of this service's region and account names the secret in it. An ARN
// whose resource ends with a hyphen and six letters or digits is complete
// (the suffix Secrets Manager adds to every name), and it names only the
// secret with exactly that ARN; any other is partial, the name alone. AWS
// reads ARNs so: a secret whose own name ends with a hyphen and six
// characters cannot be found by a partial ARN, only by its name or its
// complete ARN. ok is false for an ARN that cannot name a secret here.
func (s *Service) secretName(id string) (name string, fullARN, ok bool) {
	if !strings.HasPrefix(id, "arn:") {
		return id, false, true
	}
	region, account, resource := splitSecretARN(id)
	if resource == "" || region != s.region || account != s.account {
		return "", false, false
	}
	name, fullARN = arnResourceName(resource)
	return name, fullARN, true
}

// arnResourceName returns the secret name in the resource part of a secret
// ARN (NAME-XXXXXX, or NAME alone in a partial ARN), and whether the resource
// is complete: it ends with a hyphen and six letters or digits, the suffix
// Secrets Manager appends to every name.
func arnResourceName(resource string) (name string, complete bool) {
	i := len(resource) - 7
	if i <= 0 || resource[i] != '-' {
		return resource, false
	}
	for j := i + 1; j < len(resource); j++ {
		if !strings.Contains(arnSuffixAlphabet, resource[j:j+1]) {
			return resource, false
		}
	}
	return resource[:i], true
}

// loadLive loads a secret by name, purging it if its deletion date passed.
func (s *Service) loadLive(ctx context.Context, name string) (*Secret, Revision, error) {
	sec, rev, err := s.store.Load(ctx, s.region, name)
	if errors.Is(err, ErrStoreNotFound) {
		return nil, 0, errSecretNotFound()
	}
	if err != nil {
		return nil, 0, storeError(err)
	}
	if s.purgeDue(sec) {
		err := s.store.Delete(ctx, s.region, name, rev)
		if err != nil && !errors.Is(err, ErrStoreNotFound) && !errors.Is(err, ErrStoreConflict) {
			return nil, 0, storeError(err)
		}
		if errors.Is(err, ErrStoreConflict) {
			// Someone changed it meanwhile (a restore, say): look again.
			return s.loadLive(ctx, name)
		}
		s.emit(Event{Kind: EventPurged, ARN: sec.ARN, Name: sec.Name, Time: s.now()})
		return nil, 0, errSecretNotFound()
	}
	return sec, rev, nil
}

func (s *Service) purgeDue(sec *Secret) bool {
	return sec.Deleted() && !sec.DeletionDate.After(s.now())
}

// errUnchanged, returned by an update function, ends the update successfully
// without saving: an idempotent replay.
var errUnchanged = errors.New("rotor: unchanged")

// update applies change to a private copy of the secret named by id and saves
// it with a revision check (see write). It returns the saved secret and
// true, or, after errUnchanged, the stored secret and false.
func (s *Service) update(ctx context.Context, id string, change func(sec *Secret) error) (*Secret, bool, error) {
	return s.write(ctx, id, changeOf(change))
}

// changeOf makes a commit's decision of a change to a private copy.
func changeOf(change func(sec *Secret) error) func(cur *Secret, _ time.Time) (*Secret, bool, error) {
	return func(cur *Secret, _ time.Time) (*Secret, bool, error) {
		next := cur.shallowClone()
		if err := change(next); err != nil {
			if errors.Is(err, errUnchanged) {
				return cur, false, nil
			}
			return nil, false, err
		}
		return next, true, nil
	}
}

// write is commit for the operations on a secret: a commit of a primary
// bumps its Generation, and after it the replicas are brought to the
// primary's new state (see replicate). A replica's own bookkeeping (its last
// access) uses commit, and moves nothing.
func (s *Service) write(ctx context.Context, id string, decide func(cur *Secret, now time.Time) (*Secret, bool, error)) (*Secret, bool, error) {
	var committed time.Time
	var purged []string
	sec, saved, err := s.commit(ctx, id, func(cur *Secret, now time.Time) (*Secret, bool, error) {
		committed = now
		next, save, err := decide(cur, now)
		if err == nil && save {
			if len(next.Replicas) > 0 {
				next.Generation = cur.Generation + 1
			}
			purged = purgedVersions(cur, next, now)
		}
		return next, save, err
	})
	if err == nil && saved {
		for _, id := range purged {
			s.emitWithLabels(sec, Event{Kind: EventVersionPurged, ARN: sec.ARN, Name: sec.Name, VersionID: id, Time: committed})
		}
	}
	if err == nil && saved && len(sec.lagging()) > 0 {
		s.replicate(ctx, sec, committed)
	}
	return sec, saved, err
}

// apply carries out a rotation rule on the secret named by id: it saves the
// next secret the rule returns when its outcome says it changed (see
// commit), and then emits exactly the outcome's events. A rule that changed
// nothing saves and emits nothing.
func (s *Service) apply(ctx context.Context, id string, rule func(sec *Secret, now time.Time) (*Secret, outcome, error)) (*Secret, outcome, error) {
	var out outcome
	sec, saved, err := s.write(ctx, id, func(cur *Secret, now time.Time) (*Secret, bool, error) {
		next, o, err := rule(cur, now)
		out = o
		switch {
		case err != nil:
			return nil, false, err
		case !o.changed:
			return cur, false, nil
		}
		return next, true, nil
	})
	if err != nil {
		return nil, outcome{}, err
	}
	if saved && s.listened() {
		labels := slices.Clone(sec.Stages)
		for _, ev := range out.events {
			ev.Labels = labels
			s.emit(ev)
		}
	}
	return sec, out, nil
}

// commit is the read-modify-write under every write: decide gets the stored
// secret (read-only) and the service's time and returns the secret to save,
// or save false to save nothing. A save that lost a race is retried from a
// fresh read, so the decision is always taken on what is really stored. It
// returns the saved secret (or the stored one, when nothing was saved) and
// whether it saved.
//
// With a store that is a CachedLoader, the first attempt starts from the
// cached state; it stands only if its save succeeds, which proves the state
// current. Otherwise (a stale cache, an error, nothing to save) the decision
// is taken again on a Load, as if that attempt had not been made.
func (s *Service) commit(ctx context.Context, id string, decide func(cur *Secret, now time.Time) (next *Secret, save bool, err error)) (*Secret, bool, error) {
	tryCache := s.cached != nil
	for attempt := 0; ; attempt++ {
		var (
			cur       *Secret
			rev       Revision
			fromCache bool
			err       error
		)
		if tryCache {
			tryCache = false
			cur, rev, fromCache = s.findCached(id)
		}
		if !fromCache {
			if cur, rev, err = s.find(ctx, id); err != nil {
				return nil, false, err
			}
		}
		next, save, err := decide(cur, s.now())
		if err != nil || !save {
			if fromCache {
				attempt-- // decide again on the stored state
				continue
			}
			if err != nil {
				return nil, false, err
			}
			return cur, false, nil
		}
		_, err = s.store.Save(ctx, next, rev)
		if err == nil {
			return next, true, nil
		}
		if !errors.Is(err, ErrStoreConflict) && !errors.Is(err, ErrStoreExists) {
			return nil, false, storeError(err)
		}
		if fromCache {
			attempt-- // the cache was stale: not a race lost
			continue
		}
		if attempt >= s.retries {
			return nil, false, &Error{Code: CodeInternalServiceError, Message: "The secret kept changing under this request; nothing was saved. Retry with the same ClientRequestToken.", Err: err}
		}
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
	}
}

// findCached resolves a SecretId, a name or a complete ARN, from the store's
// cache, as find would if the cache were current. It reports false when the
// cache does not hold the secret or the id is a partial ARN.
func (s *Service) findCached(id string) (*Secret, Revision, bool) {
	if validateSecretID(id) != nil {
		return nil, 0, false
	}
	name, fullARN, ok := s.secretName(id)
	if !ok || name != id && !fullARN {
		return nil, 0, false
	}
	sec, rev, ok := s.cached.LoadCached(s.region, name)
	if !ok || sec == nil || fullARN && sec.ARN != id || s.purgeDue(sec) {
		return nil, 0, false
	}
	return sec, rev, true
}

// live refuses a secret that is scheduled for deletion.
func live(sec *Secret) error {
	if sec.Deleted() {
		return errMarkedForDeletion()
	}
	return nil
}

// day returns midnight UTC of t's day: LastAccessedDate has day resolution.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
