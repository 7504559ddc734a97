package rotor

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// GetSecretValueInput is the input of GetSecretValue. Without VersionId and
// VersionStage it reads AWSCURRENT; with both, they must name the same version.
type GetSecretValueInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// VersionId (32–64 characters) or VersionStage (1–256 characters)
	// names the version; neither means AWSCURRENT. With both, the label
	// must be on that version.
	VersionId    string
	VersionStage string
}

// GetSecretValueOutput is the output of GetSecretValue: the value of one
// version. It never prints its value: fmt and slog show "[REDACTED]".
type GetSecretValueOutput struct {
	ARN          string
	Name         string
	VersionId    string
	SecretString string
	// SecretBinary is the caller's own copy.
	SecretBinary  []byte
	VersionStages []string
	CreatedDate   time.Time
}

// GetSecretValue returns the value of a version. It records the day of the
// read in LastAccessedDate, writing to the store at most once per secret and
// version per UTC day, so reads stay reads.
func (s *Service) GetSecretValue(ctx context.Context, in GetSecretValueInput) (GetSecretValueOutput, error) {
	if in.VersionId != "" {
		if err := validateVersionID(in.VersionId, "versionId"); err != nil {
			return GetSecretValueOutput{}, err
		}
	}
	if in.VersionStage != "" {
		if err := validateLabel(in.VersionStage, "versionStage"); err != nil {
			return GetSecretValueOutput{}, err
		}
	}
	sec, _, err := s.find(ctx, in.SecretId)
	if err != nil {
		return GetSecretValueOutput{}, err
	}
	out, err := readVersion(sec, in.VersionId, in.VersionStage)
	if err != nil {
		return GetSecretValueOutput{}, err
	}
	s.touch(ctx, sec, out.VersionId)
	return out, nil
}

// readVersion resolves the version a read asks for and copies its value out.
func readVersion(sec *Secret, versionID, stage string) (GetSecretValueOutput, error) {
	if err := live(sec); err != nil {
		return GetSecretValueOutput{}, err
	}
	var v *Version
	switch {
	case versionID != "":
		if v = sec.Version(versionID); v == nil {
			return GetSecretValueOutput{}, newError(CodeResourceNotFound, "Secrets Manager can't find the specified secret value for VersionId: %s", versionID)
		}
		if stage != "" {
			if id, ok := sec.StageVersion(stage); !ok || id != versionID {
				return GetSecretValueOutput{}, newError(CodeInvalidRequest, msgStageNotOnVersion)
			}
		}
	default:
		if stage == "" {
			stage = StageCurrent
		}
		id, ok := sec.StageVersion(stage)
		if ok {
			v = sec.Version(id)
		}
		if v == nil {
			return GetSecretValueOutput{}, errStageNotFound(stage)
		}
	}
	if v.Value.IsZero() {
		// The rotation placeholder has no value yet: AWS answers as if the
		// version were not there, which the rotation template relies on.
		if stage != "" {
			return GetSecretValueOutput{}, errStageNotFound(stage)
		}
		return GetSecretValueOutput{}, newError(CodeResourceNotFound, "Secrets Manager can't find the specified secret value for VersionId: %s", v.ID)
	}
	if err := v.Value.readable(); err != nil {
		return GetSecretValueOutput{}, err
	}
	text, bin := v.Value.view()
	out := GetSecretValueOutput{
		ARN: sec.ARN, Name: sec.Name, VersionId: v.ID, SecretString: text,
		VersionStages: sec.StagesOf(v.ID), CreatedDate: v.CreatedDate,
	}
	if v.Value.IsBinary() {
		out.SecretBinary = append([]byte(nil), bin...)
	}
	return out, nil
}

func errStageNotFound(stage string) *Error {
	return newError(CodeResourceNotFound, "Secrets Manager can't find the specified secret value for staging label: %s", stage)
}

// touch records today as the last access of the secret and the version, if
// it is not recorded yet. It is bookkeeping: a failure to save it does not
// fail the read that already succeeded.
func (s *Service) touch(ctx context.Context, sec *Secret, versionID string) {
	today := day(s.now())
	if v := sec.Version(versionID); sec.LastAccessedDate.Equal(today) && (v == nil || v.LastAccessedDate.Equal(today)) {
		return
	}
	// Bookkeeping of this Region's copy: a primary's replicas keep their own.
	_, _, _ = s.commit(ctx, sec.ARN, changeOf(func(sec *Secret) error {
		changed := false
		if !sec.LastAccessedDate.Equal(today) {
			sec.LastAccessedDate = today
			changed = true
		}
		if i := sec.versionIndex(versionID); i >= 0 && !sec.Versions[i].LastAccessedDate.Equal(today) {
			v := *sec.Versions[i]
			v.LastAccessedDate = today
			sec.ownVersions()
			sec.Versions[i] = &v
			changed = true
		}
		if !changed {
			return errUnchanged
		}
		return nil
	}))
}

// Format prints the output with SecretString and SecretBinary redacted, for
// every verb.
func (o GetSecretValueOutput) Format(f fmt.State, verb rune) {
	type plain GetSecretValueOutput
	p := plain(o)
	redactValue(&p.SecretString, &p.SecretBinary)
	fmt.Fprintf(f, fmt.FormatString(f, verb), p)
}

