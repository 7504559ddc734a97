package metrics_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/engine"
	"github.com/rotorkit/rotor/metrics"
)

// Wire the metrics into a Secrets Manager handler and read a scrape.
func Example() {
	m := metrics.New()
	logger := slog.New(slog.DiscardHandler)
	store := m.Store(rotor.NewMemoryStore())
	h := awsapi.NewHandler(awsapi.Config{Store: store, Observer: m, Logger: logger,
		NewService: func(opts ...rotor.Option) *rotor.Service {
			e := engine.New(store, engine.Config{Logger: logger}, opts...)
			svc := e.Service()
			svc.Subscribe(m.ServiceEvent(svc.Region()))
			m.AddEngine(svc.Region(), e)
			return svc
		}})
	if _, err := h.Service("us-east-1"); err != nil {
		panic(err)
	}

	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Name":"prod/db","SecretString":"s3cret","ClientRequestToken":"11111111-1111-4111-8111-111111111111"}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
	h.ServeHTTP(httptest.NewRecorder(), req)

	ready := func(ctx context.Context) error { return metrics.StoreAnswers(ctx, store, "us-east-1") }
	rec := httptest.NewRecorder()
	m.Handler(ready).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "rotor_requests_total{") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// rotor_requests_total{code="",operation="CreateSecret",region="us-east-1"} 1
}
