package awsapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKey, date, region, service, terminator string
	signedHeaders                                []string
	signedHeadersRaw                             string
	signature                                    string
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
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return incomplete("The Authorization header has a component without '=': each must be Name=Value.")
		}
		switch k {
		case "Credential":
			fields := strings.Split(v, "/")
			if len(fields) != 5 || fields[0] == "" {
				return incomplete("The Credential of the Authorization header must be AccessKeyId/YYYYMMDD/region/secretsmanager/aws4_request.")
			}
			a.accessKey, a.date, a.region, a.service, a.terminator = fields[0], fields[1], fields[2], fields[3], fields[4]
			haveCred = true
		case "SignedHeaders":
			if v == "" {
				return incomplete("The SignedHeaders of the Authorization header is empty.")
			}
			a.signedHeadersRaw = v
			a.signedHeaders = strings.Split(v, ";")
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
		return invalid("Credential should be scoped to a valid region.")
	}
	if !slices.Contains(a.signedHeaders, "host") || !slices.Contains(a.signedHeaders, "x-amz-date") {
		return invalid("The SignedHeaders must include host and x-amz-date.")
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
	signed, aerr := signedRequest(r, a.signedHeaders)
	if aerr != nil {
		return h.cfg.Region, "", aerr
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: a.accessKey, SecretAccessKey: secret}
	if err := h.signer.SignHTTP(r.Context(), creds, signed, hex.EncodeToString(sum[:]), sigService, a.region, signedAt); err != nil {
		return invalid(msgBadSig)
	}
	want, werr := parseAuthorization(signed.Header.Get("Authorization"))
	if werr != nil || want.signedHeadersRaw != a.signedHeadersRaw ||
		subtle.ConstantTimeCompare([]byte(want.signature), []byte(a.signature)) != 1 {
		return invalid(msgBadSig)
	}
	return a.region, a.accessKey, nil
}

// signedRequest rebuilds r with only the headers the client signed, so that
// the SDK's signer computes the signature over exactly what the client did.
func signedRequest(r *http.Request, names []string) (*http.Request, *apiError) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	out := &http.Request{
		Method: r.Method,
		URL:    &url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host:   r.Host,
		Header: make(http.Header, len(names)),
	}
	for _, name := range names {
		switch name {
		case "host":
		case "content-length":
			out.ContentLength = r.ContentLength
		default:
			values := r.Header.Values(name)
			if len(values) == 0 {
				return nil, &apiError{http.StatusBadRequest, codeIncompleteSignature, "The signed header '" + name + "' is not in the request."}
			}
			out.Header[http.CanonicalHeaderKey(name)] = values
		}
	}
	return out, nil
}