// LogValue makes slog print the output without its value.
func (o GetSecretValueOutput) LogValue() slog.Value {
	return slog.GroupValue(slog.String("ARN", o.ARN), slog.String("Name", o.Name),
		slog.String("VersionId", o.VersionId), slog.Any("VersionStages", o.VersionStages),
		slog.String("SecretString", redactedIf(o.SecretString != "")),
		slog.String("SecretBinary", redactedIf(o.SecretBinary != nil)))
}

func redactValue(str *string, bin *[]byte) {
	if *str != "" {
		*str = redacted
	}
	if *bin != nil {
		*bin = []byte(redacted)
	}
}

func redactedIf(set bool) string {
	if set {
		return redacted
	}
	return ""
}

// SecretValueEntry is one secret's value in BatchGetSecretValue's output. It
// never prints its value.
type SecretValueEntry GetSecretValueOutput

// Format prints the entry with its value redacted, for every verb.
func (e SecretValueEntry) Format(f fmt.State, verb rune) { GetSecretValueOutput(e).Format(f, verb) }

// LogValue makes slog print the entry without its value.
func (e SecretValueEntry) LogValue() slog.Value { return GetSecretValueOutput(e).LogValue() }

// BatchError is one secret that BatchGetSecretValue could not read.
type BatchError struct {
	SecretId  string
	ErrorCode string
	Message   string
}

// BatchGetSecretValueInput is the input of BatchGetSecretValue: either
// SecretIdList (1–20 ids) or Filters, not both. MaxResults (1–20) goes with
// Filters only.
type BatchGetSecretValueInput struct {
	// SecretIdList names 1–20 secrets; or Filters (as ListSecrets') choose
	// them, a page of MaxResults (1–20, 0 means 20) at a time. Exactly one
	// of the two (InvalidParameterException).
	SecretIdList []string
	Filters      []Filter
	MaxResults   int
	// NextToken continues a filtered call, 1–4096 characters.
	NextToken string
}

// BatchGetSecretValueOutput is the output of BatchGetSecretValue.
type BatchGetSecretValueOutput struct {
	SecretValues []SecretValueEntry
	Errors       []BatchError
	NextToken    string
}

// LogValue makes slog print the output without values (a JSON handler would
// otherwise marshal the entries' fields).
func (o BatchGetSecretValueOutput) LogValue() slog.Value {
	entries := make([]any, len(o.SecretValues))
	for i, e := range o.SecretValues {
		entries[i] = e.LogValue()
	}
	return slog.GroupValue(slog.Any("SecretValues", entries), slog.Any("Errors", o.Errors), slog.String("NextToken", o.NextToken))
}

// BatchGetSecretValue reads the AWSCURRENT value of several secrets. A secret
// that cannot be read becomes an entry of Errors instead of failing the call.
func (s *Service) BatchGetSecretValue(ctx context.Context, in BatchGetSecretValueInput) (BatchGetSecretValueOutput, error) {
	switch {
	case in.SecretIdList != nil && in.Filters != nil:
		return BatchGetSecretValueOutput{}, newError(CodeInvalidParameter, "Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	case in.SecretIdList == nil && in.Filters == nil:
		return BatchGetSecretValueOutput{}, newError(CodeInvalidParameter, "Either 'SecretIdList' or 'Filters' must be provided.")
	case in.MaxResults != 0 && in.Filters == nil:
		return BatchGetSecretValueOutput{}, newError(CodeInvalidParameter, "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.")
	}
	var out BatchGetSecretValueOutput
	ids := in.SecretIdList
	if in.SecretIdList != nil {
		if len(ids) < 1 || len(ids) > 20 {
			return out, lengthError(fmt.Sprint(len(ids)), "secretIdList", 1, 20, len(ids))
		}
		if in.NextToken != "" {
			return out, newError(CodeInvalidNextToken, "The NextToken is not valid for a SecretIdList request.")
		}
	} else {
		if in.MaxResults < 0 || in.MaxResults > 20 {
			return out, constraintError(fmt.Sprint(in.MaxResults), "maxResults", "have value less than or equal to 20 and greater than or equal to 1")
		}
		limit := in.MaxResults
		if limit == 0 {
			limit = 20
		}
		page, err := s.ListSecrets(ctx, ListSecretsInput{Filters: in.Filters, MaxResults: limit, NextToken: in.NextToken})
		if err != nil {
			return out, err
		}
		out.NextToken = page.NextToken
		for _, e := range page.SecretList {
			ids = append(ids, e.ARN)
		}
	}
	for _, id := range ids {
		v, err := s.GetSecretValue(ctx, GetSecretValueInput{SecretId: id})
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				return BatchGetSecretValueOutput{}, err
			}
			out.Errors = append(out.Errors, BatchError{SecretId: id, ErrorCode: e.Code, Message: e.Message})
			continue
		}
		out.SecretValues = append(out.SecretValues, SecretValueEntry(v))
	}
	return out, nil
}
