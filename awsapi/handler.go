package awsapi

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/uuid"

	"github.com/rotorkit/rotor"
)

// DefaultMaxBodyBytes is the largest request body a Handler reads when
// Config.MaxBodyBytes is zero: 1 MiB, well above the largest valid request
// (a 64 KiB secret value, base64-encoded).
const DefaultMaxBodyBytes = 1 << 20

// Config configures a Handler. The zero value serves region us-east-1 and
// account 000000000000 from a fresh memory store, without authentication.
type Config struct {
	// Store holds the secrets of every region. Nil means a new rotor.MemoryStore.
	Store rotor.Store
	// Region is the region of a request that names none (an unsigned one).
	// Empty means us-east-1.
	Region string
	// AccountID is the account of every ARN. Empty means 000000000000.
	AccountID string
	// Invoker runs rotation functions. Nil means none: RotateSecret then
	// answers that it cannot invoke the function.
	Invoker rotor.Invoker
	// Clock is the source of time of the services and of the signature
	// check. Nil means time.Now.
	Clock func() time.Time
	// Options are passed to rotor.New for every region's service after the
	// Clock and Invoker of this Config (so they may replace them for the
	// services alone) and before its region and account.
	Options []rotor.Option
	// NewService, when set, builds each kept region's service from the
	// options the handler computed (clock, invoker, Options, region,
	// account) instead of rotor.New(Store, opts...): the place to attach a
	// rotation engine. It is called once per region, under the handler's
	// lock, and only for a region that is kept: one where a secret is
	// stored, or one passed to Handler.Service (see the package
	// documentation). A request in a region where no secret is stored runs
	// on a service of rotor.New that is dropped after it.
	NewService func(opts ...rotor.Option) *rotor.Service
	// Credentials maps access key ids to secret access keys. When it is not
	// empty, every request must be signed with one of them (SigV4); when it
	// is empty, requests are accepted unsigned.
	Credentials map[string]string
	// Principals maps access key ids to the principals that sign with them.
	// When it is not empty, authorization is on: every operation is
	// authorized before it runs, with the identity policies of the
	// principal of the verified signature and the secret's resource policy
	// (see the package documentation), and a request signed with a key
	// that has no Principal, or not signed at all, is refused with
	// AccessDeniedException. Authorization needs signatures, so every key
	// here belongs in Credentials too. When it is empty, authorization is
	// off and costs nothing.
	Principals map[string]Principal
	// Logger receives one record per request: operation, region, status,
	// duration and error code, never a secret value. Nil means slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes is the largest request body read. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Observer, when set, sees every request and its answer before the
	// answer is sent (an audit trail, metrics); see Observer. Without one,
	// answers are written as they are made and cost nothing more.
	Observer Observer
	// MaxConcurrentLists is how many calls that list secrets may run at
	// once, across regions: ListSecrets, and BatchGetSecretValue with
	// Filters. One call more is refused at once, before it reads the
	// store, with ThrottlingException ("Rate exceeded", HTTP 400), which
	// the AWS SDKs and the aws command retry with back-off. Zero means
	// DefaultMaxConcurrentLists; a negative value means no bound.
	MaxConcurrentLists int
}

// DefaultMaxConcurrentLists is the bound on concurrent listing calls when
// Config.MaxConcurrentLists is zero. A page costs what it holds over
// rotor's stores, so the bound is for a store that must be read whole, and
// for a database that other servers share.
const DefaultMaxConcurrentLists = 16

// Handler serves the Secrets Manager JSON 1.1 protocol. It is safe for
// concurrent use.
type Handler struct {
	cfg    Config
	logger *slog.Logger
	// signers holds one SDK signer per access key id: a signer caches the
	// signing key it derived for one access key per region, so keys that
	// shared one would derive it again on every request that alternates.
	signers map[string]*v4.Signer
	// policies caches parsed resource policies; nil when authorization is off.
	policies *policyCache
	// identities are the principals of Config.Principals.
	identities map[string]identity

	requestIDs requestIDs

	// lists holds a token per listing call running; nil when unbounded.
	lists chan struct{}

	mu       sync.RWMutex
	services map[string]*rotor.Service // the kept regions'
	// creating counts the CreateSecrets running in regions not kept, each
	// holding one of the MaxRegions slots until it is done.
	creating int
}

