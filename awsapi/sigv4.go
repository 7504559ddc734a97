package awsapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sigAlgorithm   = "AWS4-HMAC-SHA256"
	sigService     = "secretsmanager"
	sigTerminator  = "aws4_request"
	amzDateLayout  = "20060102T150405Z"
	maxClockSkew   = 5 * time.Minute
	msgBadKey      = "The security token included in the request is invalid."
	msgBadSig      = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgMissingAuth = "Missing Authentication Token"
)

// authorization is a parsed SigV4 Authorization header. Its strings are
// substrings of the header: parsing it allocates nothing.
type authorization struct {
	accessKey, date, region, service, terminator string
	// signedHeaders is the SignedHeaders value as sent, names separated by
	// ';' (see eachSignedHeader).
	signedHeaders string
	signature     string
}

// cutField cuts s at the first sep, reporting whether there was one, as
// strings.Cut does; a loop over it visits the fields strings.Split would
// return, empty ones included, without allocating them.
func cutField(s string, sep byte) (field, rest string, more bool) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=K/D/R/S/aws4_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (authorization, *apiError) {
	var a authorization
	incomplete := func(msg string) (authorization, *apiError) {
		return authorization{}, &apiError{http.StatusBadRequest, codeIncompleteSignature, msg}
	}
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || alg != sigAlgorithm {
		return incomplete("The Authorization header must use the algorithm " + sigAlgorithm + ".")
	}
	var haveCred, haveSigned, haveSig bool
	for more := true; more; {
		var part string
		part, rest, more = cutField(rest, ',')
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return incomplete("The Authorization header has a component without '=': each must be Name=Value.")
		}
		switch k {
		case "Credential":
			var fields [5]string
			n := 0 // how many fields v has, counted up to one too many
			for tail, more := v, true; more && n <= len(fields); n++ {
				var f string
				f, tail, more = cutField(tail, '/')
				if n < len(fields) {
					fields[n] = f
				}
			}
			if n != len(fields) || fields[0] == "" {
				return incomplete("The Credential of the Authorization header must be AccessKeyId/YYYYMMDD/region/secretsmanager/aws4_request.")
			}
			a.accessKey, a.date, a.region, a.service, a.terminator = fields[0], fields[1], fields[2], fields[3], fields[4]
			haveCred = true
		case "SignedHeaders":
			if v == "" {
				return incomplete("The SignedHeaders of the Authorization header is empty.")
			}
			a.signedHeaders = v
			haveSigned = true
		case "Signature":
			a.signature = v
			haveSig = true
		}
	}
	switch {
	case !haveCred:
		return incomplete("The Authorization header requires a 'Credential' parameter.")
	case !haveSigned:
		return incomplete("The Authorization header requires a 'SignedHeaders' parameter.")
	case !haveSig:
		return incomplete("The Authorization header requires a 'Signature' parameter.")
	}
	return a, nil
}

// mustSign are the headers every signature must cover, as the AWS SDKs sign
// them: without x-amz-target, a signed request could be replayed as another
// operation (a DescribeSecret as a DeleteSecret), and without content-type
// its body could be read under another media type.
var mustSign = [...]string{"host", "x-amz-date", "content-type", "x-amz-target"}

// signsHeader reports whether the SignedHeaders value list names name.
func signsHeader(list, name string) bool {
	for more := true; more; {
		var n string
		n, list, more = cutField(list, ';')
		if n == name {
			return true
		}
	}
	return false
}

// authenticate checks the request's signature when credentials are
// configured and returns the region the request is for: its credential
// scope's, else the default, and the access key id of a verified signature
// ("" when credentials are not configured).
func (h *Handler) authenticate(r *http.Request, body []byte) (string, string, *apiError) {
	header := r.Header.Get("Authorization")
	if len(h.cfg.Credentials) == 0 {
		// Unauthenticated: a signature only names the region.
		if a, err := parseAuthorization(header); err == nil && a.region != "" {
			return a.region, "", nil
		}
		return h.cfg.Region, "", nil
	}
	if header == "" {
		return h.cfg.Region, "", &apiError{http.StatusForbidden, codeMissingAuth, msgMissingAuth}
	}
	a, aerr := parseAuthorization(header)
	if aerr != nil {
		return h.cfg.Region, "", aerr
	}
	invalid := func(msg string) (string, string, *apiError) {
		return h.cfg.Region, "", &apiError{http.StatusBadRequest, codeInvalidSignature, msg}
	}
	secret, known := h.cfg.Credentials[a.accessKey]
	if !known {
		return h.cfg.Region, "", &apiError{http.StatusBadRequest, codeUnrecognizedClient, msgBadKey}
	}
	if a.service != sigService {
		return invalid("Credential should be scoped to correct service: '" + sigService + "'.")
	}
	if a.terminator != sigTerminator {
		return invalid("Credential should be scoped with a valid terminator: '" + sigTerminator + "'.")
	}
	if !validRegion(a.region) {
		return invalid("Credential should be scoped to a valid region, not " + quoteRegion(a.region) + ": " + regionForm)
	}
	for _, name := range mustSign {
		if !signsHeader(a.signedHeaders, name) {
			return invalid("The SignedHeaders must include " + name + ": a request must sign its host, x-amz-date, content-type and x-amz-target headers.")
		}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return h.cfg.Region, "", &apiError{http.StatusBadRequest, codeIncompleteSignature, "The X-Amz-Date header must be a date in the form YYYYMMDDTHHMMSSZ."}
	}
	if a.date != amzDate[:8] {
		return invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + a.date + "' != '" + amzDate[:8] + "', from 'X-Amz-Date'.")
	}
	now := h.cfg.Clock().UTC()
	if signedAt.Before(now.Add(-maxClockSkew)) {
		return invalid("Signature expired: " + amzDate + " is now earlier than " + now.Add(-maxClockSkew).Format(amzDateLayout) + " (" + now.Format(amzDateLayout) + " - 5 min.)")
	}
	if signedAt.After(now.Add(maxClockSkew)) {
		return invalid("Signature not yet current: " + amzDate + " is still later than " + now.Add(maxClockSkew).Format(amzDateLayout) + " (" + now.Format(amzDateLayout) + " + 5 min.)")
	}
	sr := signedRequests.Get().(*signedReq)
	defer sr.release()
	if aerr := sr.build(r, a.signedHeaders); aerr != nil {
		return h.cfg.Region, "", aerr
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: a.accessKey, SecretAccessKey: secret}
	if err := h.signers[a.accessKey].SignHTTP(r.Context(), creds, &sr.req, hex.EncodeToString(sum[:]), sigService, a.region, signedAt, verbatimPath); err != nil {
		return invalid(msgBadSig)
	}
	got := sr.req.Header[authorizationKey]
	if len(got) != 1 {
		return invalid(msgBadSig)
	}
	signedHeaders, signature, ok := signerResult(got[0])
	if !ok || signedHeaders != a.signedHeaders ||
		subtle.ConstantTimeCompare([]byte(signature), []byte(a.signature)) != 1 {
		return invalid(msgBadSig)
	}
	return a.region, a.accessKey, nil
}

