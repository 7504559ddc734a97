package audit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/audit"
)

// The service's own events become records of their own: here a rotation
// whose testSecret step failed.
func ExampleTrail_ServiceEvent() {
	var buf bytes.Buffer
	trail := audit.New(&buf, audit.Options{AccountID: "123456789012"})
	record := trail.ServiceEvent("us-east-1")
	record(rotor.Event{Kind: rotor.EventStepFailed, ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
		Name: "db", Step: rotor.StepTestSecret, Error: "the function failed: cannot log in", Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})

	var rec audit.Record
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		panic(err)
	}
	fmt.Println(rec.EventTime, rec.EventName, rec.EventType, rec.UserIdentity.InvokedBy)
	fmt.Println(rec.AdditionalData["step"], rec.Resources[0].ARN)
	// Output:
	// 2026-03-01T12:00:00Z RotationFailed AwsServiceEvent secretsmanager.amazonaws.com
	// testSecret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf
}