// requestIDs numbers requests with UUIDs: a random one drawn when the
// Handler is made, plus a count of the requests before, so that ids are
// unique without reading random bytes for each request. Request ids name
// requests in logs and replies; they are not secrets.
type requestIDs struct {
	base  uuid.UUID
	count atomic.Uint64
}

// next returns the next request id, a version 4 UUID.
func (g *requestIDs) next() string {
	id := g.base
	n := binary.BigEndian.Uint64(id[8:]) + g.count.Add(1)
	binary.BigEndian.PutUint64(id[8:], n)
	id[8] = id[8]&0x3f | 0x80 // the variant bits, which the sum may carry into
	return id.String()
}

// NewHandler returns a Handler for cfg. cfg.Credentials and cfg.Principals
// are copied (the parsed policies are shared: they are immutable).
func NewHandler(cfg Config) *Handler {
	if cfg.Store == nil {
		cfg.Store = rotor.NewMemoryStore()
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	creds := make(map[string]string, len(cfg.Credentials))
	signers := make(map[string]*v4.Signer, len(cfg.Credentials))
	for k, v := range cfg.Credentials {
		creds[k] = v
		signers[k] = v4.NewSigner()
	}
	cfg.Credentials = creds
	var cache *policyCache
	var identities map[string]identity
	if len(cfg.Principals) > 0 {
		identities = make(map[string]identity, len(cfg.Principals))
		for k, v := range cfg.Principals {
			identities[k] = newIdentity(v)
		}
		cfg.Principals = nil
		cache = &policyCache{m: make(map[string]cachedPolicy)}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	h := &Handler{cfg: cfg, logger: logger, signers: signers, policies: cache, identities: identities, services: make(map[string]*rotor.Service)}
	switch n := cfg.MaxConcurrentLists; {
	case n == 0:
		h.lists = make(chan struct{}, DefaultMaxConcurrentLists)
	case n > 0:
		h.lists = make(chan struct{}, n)
	}
	h.requestIDs.base = uuid.New()
	return h
}

// apiError is an error answered on the wire.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// Protocol-level error codes, answered before any operation runs.
const (
	codeUnknownOperation     = "UnknownOperationException"
	codeSerialization        = "SerializationException"
	codeUnsupportedMediaType = "UnsupportedMediaTypeException"
	codeTooLarge             = "RequestEntityTooLargeException"
	codeMissingAuth          = "MissingAuthenticationTokenException"
	codeIncompleteSignature  = "IncompleteSignatureException"
	codeInvalidSignature     = "InvalidSignatureException"
	codeUnrecognizedClient   = "UnrecognizedClientException"
)

const targetPrefix = "secretsmanager."

// requestIDKey is http.CanonicalHeaderKey("x-amzn-RequestId"), the key under
// which Header.Set would store it, computed once rather than per request.
const requestIDKey = "X-Amzn-Requestid"

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := h.requestIDs.next()
	w.Header()[requestIDKey] = []string{requestID}
	opName := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if len(opName) > 64 {
		opName = opName[:64]
	}
	var x *Exchange
	var buf *bufferedAnswer
	if h.cfg.Observer != nil {
		x = &Exchange{RequestID: requestID, Operation: opName}
		buf = &bufferedAnswer{w: w}
		w = buf
	}
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler {
			panic(p)
		}
		// A bug, not bad input: answer as AWS does and log where, but not the
		// panic's value, which might hold request data.
		if buf != nil {
			buf.status = 0
			clear(buf.body.Bytes())
			buf.body.Reset()
			writeError(buf, http.StatusInternalServerError, rotor.CodeInternalServiceError, "An internal error occurred.")
			h.observe(buf, r, x, start)
		} else {
			writeError(w, http.StatusInternalServerError, rotor.CodeInternalServiceError, "An internal error occurred.")
		}
		h.logger.LogAttrs(r.Context(), slog.LevelError, "secretsmanager request panicked",
			slog.String("request_id", requestID), slog.String("operation", opName),
			slog.String("panic_type", fmt.Sprintf("%T", p)), slog.String("stack", string(debug.Stack())))
	}()
	region, status, code, note := h.serve(w, r, opName, x)
	if buf != nil {
		if validRegion(region) {
			x.Region = region
		}
		h.observe(buf, r, x, start)
		if x.Status != status {
			status, code = x.Status, x.ErrorCode
		}
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	// The record is made here rather than by Logger.LogAttrs, which would
	// look up the caller's program counter for every request: the source of
	// this line is always this function, and the lookup costs more than the
	// rest of the record.
	lh := h.logger.Handler()
	if !lh.Enabled(r.Context(), level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, "secretsmanager request", 0)
	rec.AddAttrs(
		slog.String("request_id", requestID),
		slog.String("operation", opName),
		slog.String("region", region),
		slog.Int("status", status),
		slog.Duration("duration", rec.Time.Sub(start)),
	)
	if code != "" {
		rec.AddAttrs(slog.String("error_code", code))
	}
	if note != "" {
		rec.AddAttrs(slog.String("note", note))
	}
	_ = lh.Handle(r.Context(), rec)
}

// serve answers one request and reports what the log needs.
// x, when not nil, gets what only serve knows: the body and the signer.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, opName string, x *Exchange) (region string, status int, code, note string) {
	fail := func(e *apiError) (string, int, string, string) {
		writeError(w, e.status, e.code, e.message)
		return region, e.status, e.code, ""
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return fail(&apiError{http.StatusMethodNotAllowed, codeUnknownOperation, "Secrets Manager accepts only POST requests."})
	}
	if r.URL.Path != "/" {
		return fail(&apiError{http.StatusNotFound, codeUnknownOperation, "Secrets Manager requests go to the path /."})
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes), r.ContentLength)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return fail(&apiError{http.StatusRequestEntityTooLarge, codeTooLarge,
				"The request body is larger than the limit of " + strconv.FormatInt(h.cfg.MaxBodyBytes, 10) + " bytes."})
		}
		return fail(&apiError{http.StatusBadRequest, codeSerialization, "The request body could not be read."})
	}
	region, accessKey, aerr := h.authenticate(r, body)
	if x != nil {
		x.request = body
		if aerr == nil {
			x.AccessKeyID = accessKey
			if id, ok := h.identities[accessKey]; ok {
				x.Principal = id.ARN
			}
		}
	}
	if aerr != nil {
		return fail(aerr)
	}
	if !jsonMediaType(r.Header.Get("Content-Type")) {
		return fail(&apiError{http.StatusUnsupportedMediaType, codeUnsupportedMediaType,
			"The Content-Type must be application/x-amz-json-1.1."})
	}
	target := r.Header.Get("X-Amz-Target")
	run := operations[opName]
	if !strings.HasPrefix(target, targetPrefix) || run == nil {
		msg := "The operation " + strconv.Quote(opName) + " is not an operation of Secrets Manager; send X-Amz-Target: secretsmanager.<Operation>."
		if unsupported[opName] && strings.HasPrefix(target, targetPrefix) {
			msg = "rotor does not implement " + opName + " (replication)."
		}
		return fail(&apiError{http.StatusBadRequest, codeUnknownOperation, msg})
	}
	if !validRegion(region) {
		return fail(&apiError{http.StatusBadRequest, codeIncompleteSignature, "Credential should be scoped to a valid region, not " + quoteRegion(region) + ": " + regionForm})
	}
	ctx := r.Context()
	svc, done, aerr := h.serviceFor(ctx, region, opName)
	if aerr != nil {
		return fail(aerr)
	}
	if h.policies != nil {
		p, known := h.identities[accessKey]
		c := &call{op: opName, principal: p, known: known && accessKey != "", now: h.cfg.Clock().UTC(), secure: r.TLS != nil, cache: h.policies}
		ctx = context.WithValue(ctx, callKey{}, c)
	}
	if h.lists != nil && (opName == "ListSecrets" || opName == "BatchGetSecretValue") {
		ctx = context.WithValue(ctx, listSlotsKey{}, h.lists)
	}
	created := false
	if done != nil {
		// Deferred, so that a panic frees the slot too.
		defer func() { done(created) }()
	}
	out, err := run(ctx, svc, body)
	created = err == nil
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return fail(ae)
		}
		status, code, msg := serviceError(err)
		writeError(w, status, code, msg)
		return region, status, code, ""
	}
	if sf, ok := out.(stepFailed); ok {
		out, note = sf.reply, "rotation step "+string(sf.step)+" failed; the rotation stays pending"
	}
	if a, ok := out.(appender); ok {
		buf := replyBuffers.Get().(*[]byte)
		*buf = a.appendJSON((*buf)[:0])
		writeJSON(w, http.StatusOK, *buf)
		if cap(*buf) <= maxPooledReply {
			clear(*buf) // the reply holds a secret value: do not keep it
			replyBuffers.Put(buf)
		}
		return region, http.StatusOK, "", note
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, http.StatusInternalServerError, rotor.CodeInternalServiceError, "The reply could not be encoded.")
		return region, http.StatusInternalServerError, rotor.CodeInternalServiceError, ""
	}
	writeJSON(w, http.StatusOK, b)
	return region, http.StatusOK, "", note
}

