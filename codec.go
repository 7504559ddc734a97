package rotor

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rotorkit/rotor/internal/jsonstr"
)

// EncodeSecret returns the serialized form of s, values included, for stores
// that keep bytes (files, databases). DecodeSecret reverses it. The format is
// versioned JSON; times keep nanoseconds and are stored in UTC.
//
// The bytes contain secret values in the clear: keep them away from logs, and
// wrap the store with encryption at rest where the medium is shared.
func EncodeSecret(s *Secret) ([]byte, error) {
	h := headOf(s)
	head, err := json.Marshal(h)
	if err != nil {
		// No field of the head can fail to marshal; say which secret if one does.
		return nil, fmt.Errorf("rotor: encode secret %s: %w", s.Name, err)
	}
	// The versions, most of a record's bytes, are appended to the head's
	// object without reflection, as json.Marshal encodes record's Versions
	// field, after the head's: the tests hold the whole to json.Marshal's
	// bytes.
	size := len(head) + len(`,"versions":[]}`)
	for _, v := range s.Versions {
		text, bin := v.Value.view()
		size += versionRecordSize + len(v.ID) + len(text) + base64.StdEncoding.EncodedLen(len(bin))
	}
	b := make([]byte, 0, size)
	b = append(b, head[:len(head)-1]...)
	b = append(b, `,"versions":[`...)
	for i, v := range s.Versions {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendVersionRecord(b, v); err != nil {
			return nil, fmt.Errorf("rotor: encode secret %s: %w", s.Name, err)
		}
	}
	return append(b, ']', '}'), nil
}

// headOf returns the record fields of s other than its versions.
func headOf(s *Secret) recordHead {
	return recordHead{
		Format: recordFormat, ARN: s.ARN, Name: s.Name, Description: s.Description,
		KmsKeyID: s.KmsKeyID, Type: s.Type, Tags: s.Tags,
		CreatedDate: s.CreatedDate, LastChangedDate: s.LastChangedDate,
		LastAccessedDate: s.LastAccessedDate, LastRotatedDate: s.LastRotatedDate,
		NextRotationDate: s.NextRotationDate, DeletedDate: s.DeletedDate, DeletionDate: s.DeletionDate,
		RotationConfigured: s.RotationConfigured, RotationEnabled: s.RotationEnabled,
		RotationLambdaARN: s.RotationLambdaARN, RotationRules: s.RotationRules,
		ResourcePolicy: s.ResourcePolicy, OwningService: s.OwningService, PrimaryRegion: s.PrimaryRegion,
		Replicas: replicaRecordsOf(s.Replicas), Generation: s.Generation,
		Stages: s.Stages, Rotation: rotationRecordOf(s.Rotation),
	}
}

// versionRecordSize is what a version's record takes besides its id and
// value: the names, the dates, the punctuation.
const versionRecordSize = len(`{"id":"","s":"","b":"","bin":true,"created":"2006-01-02T15:04:05.999999999Z","accessed":"2006-01-02T15:04:05.999999999Z"},`)

// appendVersionRecord appends v as json.Marshal encodes its versionRecord.
func appendVersionRecord(b []byte, v *Version) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = jsonstr.Append(b, v.ID)
	switch {
	case v.Value.IsZero():
	case v.Value.IsBinary():
		_, bin := v.Value.view()
		if len(bin) > 0 {
			b = append(b, `,"b":"`...)
			b = base64.StdEncoding.AppendEncode(b, bin)
			b = append(b, '"')
		}
		b = append(b, `,"bin":true`...)
	default:
		text, _ := v.Value.view()
		b = append(b, `,"s":`...)
		b = jsonstr.Append(b, text)
	}
	var err error
	b = append(b, `,"created":`...)
	if b, err = appendJSONTime(b, v.CreatedDate); err != nil {
		return nil, err
	}
	b = append(b, `,"accessed":`...)
	if b, err = appendJSONTime(b, v.LastAccessedDate); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendJSONTime appends t as json.Marshal encodes a time.Time. A UTC time
// of years 0 to 9999 is formatted directly; any other is left to
// Time.MarshalJSON, which refuses what RFC 3339 cannot say.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); t.Location() == time.UTC && y >= 0 && y <= 9999 {
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"'), nil
	}
	q, err := t.MarshalJSON()
	return append(b, q...), err
}

// DecodeSecret parses bytes made by EncodeSecret.
func DecodeSecret(b []byte) (*Secret, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("rotor: decode secret record: %w", err)
	}
	if r.Format != recordFormat {
		return nil, fmt.Errorf("rotor: decode secret record: unknown format %d", r.Format)
	}
	s := &Secret{
		ARN: r.ARN, Name: r.Name, Description: r.Description, KmsKeyID: r.KmsKeyID, Type: r.Type,
		Tags: r.Tags, CreatedDate: r.CreatedDate, LastChangedDate: r.LastChangedDate,
		LastAccessedDate: r.LastAccessedDate, LastRotatedDate: r.LastRotatedDate,
		NextRotationDate: r.NextRotationDate, DeletedDate: r.DeletedDate, DeletionDate: r.DeletionDate,
		RotationConfigured: r.RotationConfigured, RotationEnabled: r.RotationEnabled,
		RotationLambdaARN: r.RotationLambdaARN, RotationRules: r.RotationRules,
		ResourcePolicy: r.ResourcePolicy, OwningService: r.OwningService, PrimaryRegion: r.PrimaryRegion,
		Replicas: replicasOf(r.Replicas), Generation: r.Generation,
		Stages: r.Stages, Rotation: r.Rotation.state(),
	}
	s.Versions = make([]*Version, len(r.Versions))
	for i, vr := range r.Versions {
		v := &Version{ID: vr.ID, CreatedDate: vr.CreatedDate, LastAccessedDate: vr.LastAccessedDate}
		switch {
		case vr.IsBinary:
			if vr.Binary == nil {
				vr.Binary = []byte{}
			}
			// The decoded slice is ours alone: no copy needed.
			v.Value = Value{p: &sealed{&payload{bin: vr.Binary, binary: true}}}
		case vr.String != nil:
			v.Value = StringValue(*vr.String)
		}
		s.Versions[i] = v
	}
	return s, nil
}

