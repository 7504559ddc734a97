package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"pgregory.net/rapid"
)

// splitAuthorization is the parser as first written, with strings.Split:
// the reference parseAuthorization must agree with.
func splitAuthorization(h string) (authorization, *apiError) {
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

func TestParseAuthorizationAgreesWithSplitting(t *testing.T) {
	check := func(t interface{ Fatalf(string, ...any) }, h string) {
		got, gerr := parseAuthorization(h)
		want, werr := splitAuthorization(h)
		if got != want || (gerr == nil) != (werr == nil) || (gerr != nil && *gerr != *werr) {
			t.Fatalf("parseAuthorization(%q) = %+v, %v; splitting gives %+v, %v", h, got, gerr, want, werr)
		}
	}
	for _, h := range []string{
		"",
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 ",
		"AWS4-HMAC-SHA256 Credential=K/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=K/20260101/us-east-1/secretsmanager/aws4_request,SignedHeaders=host;x-amz-date,Signature=abc,",
		"AWS4-HMAC-SHA256 Credential=K/20260101/us-east-1/secretsmanager, SignedHeaders=host, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=K/20260101/us-east-1/secretsmanager/aws4_request/x, SignedHeaders=host, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;, Signature=",
		"AWS4-HMAC-SHA256 Credential=K/D/R/S/T, SignedHeaders=, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=K/D/R/S/T, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=K/D/R/S/T, SignedHeaders=host;;x-amz-date, Signature=a=b",
	} {
		check(t, h)
	}
	rapid.Check(t, func(t *rapid.T) {
		piece := rapid.SampledFrom([]string{"AWS4-HMAC-SHA256", " ", ",", ", ", "=", "/", ";", "Credential", "SignedHeaders", "Signature", "K", "host", "x-amz-date", "us-east-1", ""})
		check(t, strings.Join(rapid.SliceOf(piece).Draw(t, "pieces"), ""))
	})
}

func TestSignsHeader(t *testing.T) {
	for _, list := range []string{"host", "host;x-amz-date", "content-type;host;x-amz-date", ";", "hos;x-amz-dat", "a;;b", ""} {
		for _, name := range []string{"host", "x-amz-date", "", "content-type", "a"} {
			if got, want := signsHeader(list, name), slices.Contains(strings.Split(list, ";"), name); got != want {
				t.Errorf("signsHeader(%q, %q) = %v, want %v", list, name, got, want)
			}
		}
	}
}

func TestCommonHeaderKeysAreCanonical(t *testing.T) {
	for name, key := range commonHeaderKeys {
		if want := http.CanonicalHeaderKey(name); key != want {
			t.Errorf("commonHeaderKeys[%q] = %q, want %q", name, key, want)
		}
	}
}

// TestAuthenticateLeavesTheRequestAlone checks that verifying a signature
// changes none of the request's headers, and that the reused storage of the
// signer's request carries nothing from one request to the next: a request
// that signed a header is followed by one that did not and by one whose
// signed header is missing.
func TestAuthenticateLeavesTheRequestAlone(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	h := NewHandler(Config{Credentials: map[string]string{"AKID": "secret"}, Clock: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	const body = `{"SecretId":"s"}`
	sign := func(header map[string]string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), sigService, "eu-west-1", now); err != nil {
			t.Fatal(err)
		}
		return req
	}
	for range 3 {
		withTarget := sign(map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"})
		before := withTarget.Header.Clone()
		region, key, aerr := h.authenticate(withTarget, []byte(body))
		if aerr != nil || region != "eu-west-1" || key != "AKID" {
			t.Fatalf("authenticate = %q, %q, %v", region, key, aerr)
		}
		if !equalHeaders(before, withTarget.Header) {
			t.Fatalf("authenticate changed the request's headers from %v to %v", before, withTarget.Header)
		}

		plain := sign(nil)
		plain.Header.Set("Content-Type", "application/x-amz-json-1.1")
		plain.Header.Set("X-Amz-Target", "secretsmanager.DeleteSecret")
		if _, _, aerr := h.authenticate(plain, []byte(body)); aerr == nil || aerr.code != codeInvalidSignature {
			t.Fatalf("a request signing only host and x-amz-date: %v", aerr)
		}

		missing := sign(map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"})
		missing.Header.Del("X-Amz-Target")
		if _, _, aerr := h.authenticate(missing, []byte(body)); aerr == nil || aerr.code != codeIncompleteSignature {
			t.Fatalf("a request without a header it signed: %v", aerr)
		}

		added := sign(map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"})
		added.Header.Set("X-Unsigned", "anything")
		if _, _, aerr := h.authenticate(added, []byte(body)); aerr != nil {
			t.Fatalf("an unsigned header is not part of the signature: %v", aerr)
		}
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// BenchmarkAuthenticate measures the signature check alone.
func BenchmarkAuthenticate(b *testing.B) {
	now := time.Now().UTC().Truncate(time.Second)
	h := NewHandler(Config{Credentials: map[string]string{"AKID": "secret"}, Clock: func() time.Time { return now }})
	body := []byte(`{"SecretId":"bench"}`)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), sigService, "us-east-1", now); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, aerr := h.authenticate(req, body); aerr != nil {
			b.Fatal(aerr)
		}
	}
}
