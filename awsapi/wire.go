package awsapi

import (
	"encoding/base64"
	"strconv"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/internal/jsonstr"
)

// epoch is a timestamp on the wire: a JSON number of seconds since the epoch
// with a millisecond fraction, as AWS JSON 1.1 encodes timestamps.
type epoch time.Time

// MarshalJSON writes seconds since the epoch, e.g. 1523477145.729.
func (t epoch) MarshalJSON() ([]byte, error) {
	return t.appendJSON(nil), nil
}

func (t epoch) appendJSON(b []byte) []byte {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(b, float64(ms)/1000, 'f', -1, 64)
}

// stamp returns nil for the zero time, so that omitempty leaves it out.
func stamp(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type wireTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagsIn(ts []wireTag) []rotor.Tag {
	if ts == nil {
		return nil
	}
	out := make([]rotor.Tag, len(ts))
	for i, t := range ts {
		out[i] = rotor.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// tagsOut keeps the difference between "never tagged" (nil, omitted) and
// "all tags removed" (an empty list).
func tagsOut(ts []rotor.Tag) *[]wireTag {
	if ts == nil {
		return nil
	}
	out := make([]wireTag, len(ts))
	for i, t := range ts {
		out[i] = wireTag{Key: t.Key, Value: t.Value}
	}
	return &out
}

type wireFilter struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

func filtersIn(fs []wireFilter) []rotor.Filter {
	if fs == nil {
		return nil
	}
	out := make([]rotor.Filter, len(fs))
	for i, f := range fs {
		out[i] = rotor.Filter{Key: f.Key, Values: f.Values}
	}
	return out
}

type wireRotationRules struct {
	AutomaticallyAfterDays *int64  `json:"AutomaticallyAfterDays,omitempty"`
	Duration               *string `json:"Duration,omitempty"`
	ScheduleExpression     *string `json:"ScheduleExpression,omitempty"`
}

// rulesIn hands the rules sent over to the service: nil when RotationRules
// was absent (or null), else a non-nil RotationRules, even when no member was
// sent, so that the service refuses an empty object instead of reading it as
// "keep the stored rules".
func rulesIn(r *wireRotationRules) *rotor.RotationRules {
	if r == nil {
		return nil
	}
	var out rotor.RotationRules
	if r.AutomaticallyAfterDays != nil {
		out.AutomaticallyAfterDays = *r.AutomaticallyAfterDays
	}
	if r.Duration != nil {
		out.Duration = *r.Duration
	}
	if r.ScheduleExpression != nil {
		out.ScheduleExpression = *r.ScheduleExpression
	}
	return &out
}

func rulesOut(r *rotor.RotationRules) *wireRotationRules {
	if r == nil {
		return nil
	}
	out := &wireRotationRules{}
	if r.AutomaticallyAfterDays != 0 {
		out.AutomaticallyAfterDays = &r.AutomaticallyAfterDays
	}
	if r.Duration != "" {
		out.Duration = &r.Duration
	}
	if r.ScheduleExpression != "" {
		out.ScheduleExpression = &r.ScheduleExpression
	}
	return out
}

// Requests. Members whose absence the Go API cannot tell from their zero
// value are pointers.

type createSecretRequest struct {
	Name                        string              `json:"Name"`
	ClientRequestToken          string              `json:"ClientRequestToken"`
	Description                 string              `json:"Description"`
	KmsKeyId                    string              `json:"KmsKeyId"`
	SecretString                *string             `json:"SecretString"`
	SecretBinary                []byte              `json:"SecretBinary"`
	Tags                        []wireTag           `json:"Tags"`
	AddReplicaRegions           []wireReplicaRegion `json:"AddReplicaRegions"`
	ForceOverwriteReplicaSecret bool                `json:"ForceOverwriteReplicaSecret"`
}

type wireReplicaRegion struct {
	Region   string `json:"Region"`
	KmsKeyId string `json:"KmsKeyId"`
}

func replicaRegionsIn(rs []wireReplicaRegion) []rotor.ReplicaRegion {
	if rs == nil {
		return nil
	}
	out := make([]rotor.ReplicaRegion, len(rs))
	for i, r := range rs {
		out[i] = rotor.ReplicaRegion{Region: r.Region, KmsKeyId: r.KmsKeyId}
	}
	return out
}

type replicateSecretToRegionsRequest struct {
	SecretId                    string              `json:"SecretId"`
	AddReplicaRegions           []wireReplicaRegion `json:"AddReplicaRegions"`
	ForceOverwriteReplicaSecret bool                `json:"ForceOverwriteReplicaSecret"`
}

type removeRegionsFromReplicationRequest struct {
	SecretId             string   `json:"SecretId"`
	RemoveReplicaRegions []string `json:"RemoveReplicaRegions"`
}

// replicationStatus is one entry of a ReplicationStatus list.
type replicationStatus struct {
	Region           string `json:"Region,omitempty"`
	KmsKeyId         string `json:"KmsKeyId,omitempty"`
	Status           string `json:"Status,omitempty"`
	StatusMessage    string `json:"StatusMessage,omitempty"`
	LastAccessedDate *epoch `json:"LastAccessedDate,omitempty"`
}

func replicationStatusOut(rs []rotor.ReplicationStatusEntry) []replicationStatus {
	if rs == nil {
		return nil
	}
	out := make([]replicationStatus, len(rs))
	for i, r := range rs {
		out[i] = replicationStatus{Region: r.Region, KmsKeyId: r.KmsKeyId, Status: string(r.Status),
			StatusMessage: r.StatusMessage, LastAccessedDate: stamp(r.LastAccessedDate)}
	}
	return out
}

// replicationResponse is the answer of CreateSecret with replicas, and of
// the replication operations.
type replicationResponse struct {
	ARN               string              `json:"ARN,omitempty"`
	Name              string              `json:"Name,omitempty"`
	VersionId         string              `json:"VersionId,omitempty"`
	ReplicationStatus []replicationStatus `json:"ReplicationStatus"`
}

type putSecretValueRequest struct {
	SecretId           string   `json:"SecretId"`
	ClientRequestToken string   `json:"ClientRequestToken"`
	SecretString       *string  `json:"SecretString"`
	SecretBinary       []byte   `json:"SecretBinary"`
	VersionStages      []string `json:"VersionStages"`
	RotationToken      string   `json:"RotationToken"`
}

type updateSecretRequest struct {
	SecretId           string  `json:"SecretId"`
	ClientRequestToken string  `json:"ClientRequestToken"`
	Description        *string `json:"Description"`
	KmsKeyId           *string `json:"KmsKeyId"`
	SecretString       *string `json:"SecretString"`
	SecretBinary       []byte  `json:"SecretBinary"`
}

type getSecretValueRequest struct {
	SecretId     string `json:"SecretId"`
	VersionId    string `json:"VersionId"`
	VersionStage string `json:"VersionStage"`
}

type batchGetSecretValueRequest struct {
	SecretIdList []string     `json:"SecretIdList"`
	Filters      []wireFilter `json:"Filters"`
	MaxResults   *int         `json:"MaxResults"`
	NextToken    string       `json:"NextToken"`
}

type updateSecretVersionStageRequest struct {
	SecretId            string `json:"SecretId"`
	VersionStage        string `json:"VersionStage"`
	RemoveFromVersionId string `json:"RemoveFromVersionId"`
	MoveToVersionId     string `json:"MoveToVersionId"`
}

type rotateSecretRequest struct {
	SecretId           string             `json:"SecretId"`
	ClientRequestToken string             `json:"ClientRequestToken"`
	RotationLambdaARN  string             `json:"RotationLambdaARN"`
	RotationRules      *wireRotationRules `json:"RotationRules"`
	RotateImmediately  *bool              `json:"RotateImmediately"`
}

type secretIDRequest struct {
	SecretId string `json:"SecretId"`
}

type listSecretVersionIdsRequest struct {
	SecretId          string `json:"SecretId"`
	MaxResults        *int   `json:"MaxResults"`
	NextToken         string `json:"NextToken"`
	IncludeDeprecated bool   `json:"IncludeDeprecated"`
}

type listSecretsRequest struct {
	IncludePlannedDeletion bool         `json:"IncludePlannedDeletion"`
	MaxResults             *int         `json:"MaxResults"`
	NextToken              string       `json:"NextToken"`
	Filters                []wireFilter `json:"Filters"`
	SortOrder              string       `json:"SortOrder"`
	SortBy                 string       `json:"SortBy"`
}

type deleteSecretRequest struct {
	SecretId                   string `json:"SecretId"`
	RecoveryWindowInDays       *int64 `json:"RecoveryWindowInDays"`
	ForceDeleteWithoutRecovery bool   `json:"ForceDeleteWithoutRecovery"`
}

type getRandomPasswordRequest struct {
	PasswordLength          *int64 `json:"PasswordLength"`
	ExcludeCharacters       string `json:"ExcludeCharacters"`
	ExcludeNumbers          bool   `json:"ExcludeNumbers"`
	ExcludePunctuation      bool   `json:"ExcludePunctuation"`
	ExcludeUppercase        bool   `json:"ExcludeUppercase"`
	ExcludeLowercase        bool   `json:"ExcludeLowercase"`
	IncludeSpace            bool   `json:"IncludeSpace"`
	RequireEachIncludedType *bool  `json:"RequireEachIncludedType"`
}

type tagResourceRequest struct {
	SecretId string    `json:"SecretId"`
	Tags     []wireTag `json:"Tags"`
}

type untagResourceRequest struct {
	SecretId string   `json:"SecretId"`
	TagKeys  []string `json:"TagKeys"`
}

type putResourcePolicyRequest struct {
	SecretId          string `json:"SecretId"`
	ResourcePolicy    string `json:"ResourcePolicy"`
	BlockPublicPolicy bool   `json:"BlockPublicPolicy"`
}

type validateResourcePolicyRequest struct {
	SecretId       string `json:"SecretId"`
	ResourcePolicy string `json:"ResourcePolicy"`
}

// Responses. Every optional member has omitempty: AWS omits unset members
// and never sends null.

type arnName struct {
	ARN  string `json:"ARN,omitempty"`
	Name string `json:"Name,omitempty"`
}

type arnNameVersion struct {
	ARN       string `json:"ARN,omitempty"`
	Name      string `json:"Name,omitempty"`
	VersionId string `json:"VersionId,omitempty"`
}

type putSecretValueResponse struct {
	ARN           string   `json:"ARN,omitempty"`
	Name          string   `json:"Name,omitempty"`
	VersionId     string   `json:"VersionId,omitempty"`
	VersionStages []string `json:"VersionStages,omitempty"`
}

type secretValueResponse struct {
	ARN           string   `json:"ARN,omitempty"`
	Name          string   `json:"Name,omitempty"`
	VersionId     string   `json:"VersionId,omitempty"`
	SecretString  string   `json:"SecretString,omitempty"`
	SecretBinary  []byte   `json:"SecretBinary,omitempty"`
	VersionStages []string `json:"VersionStages,omitempty"`
	CreatedDate   *epoch   `json:"CreatedDate,omitempty"`
}

// appendJSON appends r as json.Marshal encodes it: the fields in order,
// empty ones left out.
func (r secretValueResponse) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	for _, f := range [...]struct{ name, value string }{
		{"ARN", r.ARN}, {"Name", r.Name}, {"VersionId", r.VersionId}, {"SecretString", r.SecretString},
	} {
		if f.value != "" {
			field(f.name)
			b = jsonstr.Append(b, f.value)
		}
	}
	if len(r.SecretBinary) > 0 {
		field("SecretBinary")
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, r.SecretBinary)
		b = append(b, '"')
	}
	if len(r.VersionStages) > 0 {
		field("VersionStages")
		for i, s := range r.VersionStages {
			if i == 0 {
				b = append(b, '[')
			} else {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, s)
		}
		b = append(b, ']')
	}
	if r.CreatedDate != nil {
		field("CreatedDate")
		b = r.CreatedDate.appendJSON(b)
	}
	return append(b, '}')
}

func secretValueOut(o rotor.GetSecretValueOutput) secretValueResponse {
	return secretValueResponse{
		ARN: o.ARN, Name: o.Name, VersionId: o.VersionId,
		SecretString: o.SecretString, SecretBinary: o.SecretBinary,
		VersionStages: o.VersionStages, CreatedDate: stamp(o.CreatedDate),
	}
}

type batchError struct {
	SecretId  string `json:"SecretId,omitempty"`
	ErrorCode string `json:"ErrorCode,omitempty"`
	Message   string `json:"Message,omitempty"`
}

type batchGetSecretValueResponse struct {
	SecretValues []secretValueResponse `json:"SecretValues"`
	Errors       []batchError          `json:"Errors"`
	NextToken    string                `json:"NextToken,omitempty"`
}

// secretMetadata is DescribeSecret's output and, with the version map under
// another name, a ListSecrets entry.
type secretMetadata struct {
	ARN                    string              `json:"ARN,omitempty"`
	Name                   string              `json:"Name,omitempty"`
	Type                   string              `json:"Type,omitempty"`
	Description            string              `json:"Description,omitempty"`
	KmsKeyId               string              `json:"KmsKeyId,omitempty"`
	RotationEnabled        *bool               `json:"RotationEnabled,omitempty"`
	RotationLambdaARN      string              `json:"RotationLambdaARN,omitempty"`
	RotationRules          *wireRotationRules  `json:"RotationRules,omitempty"`
	LastRotatedDate        *epoch              `json:"LastRotatedDate,omitempty"`
	LastChangedDate        *epoch              `json:"LastChangedDate,omitempty"`
	LastAccessedDate       *epoch              `json:"LastAccessedDate,omitempty"`
	DeletedDate            *epoch              `json:"DeletedDate,omitempty"`
	NextRotationDate       *epoch              `json:"NextRotationDate,omitempty"`
	Tags                   *[]wireTag          `json:"Tags,omitempty"`
	VersionIdsToStages     map[string][]string `json:"VersionIdsToStages,omitempty"`
	SecretVersionsToStages map[string][]string `json:"SecretVersionsToStages,omitempty"`
	OwningService          string              `json:"OwningService,omitempty"`
	CreatedDate            *epoch              `json:"CreatedDate,omitempty"`
	PrimaryRegion          string              `json:"PrimaryRegion,omitempty"`
	ReplicationStatus      []replicationStatus `json:"ReplicationStatus,omitempty"`
}

func metadataOut(d rotor.DescribeSecretOutput) secretMetadata {
	return secretMetadata{
		ARN: d.ARN, Name: d.Name, Type: d.Type, Description: d.Description,
		KmsKeyId: d.KmsKeyId, RotationEnabled: d.RotationEnabled,
		RotationLambdaARN: d.RotationLambdaARN, RotationRules: rulesOut(d.RotationRules),
		LastRotatedDate: stamp(d.LastRotatedDate), LastChangedDate: stamp(d.LastChangedDate),
		LastAccessedDate: stamp(d.LastAccessedDate), DeletedDate: stamp(d.DeletedDate),
		NextRotationDate: stamp(d.NextRotationDate), Tags: tagsOut(d.Tags),
		VersionIdsToStages: d.VersionIdsToStages, OwningService: d.OwningService,
		CreatedDate: stamp(d.CreatedDate), PrimaryRegion: d.PrimaryRegion,
		ReplicationStatus: replicationStatusOut(d.ReplicationStatus),
	}
}

type versionEntry struct {
	VersionId        string   `json:"VersionId,omitempty"`
	VersionStages    []string `json:"VersionStages,omitempty"`
	LastAccessedDate *epoch   `json:"LastAccessedDate,omitempty"`
	CreatedDate      *epoch   `json:"CreatedDate,omitempty"`
	KmsKeyIds        []string `json:"KmsKeyIds,omitempty"`
}

type listSecretVersionIdsResponse struct {
	Versions  []versionEntry `json:"Versions"`
	NextToken string         `json:"NextToken,omitempty"`
	ARN       string         `json:"ARN,omitempty"`
	Name      string         `json:"Name,omitempty"`
}

type listSecretsResponse struct {
	SecretList []secretMetadata `json:"SecretList"`
	NextToken  string           `json:"NextToken,omitempty"`
}

type deleteSecretResponse struct {
	ARN          string `json:"ARN,omitempty"`
	Name         string `json:"Name,omitempty"`
	DeletionDate *epoch `json:"DeletionDate,omitempty"`
}

type getRandomPasswordResponse struct {
	RandomPassword string `json:"RandomPassword,omitempty"`
}

type getResourcePolicyResponse struct {
	ARN            string `json:"ARN,omitempty"`
	Name           string `json:"Name,omitempty"`
	ResourcePolicy string `json:"ResourcePolicy,omitempty"`
}

type validationErrorEntry struct {
	CheckName    string `json:"CheckName,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type validateResourcePolicyResponse struct {
	PolicyValidationPassed bool                   `json:"PolicyValidationPassed"`
	ValidationErrors       []validationErrorEntry `json:"ValidationErrors"`
}

type empty struct{}
