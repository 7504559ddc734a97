// Package metrics exposes rotor serve's Prometheus metrics and health
// checks: requests by operation and error code, latency by operation,
// rotations started, succeeded and failed by step, retries, the
// scheduler's lag, the engines' queue, store latency and replication, on
// a registry of its own, served by Handler with /healthz and /readyz.
//
// Wire it with the server's parts:
//
//	m := metrics.New()
//	cfg.Observer = m                            // every request
//	svc.Subscribe(m.ServiceEvent(svc.Region())) // each Region's rotations
//	m.AddEngine(svc.Region(), e)                // queue, lag, retries
//	store = m.Store(store)                      // store latency
//	http.ListenAndServe(addr, m.Handler(ready))
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/engine"
)

// Metrics holds rotor's collectors. It is an awsapi.Observer.
type Metrics struct {
	reg *prometheus.Registry

	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	rotations    *prometheus.CounterVec
	stepFailures *prometheus.CounterVec
	replicaWrite *prometheus.CounterVec
	replicaLag   prometheus.Histogram
	storeLatency *prometheus.HistogramVec

	mu      sync.Mutex
	engines map[string]*engine.Engine
}

var _ awsapi.Observer = (*Metrics)(nil)

// New returns Metrics on a new registry, with the Go runtime's and the
// process's collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), engines: map[string]*engine.Engine{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rotor_requests_total",
		Help: "Secrets Manager requests answered, by operation, Region (\"other\" for one without an engine) and error code (\"\" for success).",
	}, []string{"operation", "region", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rotor_request_duration_seconds",
		Help:    "Time to answer a Secrets Manager request, by operation.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"operation"})
	m.rotations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rotor_rotations_total",
		Help: "Rotation outcomes by Region: started, succeeded, failed (an attempt; see rotor_rotation_step_failures_total), abandoned.",
	}, []string{"region", "outcome"})
	m.stepFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rotor_rotation_step_failures_total",
		Help: "Failed rotation attempts by Region and the step that failed.",
	}, []string{"region", "step"})
	m.replicaWrite = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rotor_replica_writes_total",
		Help: "Replica records written (or deleted) from their primary, by the replica's Region.",
	}, []string{"region"})
	m.replicaLag = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "rotor_replication_lag_seconds",
		Help:    "Time from a primary's last change to its replica's write.",
		Buckets: []float64{.001, .005, .025, .1, .5, 1, 5, 30, 60, 300, 3600},
	})
	m.storeLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rotor_store_operation_duration_seconds",
		Help:    "Time of the store's operations, by operation (load, save, delete, list, list_sorted, list_due, regions) and outcome.",
		Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1, 5},
	}, []string{"operation", "outcome"})
	m.reg.MustRegister(m.requests, m.latency, m.rotations, m.stepFailures, m.replicaWrite, m.replicaLag, m.storeLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		engineCollector{m})
	return m
}

// Registry is the registry the metrics are on, for a caller's own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Observe implements awsapi.Observer: it counts the request and its time.
func (m *Metrics) Observe(x *awsapi.Exchange) error {
	op := x.Operation
	if !awsapi.IsOperation(op) {
		op = "unknown" // a caller cannot make new series
	}
	region := x.Region
	m.mu.Lock()
	if m.engines[region] == nil {
		region = "other" // a Region the server does not keep: made-up names make no series
	}
	m.mu.Unlock()
	// Error codes are the server's own, a fixed set.
	m.requests.WithLabelValues(op, region, x.ErrorCode).Inc()
	m.latency.WithLabelValues(op).Observe(x.Duration.Seconds())
	return nil
}

// ServiceEvent returns a function for rotor.Service.Subscribe that counts
// region's rotation outcomes and replica writes.
func (m *Metrics) ServiceEvent(region string) func(rotor.Event) {
	started, succeeded, failed, abandoned := m.rotations.WithLabelValues(region, "started"),
		m.rotations.WithLabelValues(region, "succeeded"), m.rotations.WithLabelValues(region, "failed"),
		m.rotations.WithLabelValues(region, "abandoned")
	return func(ev rotor.Event) {
		switch ev.Kind {
		case rotor.EventRotationStarted:
			started.Inc()
		case rotor.EventRotationFinished:
			succeeded.Inc()
		case rotor.EventStepFailed:
			failed.Inc()
			m.stepFailures.WithLabelValues(region, string(ev.Step)).Inc()
		case rotor.EventRotationAbandon:
			abandoned.Inc()
		case rotor.EventReplicated:
			m.replicaWrite.WithLabelValues(regionOf(ev.ARN)).Inc()
			m.replicaLag.Observe(ev.Lag.Seconds())
		}
	}
}

