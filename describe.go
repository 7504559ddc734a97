package rotor

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DescribeSecretInput is the input of DescribeSecret.
type DescribeSecretInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
}

// DescribeSecretOutput is the metadata of a secret, without values. Empty
// strings, zero times and nil slices and maps are absent members.
type DescribeSecretOutput struct {
	ARN         string
	Name        string
	Type        string
	Description string
	// KmsKeyId is empty for the default key aws/secretsmanager.
	KmsKeyId string
	// RotationEnabled is nil until rotation was first configured.
	RotationEnabled   *bool
	RotationLambdaARN string
	// RotationRules is nil when no schedule is set.
	RotationRules    *RotationRules
	LastRotatedDate  time.Time
	LastChangedDate  time.Time
	LastAccessedDate time.Time
	DeletedDate      time.Time
	NextRotationDate time.Time
	// Tags is nil if the secret was never tagged, empty once all tags were removed.
	Tags []Tag
	// VersionIdsToStages maps each labelled version to its labels.
	VersionIdsToStages map[string][]string
	OwningService      string
	CreatedDate        time.Time
	// PrimaryRegion is set on a replicated secret: the primary's Region.
	PrimaryRegion string
	// ReplicationStatus lists a primary's replicas (DescribeSecret only;
	// ListSecrets leaves it out, as AWS does).
	ReplicationStatus []ReplicationStatusEntry
}

// DescribeSecret returns a secret's metadata. It works on secrets scheduled
// for deletion and does not count as an access.
func (s *Service) DescribeSecret(ctx context.Context, in DescribeSecretInput) (DescribeSecretOutput, error) {
	sec, _, err := s.find(ctx, in.SecretId)
	if err != nil {
		return DescribeSecretOutput{}, err
	}
	out := s.describe(sec)
	out.ReplicationStatus = s.replicationStatus(ctx, sec)
	return out, nil
}

func (s *Service) describe(sec *Secret) DescribeSecretOutput {
	out := DescribeSecretOutput{
		ARN: sec.ARN, Name: sec.Name, Type: sec.Type, Description: sec.Description,
		KmsKeyId: sec.KmsKeyID, RotationLambdaARN: sec.RotationLambdaARN,
		LastRotatedDate: sec.LastRotatedDate, LastChangedDate: sec.LastChangedDate,
		LastAccessedDate: sec.LastAccessedDate, DeletedDate: sec.DeletedDate,
		VersionIdsToStages: sec.VersionIDsToStages(), OwningService: sec.OwningService,
		CreatedDate: sec.CreatedDate, PrimaryRegion: sec.PrimaryRegion,
	}
	if sec.Tags != nil {
		out.Tags = append([]Tag{}, sec.Tags...)
	}
	if sec.RotationConfigured {
		enabled := sec.RotationEnabled
		out.RotationEnabled = &enabled
	}
	if !sec.RotationEnabled {
		// AWS answers null for both while rotation is off or was never set up.
		out.LastRotatedDate, out.NextRotationDate = time.Time{}, time.Time{}
	} else {
		out.NextRotationDate = sec.NextRotationDate
	}
	if sec.RotationRules != (RotationRules{}) {
		rules := sec.RotationRules
		if rules.ScheduleExpression != "" && !sec.LastRotatedDate.IsZero() {
			// AWS reports the interval it computed from the expression once
			// the secret has rotated.
			rules.AutomaticallyAfterDays = s.intervalDays(rules)
		}
		out.RotationRules = &rules
	}
	return out
}

// intervalDays is Schedule.IntervalDays of rules, remembered: for a cron
// expression it scans a 400-year calendar cycle, and DescribeSecret and
// ListSecrets report it for every secret with a schedule expression.
func (s *Service) intervalDays(rules RotationRules) int64 {
	s.intervalMu.Lock()
	n, ok := s.intervals[rules]
	s.intervalMu.Unlock()
	if ok {
		return n
	}
	sched, err := ParseSchedule(rules)
	if err != nil {
		return 0 // rules a store holds that no longer parse: report none
	}
	n = sched.IntervalDays()
	s.intervalMu.Lock()
	if len(s.intervals) >= maxCachedIntervals {
		clear(s.intervals)
	}
	s.intervals[rules] = n
	s.intervalMu.Unlock()
	return n
}

