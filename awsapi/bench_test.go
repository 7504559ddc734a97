package awsapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/uuid"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	iampolicy "github.com/rotorkit/rotor/policy"
)

var benchValue = strings.Repeat("x", 100)

// bareHandler is the limit of the machine: it decodes the JSON request,
// reads a map under a lock and encodes the reply, and does nothing else.
func bareHandler() http.Handler {
	var mu sync.RWMutex
	values := map[string]string{"bench": benchValue}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ SecretId string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.RLock()
		v := values[req.SecretId]
		mu.RUnlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"Name": req.SecretId, "SecretString": v, "VersionStages": []string{"AWSCURRENT"}})
	})
}

// rotorServer serves a handler (logging as JSON to nowhere) with one secret, bench.
func rotorServer(b *testing.B, signed bool, opts ...rotor.Option) http.Handler {
	cfg := awsapi.Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Options: opts}
	if signed {
		cfg.Credentials = map[string]string{testKeyID: testSecret}
	}
	h := awsapi.NewHandler(cfg)
	svc, err := h.Service("us-east-1")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: "bench", SecretString: benchValue}); err != nil {
		b.Fatal(err)
	}
	return h
}

// benchClient sends requests over loopback with keep-alive, signing them
// when signed is set.
type benchClient struct {
	url    string
	http   *http.Client
	signer *v4.Signer
	signed bool
}

func (c *benchClient) do(op string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, c.url+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	if c.signed {
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
		if err := c.signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()); err != nil {
			return err
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, msg)
	}
	return nil
}

// load sends requests to one handler over loopback HTTP, keeping count of
// the time they took and their latencies.
type load struct {
	ts        *httptest.Server
	client    *benchClient
	request   func(c *benchClient) error
	elapsed   time.Duration
	latencies []time.Duration
}

func newLoad(b *testing.B, h http.Handler, signed bool, request func(c *benchClient) error) *load {
	ts := httptest.NewServer(h)
	l := &load{ts: ts, request: request, client: &benchClient{
		url:    ts.URL,
		http:   &http.Client{Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}},
		signer: v4.NewSigner(),
		signed: signed,
	}}
	if err := request(l.client); err != nil { // warm up a connection
		l.close()
		b.Fatal(err)
	}
	return l
}

func (l *load) close() {
	l.client.http.CloseIdleConnections()
	l.ts.Close()
}