// appender is a reply that encodes itself without reflection, to exactly
// the bytes json.Marshal gives for it (the tests hold it to that).
type appender interface {
	appendJSON(b []byte) []byte
}

// replyBuffers hold the encoded replies of appenders until they are
// written: the ResponseWriter copies what it is given.
var replyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledReply is the largest buffer kept for reuse, so that one large
// secret value does not stay in the pool.
const maxPooledReply = 16 << 10

// jsonMediaType reports whether a Content-Type names application/x-amz-json-1.1
// or application/json, with any parameters. The exact type the SDKs send
// is accepted without parsing it (and allocating its parameters).
func jsonMediaType(contentType string) bool {
	if contentType == "application/x-amz-json-1.1" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/x-amz-json-1.1" || mt == "application/json")
}

// readBody reads r to its end as io.ReadAll does, into a buffer of the
// declared length (plus the byte that sees the end) when that is small, not
// io.ReadAll's first 512 bytes.
func readBody(r io.Reader, declared int64) ([]byte, error) {
	if declared < 0 || declared >= 512 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, declared+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			// Longer than declared: let io.ReadAll's growth take over.
			rest, err := io.ReadAll(r)
			return append(b, rest...), err
		}
	}
}

// serviceError maps an error of the service to the wire. An *rotor.Error
// keeps its code and message; anything else is an internal error whose text
// is not sent.
func serviceError(err error) (status int, code, message string) {
	var e *rotor.Error
	if errors.As(err, &e) {
		if e.Code == rotor.CodeInternalServiceError {
			return http.StatusInternalServerError, e.Code, e.Message
		}
		return http.StatusBadRequest, e.Code, e.Message
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return http.StatusBadRequest, rotor.CodeInvalidRequest, "The request was canceled before it completed."
	}
	return http.StatusInternalServerError, rotor.CodeInternalServiceError, "An internal error occurred."
}

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"Message,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(errorBody{Type: code, Message: message})
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, b)
}

// jsonContentType is the value of every reply's Content-Type, shared by
// all replies as net/http allows: it only reads header values.
var jsonContentType = []string{"application/x-amz-json-1.1"}

// writeJSON writes a reply. Its Content-Length is set here when the reply
// is large; a small one net/http measures itself, as the handler returns,
// without allocating the header's value.
func writeJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	if len(b) >= smallReply {
		h["Content-Length"] = []string{strconv.Itoa(len(b))}
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// smallReply is the size from which a reply's Content-Length is set by the
// handler: net/http sets it for a reply shorter than its chunking buffer
// (2048 bytes) and sends a longer one chunked unless it is set.
const smallReply = 1024