const recordFormat = 1

// record is the serialized Secret. Field names are short and stable: they are
// the on-disk format. json.Marshal writes the embedded head's fields first,
// then the versions.
type record struct {
	recordHead
	Versions []versionRecord `json:"versions"`
}

// recordHead is everything of a record but its versions: what EncodeSecret
// leaves to json.Marshal before it appends the versions itself.
type recordHead struct {
	Format             int             `json:"f"`
	ARN                string          `json:"arn"`
	Name               string          `json:"name"`
	Description        string          `json:"desc,omitempty"`
	KmsKeyID           string          `json:"kms,omitempty"`
	Type               string          `json:"type,omitempty"`
	Tags               []Tag           `json:"tags"`
	CreatedDate        time.Time       `json:"created"`
	LastChangedDate    time.Time       `json:"changed"`
	LastAccessedDate   time.Time       `json:"accessed"`
	LastRotatedDate    time.Time       `json:"rotated"`
	NextRotationDate   time.Time       `json:"next"`
	DeletedDate        time.Time       `json:"deleted"`
	DeletionDate       time.Time       `json:"deletion"`
	RotationConfigured bool            `json:"rotcfg,omitempty"`
	RotationEnabled    bool            `json:"roton,omitempty"`
	RotationLambdaARN  string          `json:"lambda,omitempty"`
	RotationRules      RotationRules   `json:"rules"`
	ResourcePolicy     string          `json:"policy,omitempty"`
	OwningService      string          `json:"owner,omitempty"`
	PrimaryRegion      string          `json:"primary,omitempty"`
	Replicas           []replicaRecord `json:"replicas,omitempty"`
	Generation         uint64          `json:"gen,omitempty"`
	Stages             []Stage         `json:"stages"`
	Rotation           *rotationRecord `json:"rotation,omitempty"`
}

// rotationRecord is the serialized RotationState. Records written before
// FailedStep and Probe existed have neither; those written before the
// function came from the secret's configuration also hold a "FunctionARN",
// which decoding ignores.
type rotationRecord struct {
	Token         string    `json:"Token"`
	StepsDone     int       `json:"StepsDone"`
	Attempts      int       `json:"Attempts"`
	LastError     string    `json:"LastError"`
	RotationToken string    `json:"RotationToken"`
	StartedAt     time.Time `json:"StartedAt"`
	NextAttempt   time.Time `json:"NextAttempt"`
	LeaseOwner    string    `json:"LeaseOwner"`
	LeaseExpires  time.Time `json:"LeaseExpires"`
	Abandoned     bool      `json:"Abandoned"`
	FailedStep    Step      `json:"FailedStep,omitempty"`
	Probe         bool      `json:"Probe,omitempty"`
}

// replicaRecord is the serialized Replica.
type replicaRecord struct {
	Region        string        `json:"region"`
	KmsKeyID      string        `json:"kms,omitempty"`
	Status        ReplicaStatus `json:"status"`
	StatusMessage string        `json:"msg,omitempty"`
	Synced        uint64        `json:"synced,omitempty"`
	Overwrite     bool          `json:"overwrite,omitempty"`
	Removing      bool          `json:"removing,omitempty"`
}

func replicaRecordsOf(rs []Replica) []replicaRecord {
	if rs == nil {
		return nil
	}
	out := make([]replicaRecord, len(rs))
	for i, r := range rs {
		out[i] = replicaRecord(r)
	}
	return out
}

func replicasOf(rs []replicaRecord) []Replica {
	if rs == nil {
		return nil
	}
	out := make([]Replica, len(rs))
	for i, r := range rs {
		out[i] = Replica(r)
	}
	return out
}

func rotationRecordOf(r *RotationState) *rotationRecord {
	if r == nil {
		return nil
	}
	return &rotationRecord{Token: r.Token, StepsDone: r.StepsDone, Attempts: r.Attempts, LastError: r.LastError,
		RotationToken: r.RotationToken, StartedAt: r.StartedAt, NextAttempt: r.NextAttempt, LeaseOwner: r.LeaseOwner,
		LeaseExpires: r.LeaseExpires, Abandoned: r.Abandoned, FailedStep: r.FailedStep, Probe: r.Probe}
}

func (r *rotationRecord) state() *RotationState {
	if r == nil {
		return nil
	}
	return &RotationState{Token: r.Token, StepsDone: r.StepsDone, Attempts: r.Attempts, LastError: r.LastError,
		RotationToken: r.RotationToken, StartedAt: r.StartedAt, NextAttempt: r.NextAttempt, LeaseOwner: r.LeaseOwner,
		LeaseExpires: r.LeaseExpires, Abandoned: r.Abandoned, FailedStep: r.FailedStep, Probe: r.Probe}
}

type versionRecord struct {
	ID               string    `json:"id"`
	String           *string   `json:"s,omitempty"`
	Binary           []byte    `json:"b,omitempty"`
	IsBinary         bool      `json:"bin,omitempty"`
	CreatedDate      time.Time `json:"created"`
	LastAccessedDate time.Time `json:"accessed"`
}
