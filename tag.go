package rotor

import (
	"context"
	"slices"
	"strconv"
)

// Tag is a key-value label attached to a secret for search and access control.
// Keys are 1–128 characters and case-sensitive; values are 0–256 characters.
type Tag struct {
	Key   string
	Value string
}

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// Tags are added, a key's value replaced: keys 1–128 characters, not
	// starting with aws: (reserved), values 0–256 characters; a secret holds
	// at most 50 (LimitExceededException).
	Tags []Tag
}

// TagResourceOutput is the (empty) output of TagResource.
type TagResourceOutput struct{}

// TagResource adds tags to a secret, replacing the value of a key it has.
func (s *Service) TagResource(ctx context.Context, in TagResourceInput) (TagResourceOutput, error) {
	if err := validateTags(in.Tags, "tags"); err != nil {
		return TagResourceOutput{}, err
	}
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := writable(sec); err != nil {
			return err
		}
		tags, err := mergeTags(sec.Tags, in.Tags)
		if err != nil {
			return err
		}
		sec.Tags = tags
		sec.LastChangedDate = s.now()
		return nil
	})
	if err != nil {
		return TagResourceOutput{}, err
	}
	if changed {
		s.emit(Event{Kind: EventUpdated, ARN: sec.ARN, Name: sec.Name, Time: sec.LastChangedDate})
	}
	return TagResourceOutput{}, nil
}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// TagKeys are the keys to remove, 1–128 characters each; keys the secret
	// does not have are fine.
	TagKeys []string
}

// UntagResourceOutput is the (empty) output of UntagResource.
type UntagResourceOutput struct{}

// UntagResource removes tags by key; keys the secret does not have are fine.
func (s *Service) UntagResource(ctx context.Context, in UntagResourceInput) (UntagResourceOutput, error) {
	for i, k := range in.TagKeys {
		if err := checkLength(k, "tagKeys."+strconv.Itoa(i+1)+".member", 1, MaxTagKeyLength); err != nil {
			return UntagResourceOutput{}, err
		}
	}
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := writable(sec); err != nil {
			return err
		}
		kept := make([]Tag, 0, len(sec.Tags))
		for _, t := range sec.Tags {
			if !slices.Contains(in.TagKeys, t.Key) {
				kept = append(kept, t)
			}
		}
		sec.Tags = kept
		sec.LastChangedDate = s.now()
		return nil
	})
	if err != nil {
		return UntagResourceOutput{}, err
	}
	if changed {
		s.emit(Event{Kind: EventUpdated, ARN: sec.ARN, Name: sec.Name, Time: sec.LastChangedDate})
	}
	return UntagResourceOutput{}, nil
}