// AddEngine reports e, region's rotation engine: its queue, the
// scheduler's lag, retries and whether it runs.
func (m *Metrics) AddEngine(region string, e *engine.Engine) {
	m.mu.Lock()
	m.engines[region] = e
	m.mu.Unlock()
}

// Engines returns the engines added, by Region.
func (m *Metrics) Engines() map[string]*engine.Engine {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]*engine.Engine, len(m.engines))
	for r, e := range m.engines {
		out[r] = e
	}
	return out
}

var (
	activeDesc   = prometheus.NewDesc("rotor_engine_active_rotations", "Rotations queued, running or waiting to retry, by Region.", []string{"region"}, nil)
	lagDesc      = prometheus.NewDesc("rotor_scheduler_lag_seconds", "How late the oldest rotation the last scheduler tick found due was, by Region.", []string{"region"}, nil)
	tickDesc     = prometheus.NewDesc("rotor_scheduler_last_tick_timestamp_seconds", "When the scheduler last ran, by Region.", []string{"region"}, nil)
	retriesDesc  = prometheus.NewDesc("rotor_rotation_retries_total", "Retries of failed rotation attempts scheduled, by Region.", []string{"region"}, nil)
	resumedDesc  = prometheus.NewDesc("rotor_rotations_resumed_total", "Rotations taken over from the store (after a crash, or orphaned), by Region.", []string{"region"}, nil)
	runningDesc  = prometheus.NewDesc("rotor_engine_running", "1 when the Region's rotation engine runs.", []string{"region"}, nil)
	engineDescs  = []*prometheus.Desc{activeDesc, lagDesc, tickDesc, retriesDesc, resumedDesc, runningDesc}
	errNoEngines = errors.New("metrics: no rotation engine was added")
)

// engineCollector reads the engines' stats at each scrape.
type engineCollector struct{ m *Metrics }

func (c engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range engineDescs {
		ch <- d
	}
}

func (c engineCollector) Collect(ch chan<- prometheus.Metric) {
	for region, e := range c.m.Engines() {
		st := e.Stats()
		ch <- prometheus.MustNewConstMetric(activeDesc, prometheus.GaugeValue, float64(st.Active), region)
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, st.Lag.Seconds(), region)
		if !st.LastTick.IsZero() {
			ch <- prometheus.MustNewConstMetric(tickDesc, prometheus.GaugeValue, float64(st.LastTick.UnixNano())/1e9, region)
		}
		ch <- prometheus.MustNewConstMetric(retriesDesc, prometheus.CounterValue, float64(st.Retried), region)
		ch <- prometheus.MustNewConstMetric(resumedDesc, prometheus.CounterValue, float64(st.Resumed), region)
		running := 0.0
		if st.Running {
			running = 1
		}
		ch <- prometheus.MustNewConstMetric(runningDesc, prometheus.GaugeValue, running, region)
	}
}

// Handler serves /metrics, /healthz (the process answers) and /readyz
// (ready answers nil within five seconds: the store answers, migrations
// are done, the engines run) on one address.
func (m *Metrics) Handler(ready func(ctx context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// EnginesRunning is a readiness check: every engine added runs, and at
// least one was added.
func (m *Metrics) EnginesRunning() error {
	engines := m.Engines()
	if len(engines) == 0 {
		return errNoEngines
	}
	for region, e := range engines {
		if !e.Stats().Running {
			return errors.New("metrics: the rotation engine of " + strconv.Quote(region) + " is not running")
		}
	}
	return nil
}

// StoreAnswers is a readiness check: a load of a secret that no caller can
// create (its name is not a valid secret name) answers not found.
func StoreAnswers(ctx context.Context, st rotor.Store, region string) error {
	_, _, err := st.Load(ctx, region, "rotor readiness probe: no such secret")
	if err == nil || errors.Is(err, rotor.ErrStoreNotFound) {
		return nil
	}
	return errors.New("metrics: the store does not answer: " + err.Error())
}

// regionOf is the Region field of an ARN.
func regionOf(arn string) string {
	// arn:aws:secretsmanager:REGION:...
	n := 0
	start := 0
	for i := 0; i < len(arn); i++ {
		if arn[i] == ':' {
			n++
			switch n {
			case 3:
				start = i + 1
			case 4:
				return arn[start:i]
			}
		}
	}
	return ""
}
