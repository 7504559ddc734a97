package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/rotorkit/rotor"
)

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

func BenchmarkTmpServeSigned(b *testing.B) {
	const body = `{"SecretId":"bench"}`
	h := NewHandler(Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Credentials: map[string]string{"AKID": "secret"}})
	svc, _ := h.Service("us-east-1")
	svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: "bench", SecretString: strings.Repeat("x", 100)})
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1234/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	sum := sha256.Sum256([]byte(body))
	v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now())
	w := &discardWriter{h: http.Header{}}
	rd := strings.NewReader(body)
	req.Body = io.NopCloser(rd)
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}
