package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/engine"
	"github.com/rotorkit/rotor/metrics"
	"github.com/rotorkit/rotor/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scrape reads url's metrics with Prometheus's own text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// value is the sample of family name whose labels include want.
func value(t *testing.T, families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := families[name]
	require.True(t, ok, "no family %s", name)
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			if got[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	t.Fatalf("%s has no sample with %v", name, want)
	return 0
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestAScrapeShowsRequestsRotationsAndTheEngine(t *testing.T) {
	ctx := context.Background()
	m := metrics.New()
	functions := &rotor.FunctionRegistry{}
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
	fail := true
	store := m.Store(rotor.NewMemoryStore())
	logger := slog.New(slog.DiscardHandler)
	var engines []*engine.Engine
	h := awsapi.NewHandler(awsapi.Config{Store: store, Observer: m, Logger: logger, Invoker: functions,
		NewService: func(o ...rotor.Option) *rotor.Service {
			e := engine.New(store, engine.Config{Logger: logger, MaxAttempts: 1}, o...)
			svc := e.Service()
			svc.Subscribe(m.ServiceEvent(svc.Region()))
			m.AddEngine(svc.Region(), e)
			require.NoError(t, e.Start(ctx))
			engines = append(engines, e)
			return svc
		}})
	t.Cleanup(func() {
		for _, e := range engines {
			e.Close()
		}
	})
	svc, err := h.Service("us-east-1")
	require.NoError(t, err)
	functions.Register(fn, &rotor.TemplateRotator{API: svc, Test: func(context.Context, rotor.GetSecretValueOutput) error {
		if fail {
			return errors.New("cannot log in")
		}
		return nil
	}})
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)
	ready := func(ctx context.Context) error {
		if err := metrics.StoreAnswers(ctx, store, "us-east-1"); err != nil {
			return err
		}
		return m.EnginesRunning()
	}
	ops := httptest.NewServer(m.Handler(ready))
	t.Cleanup(ops.Close)

	c := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(api.URL), Retryer: aws.NopRetryer{}})
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v1")})
	require.NoError(t, err)
	for range 3 {
		_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
		require.NoError(t, err)
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	require.Error(t, err)
	out, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), RotationLambdaARN: aws.String(fn)})
	require.NoError(t, err)
	arn := aws.ToString(out.ARN)
	assert.Error(t, engines[0].Wait(ctx, arn, aws.ToString(out.VersionId)), "testSecret fails")
	fail = false
	out, err = c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), RotationLambdaARN: aws.String(fn),
		ClientRequestToken: out.VersionId})
	require.NoError(t, err)
	require.NoError(t, engines[0].Wait(ctx, arn, aws.ToString(out.VersionId)))
	// A made-up Region and operation make no series of their own.
	made := secretsmanager.New(secretsmanager.Options{Region: "xx-made-9", BaseEndpoint: aws.String(api.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDANY", "any", "")})
	_, _ = made.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})

	// Start's first tick runs in the scheduler's goroutine: wait for it.
	require.Eventually(t, func() bool { return !engines[0].Stats().LastTick.IsZero() }, 10*time.Second, time.Millisecond)
	f := scrape(t, ops.URL)
	east := map[string]string{"region": "us-east-1"}
	assert.Equal(t, 3.0, value(t, f, "rotor_requests_total", map[string]string{"operation": "GetSecretValue", "region": "us-east-1", "code": ""}))
	assert.Equal(t, 1.0, value(t, f, "rotor_requests_total", map[string]string{"operation": "GetSecretValue", "code": "ResourceNotFoundException"}))
	assert.Equal(t, 1.0, value(t, f, "rotor_requests_total", map[string]string{"operation": "GetSecretValue", "region": "other"}))
	assert.Equal(t, 2.0, value(t, f, "rotor_requests_total", map[string]string{"operation": "RotateSecret"}))
	assert.Equal(t, 5.0, value(t, f, "rotor_request_duration_seconds", map[string]string{"operation": "GetSecretValue"}))
	assert.Equal(t, 1.0, value(t, f, "rotor_rotations_total", map[string]string{"region": "us-east-1", "outcome": "started"}))
	assert.Equal(t, 1.0, value(t, f, "rotor_rotations_total", map[string]string{"region": "us-east-1", "outcome": "succeeded"}))
	assert.Equal(t, 1.0, value(t, f, "rotor_rotation_step_failures_total", map[string]string{"region": "us-east-1", "step": "testSecret"}))
	assert.Equal(t, 1.0, value(t, f, "rotor_engine_running", east))
	assert.Equal(t, 0.0, value(t, f, "rotor_engine_active_rotations", east))
	assert.Equal(t, 0.0, value(t, f, "rotor_scheduler_lag_seconds", east))
	assert.Greater(t, value(t, f, "rotor_scheduler_last_tick_timestamp_seconds", east), float64(time.Now().Add(-time.Hour).Unix()))
	assert.Positive(t, value(t, f, "rotor_store_operation_duration_seconds", map[string]string{"operation": "save", "outcome": "ok"}))
	assert.Positive(t, value(t, f, "rotor_store_operation_duration_seconds", map[string]string{"operation": "load", "outcome": "not_found"}))
	assert.Contains(t, f, "go_goroutines")

	code, body := get(t, ops.URL+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)
	code, _ = get(t, ops.URL+"/readyz")
	assert.Equal(t, http.StatusOK, code)
	engines[0].Close()
	code, body = get(t, ops.URL+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, body, "not running")
}

func TestReplicaWritesAndTheirLagAreCounted(t *testing.T) {
	ctx := context.Background()
	m := metrics.New()
	store := m.Store(rotor.NewMemoryStore())
	east := rotor.New(store, rotor.WithRegion("us-east-1"))
	east.Subscribe(m.ServiceEvent("us-east-1"))
	_, err := east.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v1", AddReplicaRegions: []rotor.ReplicaRegion{{Region: "eu-west-1"}}})
	require.NoError(t, err)
	_, err = east.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "v2"})
	require.NoError(t, err)
	ops := httptest.NewServer(m.Handler(func(context.Context) error { return nil }))
	t.Cleanup(ops.Close)
	f := scrape(t, ops.URL)
	assert.Equal(t, 2.0, value(t, f, "rotor_replica_writes_total", map[string]string{"region": "eu-west-1"}))
	assert.Equal(t, 2.0, value(t, f, "rotor_replication_lag_seconds", nil))
}

func TestTheMeasuredStoreKeepsTheStoreContract(t *testing.T) {
	m := metrics.New()
	storetest.Run(t, func(*testing.T) rotor.Store { return m.Store(rotor.NewMemoryStore()) })
}

// plain hides every optional capability of its store.
type plain struct{ rotor.Store }

func TestTheMeasuredStoreKeepsOnlyTheCapabilitiesItsStoreHas(t *testing.T) {
	st := metrics.New().Store(plain{rotor.NewMemoryStore()})
	_, err := st.(rotor.DueLister).ListDue(context.Background(), "us-east-1", time.Now(), 10)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = st.(rotor.RegionLister).Regions(context.Background())
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	_, _, ok := st.(rotor.CachedLoader).LoadCached("us-east-1", "db")
	assert.False(t, ok)
	_, err = st.(rotor.SortedLister).ListSorted(context.Background(), "us-east-1", rotor.ListOrder{}, rotor.ListPosition{}, 10)
	assert.ErrorIs(t, err, errors.ErrUnsupported)
	storetest.Run(t, func(*testing.T) rotor.Store { return metrics.New().Store(plain{rotor.NewMemoryStore()}) })
}
