package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and localhost,
// named cn, to dir/cert.pem and its key to dir/key.pem (mode 0600), and
// returns the two paths and the certificate.
func selfSigned(t *testing.T, dir, cn string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err = x509.ParseCertificate(der)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile+".tmp", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	require.NoError(t, os.WriteFile(keyFile+".tmp", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	require.NoError(t, os.Rename(certFile+".tmp", certFile))
	require.NoError(t, os.Rename(keyFile+".tmp", keyFile))
	return certFile, keyFile, cert
}

// trusting is an HTTP client that trusts only cert.
func trusting(cert *x509.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func TestServeSpeaksTLSWithTheGivenCertificate(t *testing.T) {
	ctx := context.Background()
	certFile, keyFile, cert := selfSigned(t, t.TempDir(), "rotor test")
	b := startBinary(t, "--tls-cert", certFile, "--tls-key", keyFile)
	require.True(t, strings.HasPrefix(b.url, "https://127.0.0.1:"), b.url)

	c := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(b.url), Retryer: aws.NopRetryer{}, HTTPClient: trusting(cert),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBINARY", "binary-secret", ""),
	})
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("over-tls"), SecretString: aws.String("tls-protected-value")})
	require.NoError(t, err)
	got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("over-tls")})
	require.NoError(t, err)
	assert.Equal(t, "tls-protected-value", *got.SecretString)

	// The rotor command line trusts the certificate through --ca-bundle.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDBINARY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "binary-secret")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	code, out, errOut := rotorCmd(t, "get-secret-value", "--endpoint-url", b.url, "--region", "us-east-1", "--ca-bundle", certFile,
		"--secret-id", "over-tls", "--query", "SecretString", "--output", "text")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "tls-protected-value\n", out)

	// A client that does not trust it gets no answer.
	_, err = (&http.Client{Timeout: 10 * time.Second}).Post(b.url, "application/x-amz-json-1.1", strings.NewReader("{}"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	// Plain HTTP to the TLS port is answered with an error, not served.
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Post("http://"+strings.TrimPrefix(b.url, "https://"), "application/x-amz-json-1.1", strings.NewReader("{}"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, string(body))

	logs := stopped(t, b)
	assert.NotContains(t, logs, "tls-protected-value")
}

func TestServeRefusesPlainHTTPBeyondLoopbackAndBrokenTLSSettings(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir, "rotor test")
	creds := filepath.Join(dir, "creds")
	require.NoError(t, os.WriteFile(creds, []byte("AKID1 secret1\n"), 0o600))
	readableKey := filepath.Join(dir, "readable-key.pem")
	data, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(readableKey, data, 0o644))
	require.NoError(t, os.Chmod(readableKey, 0o644))
	notACert := filepath.Join(dir, "not-a-cert.pem")
	require.NoError(t, os.WriteFile(notACert, []byte("hello"), 0o644))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a non-loopback address with credentials but without TLS", []string{"--addr", "0.0.0.0:0", "--credentials", creds},
			"--addr 0.0.0.0:0 is not a loopback address and TLS is off"},
		{"an empty host with credentials but without TLS", []string{"--addr", ":0", "--credentials", creds}, "TLS is off"},
		{"a certificate without its key", []string{"--tls-cert", certFile}, "--tls-cert and --tls-key go together"},
		{"a key others may read", []string{"--tls-cert", certFile, "--tls-key", readableKey}, "--tls-key: " + readableKey + " has mode 0644: others may read it; make it 0600"},
		{"a certificate file that holds none", []string{"--tls-cert", notACert, "--tls-key", keyFile}, "--tls-cert and --tls-key: "},
		{"a certificate file that does not exist", []string{"--tls-cert", filepath.Join(dir, "missing.pem"), "--tls-key", keyFile}, "--tls-cert: "},
		{"no connections at all", []string{"--max-connections", "0"}, "--max-connections 0: want at least 1"},
		{"more connections than the process may open files", []string{"--max-connections", "100000000"}, "the open-file limit of this process is"},
		{"no listing at all", []string{"--max-concurrent-lists", "0"}, "--max-concurrent-lists 0: want at least 1"},
		{"a negative bound on listings", []string{"--max-concurrent-lists", "-1"}, "--max-concurrent-lists -1: want at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A server that wrongly starts stops when the context ends.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			err := serve(ctx, append([]string{"--store", "memory"}, tc.args...), io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestServeListensBeyondLoopbackWithTLSAndCredentials(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir, "rotor test")
	creds := filepath.Join(dir, "creds")
	require.NoError(t, os.WriteFile(creds, []byte("AKID1 secret1\n"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "0.0.0.0:0", "--store", "memory", "--credentials", creds,
			"--tls-cert", certFile, "--tls-key", keyFile, "--log-level", "error"}, io.Discard)
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	assert.NoError(t, <-done)
}

func TestARenewedCertificateIsServedWithoutARestart(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, first := selfSigned(t, dir, "first")
	r, err := newCertReloader(certFile, keyFile, discardLogger())
	require.NoError(t, err)
	served := func() string {
		c, err := r.getCertificate(nil)
		require.NoError(t, err)
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		require.NoError(t, err)
		return leaf.Subject.CommonName
	}
	assert.Equal(t, first.Subject.CommonName, served())

	// A renewal that does not load keeps the certificate that works.
	require.NoError(t, os.WriteFile(certFile, []byte("half-written"), 0o644))
	r.checkedAt = time.Time{}
	assert.Equal(t, "first", served())

	_, _, _ = selfSigned(t, dir, "second")
	r.checkedAt = time.Time{} // as if certCheckInterval had passed
	assert.Equal(t, "second", served())
}