// verbatimPath tells the SDK's signer not to escape the path again: the
// handler serves only "/", which escaping leaves as it is.
func verbatimPath(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

// signerResult takes the SignedHeaders and the Signature out of the
// Authorization header the SDK's signer wrote, which always has the form
// "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".
func signerResult(h string) (signedHeaders, signature string, ok bool) {
	const sh, sig = ", SignedHeaders=", ", Signature="
	i := strings.LastIndex(h, sig)
	if i < 0 {
		return "", "", false
	}
	j := strings.LastIndex(h[:i], sh)
	if j < 0 {
		return "", "", false
	}
	return h[j+len(sh) : i], h[i+len(sig):], true
}

const (
	authorizationKey = "Authorization"
	amzDateKey       = "X-Amz-Date"
)

// signedReq is the request handed to the SDK's signer: only what the client
// signed (method, path, query, host and its signed headers), in storage
// reused across requests, since the signer writes into it (X-Amz-Date,
// Authorization, the URL's query and the host) and keeps nothing of it.
type signedReq struct {
	req    http.Request
	url    url.URL
	header http.Header
	// date and auth are the value slices of X-Amz-Date and Authorization,
	// which the signer appends its values to after truncating them.
	date, auth []string
}

var signedRequests = sync.Pool{New: func() any {
	return &signedReq{header: make(http.Header, 8), date: make([]string, 0, 1), auth: make([]string, 0, 1)}
}}

// release clears s, so that it holds no request data in the pool, and puts
// it back.
func (s *signedReq) release() {
	clear(s.header)
	clear(s.date[:cap(s.date)])
	clear(s.auth[:cap(s.auth)])
	s.req = http.Request{}
	s.url = url.URL{}
	signedRequests.Put(s)
}

// build makes s the request r with only the headers named in signed (the
// SignedHeaders list), so that the SDK's signer computes the signature
// over exactly what the client did. The headers are kept under the
// lower-case names the client listed: the signer lower-cases names, which
// then costs nothing, and it signs every one of them, even those it would
// leave out of a signature of its own (User-Agent), when a client signed
// them. The signer sets X-Amz-Date itself, from the signing time parsed out
// of r's, so it is not copied, and r's header values are shared, not
// copied: the signer only reads them.
func (s *signedReq) build(r *http.Request, signed string) *apiError {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	s.url = url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	s.req = http.Request{Method: r.Method, URL: &s.url, Host: r.Host, Header: s.header}
	for more := true; more; {
		var name string
		name, signed, more = cutField(signed, ';')
		switch name {
		case "host":
		case "content-length":
			s.req.ContentLength = r.ContentLength
		case "x-amz-date":
			// Checked present and parsed by the caller; the signer sets it.
		default:
			values := r.Header[canonicalHeaderKey(name)]
			if len(values) == 0 {
				return &apiError{http.StatusBadRequest, codeIncompleteSignature, "The signed header '" + name + "' is not in the request."}
			}
			s.header[name] = values
		}
	}
	s.header[amzDateKey] = s.date[:0]
	s.header[authorizationKey] = s.auth[:0]
	return nil
}

// commonHeaderKeys are the canonical forms of the header names SDKs sign,
// so that canonicalHeaderKey need not build them for every request.
var commonHeaderKeys = map[string]string{
	"content-type":          "Content-Type",
	"x-amz-target":          "X-Amz-Target",
	"x-amz-security-token":  "X-Amz-Security-Token",
	"x-amz-content-sha256":  "X-Amz-Content-Sha256",
	"x-amz-user-agent":      "X-Amz-User-Agent",
	"amz-sdk-invocation-id": "Amz-Sdk-Invocation-Id",
	"amz-sdk-request":       "Amz-Sdk-Request",
	"content-encoding":      "Content-Encoding",
	"accept-encoding":       "Accept-Encoding",
	"user-agent":            "User-Agent",
}

// canonicalHeaderKey is http.CanonicalHeaderKey, without allocating for
// the common names.
func canonicalHeaderKey(name string) string {
	if k, ok := commonHeaderKeys[name]; ok {
		return k
	}
	return http.CanonicalHeaderKey(name)
}