// maxCachedIntervals bounds the interval cache; past it the cache starts over.
const maxCachedIntervals = 1024

// ListSecretVersionIdsInput is the input of ListSecretVersionIds.
type ListSecretVersionIdsInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// MaxResults is 1–100 versions a page; 0 means 100.
	MaxResults int
	// NextToken continues a listing, 1–4096 characters.
	NextToken string
	// IncludeDeprecated lists the versions without a label too.
	IncludeDeprecated bool
}

// SecretVersionsListEntry is one version in ListSecretVersionIds' output.
// VersionStages is nil for a deprecated version.
type SecretVersionsListEntry struct {
	VersionId        string
	VersionStages    []string
	LastAccessedDate time.Time
	CreatedDate      time.Time
	KmsKeyIds        []string
}

// ListSecretVersionIdsOutput is the output of ListSecretVersionIds.
type ListSecretVersionIdsOutput struct {
	ARN       string
	Name      string
	Versions  []SecretVersionsListEntry
	NextToken string
}

// ListSecretVersionIds lists a secret's versions, newest first; deprecated
// (label-less) versions only with IncludeDeprecated.
func (s *Service) ListSecretVersionIds(ctx context.Context, in ListSecretVersionIdsInput) (ListSecretVersionIdsOutput, error) {
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return ListSecretVersionIdsOutput{}, constraintError(strconv.Itoa(in.MaxResults), "maxResults", "have value less than or equal to 100 and greater than or equal to 1")
	}
	if err := checkLength(in.NextToken, "nextToken", 0, 4096); err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	sec, _, err := s.find(ctx, in.SecretId)
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	start := len(sec.Versions) - 1
	if in.NextToken != "" {
		created, id, ok := decodeVersionToken(in.NextToken)
		if !ok {
			return ListSecretVersionIdsOutput{}, newError(CodeInvalidNextToken, "The NextToken value is not valid.")
		}
		// Continue with the first version older than the token's, in
		// (CreatedDate, position) order, even if that version was purged since.
		start = -1
		for i := len(sec.Versions) - 1; i >= 0; i-- {
			v := sec.Versions[i]
			if v.ID == id && v.CreatedDate.Equal(created) {
				start = i - 1
				break
			}
			if v.CreatedDate.Before(created) {
				start = i
				break
			}
		}
	}
	kms := []string{"DefaultEncryptionKey"}
	if sec.KmsKeyID != "" {
		kms = []string{sec.KmsKeyID}
	}
	out := ListSecretVersionIdsOutput{ARN: sec.ARN, Name: sec.Name}
	for i := start; i >= 0; i-- {
		v := sec.Versions[i]
		stages := sec.StagesOf(v.ID)
		if stages == nil && !in.IncludeDeprecated {
			continue
		}
		if len(out.Versions) == limit {
			out.NextToken = encodeVersionToken(sec.Versions[i+1])
			break
		}
		out.Versions = append(out.Versions, SecretVersionsListEntry{
			VersionId: v.ID, VersionStages: stages, LastAccessedDate: v.LastAccessedDate,
			CreatedDate: v.CreatedDate, KmsKeyIds: append([]string(nil), kms...),
		})
	}
	return out, nil
}

func encodeVersionToken(v *Version) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "v1:%d:%s", v.CreatedDate.UnixNano(), v.ID))
}

func decodeVersionToken(tok string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return time.Time{}, "", false
	}
	parts := strings.SplitN(string(b), ":", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return time.Time{}, "", false
	}
	ns, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return time.Time{}, "", false
	}
	return time.Unix(0, ns).UTC(), parts[2], true
}
