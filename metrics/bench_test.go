package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/audit"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/metrics"
)

// BenchmarkHandlerObserved measures GetSecretValue through the handler
// alone with no observer, with the metrics, with an audit trail (written
// to io.Discard, so the figure is the trail's own cost, not a disk's) and
// with both, as rotor serve wires them.
func BenchmarkHandlerObserved(b *testing.B) {
	logger := slog.New(slog.DiscardHandler)
	for _, name := range []string{"none", "metrics", "audit", "both"} {
		b.Run(name, func(b *testing.B) {
			var obs []awsapi.Observer
			m := metrics.New()
			if name == "metrics" || name == "both" {
				obs = append(obs, m)
			}
			if name == "audit" || name == "both" {
				obs = append(obs, audit.New(io.Discard, audit.Options{Logger: logger}))
			}
			cfg := awsapi.Config{Logger: logger}
			if len(obs) > 0 {
				cfg.Observer = awsapi.Observers(obs...)
			}
			h := awsapi.NewHandler(cfg)
			svc, err := h.Service("us-east-1")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: "bench", SecretString: strings.Repeat("v", 64)}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"SecretId":"bench"}`))
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}
