package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
)

// wireServer serves a rotor.Service over the Secrets Manager JSON protocol,
// just enough for the tests of Remote (the real server is rotor serve's).
func wireServer(t *testing.T, api API) *httptest.Server {
	t.Helper()
	m := loadModel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		opName := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
		body, _ := io.ReadAll(r.Body)
		var op operation
		for _, o := range m.Operations {
			if o.Name == opName {
				op = o
			}
		}
		fn := callers[opName]
		if fn == nil {
			http.Error(w, "unknown operation", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		out, err := fn(r.Context(), api, body)
		if err != nil {
			e, _ := err.(*rotor.Error)
			if e == nil {
				e = &rotor.Error{Code: rotor.CodeInternalServiceError, Message: err.Error()}
			}
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
			return
		}
		if op.Output == "" {
			_, _ = w.Write([]byte("{}"))
			return
		}
		v, err := renderOutput(m, m.shape(op.Output), out, time.UTC)
		if err != nil {
			t.Error(err)
		}
		var b strings.Builder
		writeJSON(&b, epochDates(m, m.shape(op.Output), v), 0, nil, false)
		_, _ = w.Write([]byte(b.String()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// epochDates turns the printed dates of an output back into the epoch
// seconds the wire protocol carries.
func epochDates(m *serviceModel, sh *shape, v any) any {
	switch sh.Type {
	case "structure":
		o := v.(*object)
		for _, k := range o.keys {
			mem, ok := sh.member(k)
			if !ok {
				mem, _ = sh.member(memberAliases[k])
			}
			o.vals[k] = epochDates(m, m.shape(mem.Shape), o.vals[k])
		}
	case "list":
		for i, e := range v.([]any) {
			v.([]any)[i] = epochDates(m, m.shape(sh.Member), e)
		}
	case "timestamp":
		t, err := time.Parse("2006-01-02T15:04:05.999999-07:00", v.(string))
		if err != nil {
			panic(err)
		}
		return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
	}
	return v
}

func TestRemoteMatchesLocal(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	local := newService(t)
	served := newService(t)
	srv := wireServer(t, served)
	remote, err := NewRemote(context.Background(), ParseGlobals([]string{"--endpoint-url", srv.URL}))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"create-secret --name db --secret-string s3cr3t --client-request-token EXAMPLE1-90ab-cdef-fedc-ba987SECRET1 --tags Key=a,Value=b",
		"get-secret-value --secret-id db",
		"put-secret-value --secret-id db --secret-binary aGVsbG8= --client-request-token EXAMPLE2-90ab-cdef-fedc-ba987SECRET2",
		"rotate-secret --secret-id db --rotation-lambda-arn " + testLambda + " --rotation-rules AutomaticallyAfterDays=10 --client-request-token EXAMPLE3-90ab-cdef-fedc-ba987SECRET3",
		"describe-secret --secret-id db",
		"list-secret-version-ids --secret-id db --include-deprecated",
		"list-secrets",
		"batch-get-secret-value --secret-id-list db nope",
		"update-secret-version-stage --secret-id db --version-stage x --move-to-version-id EXAMPLE2-90ab-cdef-fedc-ba987SECRET2",
		"tag-resource --secret-id db --tags Key=c,Value=d",
		"untag-resource --secret-id db --tag-keys a",
		"get-resource-policy --secret-id db",
		"delete-secret --secret-id db",
		"restore-secret --secret-id db",
		"cancel-rotate-secret --secret-id db",
		"create-secret --name rep --secret-string v --client-request-token EXAMPLE4-90ab-cdef-fedc-ba987SECRET4 --add-replica-regions Region=eu-west-1",
		"replicate-secret-to-regions --secret-id rep --add-replica-regions Region=eu-central-1,KmsKeyId=alias/k Region=eu-west-1",
		"describe-secret --secret-id rep",
		"remove-regions-from-replication --secret-id rep --remove-replica-regions eu-central-1 eu-north-1",
		"stop-replication-to-replica --secret-id rep",
		"rotate-secret --secret-id nope",
	} {
		want := run(t, local, line)
		got := run(t, remote, line)
		if got != want {
			t.Errorf("%s:\nremote: %+v\nlocal:  %+v", line, got, want)
		}
	}
	// The SDK makes its own tokens, so the servers' random streams differ:
	// compare the password's length only.
	r := run(t, remote, "get-random-password --password-length 8 --query RandomPassword --output text")
	if r.code != 0 || len(r.stdout) != 9 {
		t.Errorf("get-random-password: %+v", r)
	}
}