// run sends n requests from conc goroutines.
func (l *load) run(b *testing.B, conc, n int) {
	var next atomic.Int64
	latencies := make([][]time.Duration, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				if err := l.request(l.client); err != nil {
					b.Error(err)
					return
				}
				latencies[g] = append(latencies[g], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	l.elapsed += time.Since(start)
	for _, ls := range latencies {
		l.latencies = append(l.latencies, ls...)
	}
}

func (l *load) rate() float64 { return float64(len(l.latencies)) / l.elapsed.Seconds() }

func (l *load) p99() time.Duration {
	if len(l.latencies) == 0 {
		return 0
	}
	slices.Sort(l.latencies)
	return l.latencies[len(l.latencies)*99/100]
}

// runConcurrent runs b.N requests from conc goroutines and reports the rate
// and the 99th percentile latency.
func runConcurrent(b *testing.B, h http.Handler, signed bool, conc int, request func(c *benchClient) error) {
	l := newLoad(b, h, signed, request)
	defer l.close()
	b.ResetTimer()
	l.run(b, conc, b.N)
	b.StopTimer()
	b.ReportMetric(float64(l.p99().Microseconds()), "p99-µs")
	b.ReportMetric(l.rate(), "req/s")
}

// BenchmarkHTTPGetSecretValue compares rotor's GetSecretValue over loopback
// HTTP with a bare handler that only decodes, reads a map and encodes. The
// two take turns, a few hundred requests at a time, so that both see the
// same machine (a shared one's speed drifts by more than the difference
// measured); it reports each one's rate and p99 latency and rotor's rate as
// a percentage of the bare handler's.
func BenchmarkHTTPGetSecretValue(b *testing.B) {
	body := []byte(`{"SecretId":"bench"}`)
	request := func(c *benchClient) error { return c.do("GetSecretValue", body) }
	for _, signed := range []bool{false, true} {
		for _, conc := range []int{1, 8} {
			b.Run(fmt.Sprintf("signed=%v/c=%d", signed, conc), func(b *testing.B) {
				bare := newLoad(b, bareHandler(), signed, request)
				defer bare.close()
				rotor := newLoad(b, rotorServer(b, signed), signed, request)
				defer rotor.close()
				const turn = 400
				b.ResetTimer()
				for done, i := 0, 0; done < b.N; i++ {
					n := min(turn, b.N-done)
					first, second := bare, rotor
					if i%2 == 1 {
						first, second = rotor, bare
					}
					first.run(b, conc, n)
					second.run(b, conc, n)
					done += n
				}
				b.StopTimer()
				b.ReportMetric(bare.rate(), "bare-req/s")
				b.ReportMetric(rotor.rate(), "rotor-req/s")
				b.ReportMetric(100*rotor.rate()/bare.rate(), "rotor/bare-%")
				b.ReportMetric(float64(bare.p99().Microseconds()), "bare-p99-µs")
				b.ReportMetric(float64(rotor.p99().Microseconds()), "rotor-p99-µs")
			})
		}
	}
}

// BenchmarkHTTPPutSecretValue writes a new AWSCURRENT version of one secret
// per request, so the secret's history grows during the run.
func BenchmarkHTTPPutSecretValue(b *testing.B) {
	for _, signed := range []bool{false, true} {
		for _, conc := range []int{1, 8} {
			b.Run(fmt.Sprintf("signed=%v/c=%d", signed, conc), func(b *testing.B) {
				// The service's clock moves an hour per reading, so versions
				// that lost their labels age past 24 hours and are removed, as
				// they would be over days of real writes.
				var hours atomic.Int64
				start := time.Now()
				clock := rotor.WithClock(func() time.Time { return start.Add(time.Duration(hours.Add(1)) * time.Hour) })
				h := rotorServer(b, signed, clock)
				runConcurrent(b, h, signed, conc, func(c *benchClient) error {
					body := []byte(`{"SecretId":"bench","SecretString":"` + benchValue + `","ClientRequestToken":"` + uuid.NewString() + `"}`)
					return c.do("PutSecretValue", body)
				})
			})
		}
	}
}

// BenchmarkHandlerGetSecretValue measures the handler alone, without a
// network: the codec's and the service's cost beside the bare handler's.
func BenchmarkHandlerGetSecretValue(b *testing.B) {
	for _, target := range []string{"bare", "rotor"} {
		b.Run(target, func(b *testing.B) {
			h := bareHandler()
			if target == "rotor" {
				h = rotorServer(b, false)
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

// BenchmarkHandlerAuthorization measures GetSecretValue through the handler
// alone, signed, with authorization off and on (the reader's identity policy
// and a resource policy on the secret), so the cost of authorization shows
// beside the rest of a request's.
func BenchmarkHandlerAuthorization(b *testing.B) {
	const body = `{"SecretId":"bench"}`
	readerPolicy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"arn:aws:secretsmanager:us-east-1:000000000000:secret:bench-*"},
		{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/classified":"yes"}}}]}`
	resourcePolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/intruder"},"Action":"secretsmanager:*","Resource":"*"}]}`
	for _, authz := range []bool{false, true} {
		b.Run(fmt.Sprintf("authorization=%v", authz), func(b *testing.B) {
			cfg := awsapi.Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Credentials: map[string]string{testKeyID: testSecret}}
			if authz {
				p, err := iampolicy.Parse(readerPolicy, iampolicy.Identity)
				if err != nil {
					b.Fatal(err)
				}
				cfg.Principals = map[string]awsapi.Principal{testKeyID: {ARN: "arn:aws:iam::000000000000:user/reader", Policies: []*iampolicy.Policy{p}}}
			}
			h := awsapi.NewHandler(cfg)
			svc, err := h.Service("us-east-1")
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "bench", SecretString: benchValue,
				Tags: []rotor.Tag{{Key: "team", Value: "core"}}}); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.PutResourcePolicy(ctx, rotor.PutResourcePolicyInput{SecretId: "bench", ResourcePolicy: resourcePolicy}); err != nil {
				b.Fatal(err)
			}
			// Sign once: the signature stays valid for minutes, longer than the run.
			signed := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			signed.Header.Set("Content-Type", "application/x-amz-json-1.1")
			signed.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
			sum := sha256.Sum256([]byte(body))
			creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
			if err := v4.NewSigner().SignHTTP(ctx, creds, signed, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
				req.Header = signed.Header.Clone()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkHandlerSigningKeys measures signed GetSecretValue through the
// handler with one access key and with two that take turns: the second must
// cost no more (each key keeps its derived signing key).
func BenchmarkHandlerSigningKeys(b *testing.B) {
	const body = `{"SecretId":"bench"}`
	const otherKeyID, otherSecret = "AKIDROTOROTHER", "another-secret-access-key"
	for _, keys := range []int{1, 2} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			h := awsapi.NewHandler(awsapi.Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
				Credentials: map[string]string{testKeyID: testSecret, otherKeyID: otherSecret}})
			svc, err := h.Service("us-east-1")
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "bench", SecretString: benchValue}); err != nil {
				b.Fatal(err)
			}
			var signed []http.Header
			for _, c := range []aws.Credentials{{AccessKeyID: testKeyID, SecretAccessKey: testSecret}, {AccessKeyID: otherKeyID, SecretAccessKey: otherSecret}}[:keys] {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
				sum := sha256.Sum256([]byte(body))
				if err := v4.NewSigner().SignHTTP(ctx, c, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()); err != nil {
					b.Fatal(err)
				}
				signed = append(signed, req.Header)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
				req.Header = signed[i%len(signed)].Clone()
				i++
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}
