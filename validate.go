package rotor

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of AWS's API model for Secrets Manager
// (https://docs.aws.amazon.com/secretsmanager/latest/apireference/).
const (
	MaxNameLength        = 512
	MaxSecretIDLength    = 2048
	MaxDescriptionLength = 2048
	MaxKmsKeyIDLength    = 2048
	MinTokenLength       = 32
	MaxTokenLength       = 64
	MaxValueSize         = 65536
	MaxTags              = 50
	MaxTagKeyLength      = 128
	MaxTagValueLength    = 256
	MaxPolicyLength      = 20480
	MaxLambdaARNLength   = 2048
)

// constraintError is AWS's model-validation answer, in the Coral format that
// every AWS JSON service uses. Sensitive values are shown as ***.
func constraintError(value, path, rule string) *Error {
	return newError(CodeValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must %s", value, path, rule)
}

func lengthError(value, path string, min, max, n int) error {
	if n < min {
		return constraintError(value, path, fmt.Sprintf("have length greater than or equal to %d", min))
	}
	if n > max {
		return constraintError(value, path, fmt.Sprintf("have length less than or equal to %d", max))
	}
	return nil
}

// checkLength refuses a string whose length (in characters, as the model
// counts) is outside [min, max]; the value is echoed only when short.
func checkLength(s, path string, min, max int) error {
	n := utf8.RuneCountInString(s)
	if n >= min && n <= max {
		return nil
	}
	shown := s
	if n > 64 {
		shown = string([]rune(s)[:64]) + "..."
	}
	return lengthError(shown, path, min, max, n)
}

func validName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("/_+=.@-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func validateName(name string) error {
	if err := checkLength(name, "name", 1, MaxNameLength); err != nil {
		return err
	}
	if !validName(name) {
		return newError(CodeValidation, msgBadName)
	}
	return nil
}

// validateSecretID checks a SecretId: 1–2048 characters, and a name's
// character set unless it is an ARN.
func validateSecretID(id string) error {
	if err := checkLength(id, "secretId", 1, MaxSecretIDLength); err != nil {
		return err
	}
	if !strings.HasPrefix(id, "arn:") && !validName(id) {
		return newError(CodeValidation, msgBadName)
	}
	return nil
}

func validateToken(token, path string) error {
	return checkLength(token, path, MinTokenLength, MaxTokenLength)
}

func validateVersionID(id, path string) error {
	return checkLength(id, path, MinTokenLength, MaxTokenLength)
}

// secretValue checks the pair of value members of a write and returns the
// value; ok is false when neither was given. An empty value is an absent one:
// AWS's minimum length is 1, so "" can never be a value.
func secretValue(str string, bin []byte) (v Value, ok bool, err error) {
	switch {
	case str != "" && len(bin) > 0:
		return Value{}, false, newError(CodeInvalidParameter, msgBothValues)
	case str != "":
		if n := len(str); n > MaxValueSize {
			return Value{}, false, lengthError("***", "secretString", 1, MaxValueSize, n)
		}
		return StringValue(str), true, nil
	case len(bin) > 0:
		if n := len(bin); n > MaxValueSize {
			return Value{}, false, lengthError("***", "secretBinary", 1, MaxValueSize, n)
		}
		return BinaryValue(bin), true, nil
	}
	return Value{}, false, nil
}

func validateLabel(label, path string) error {
	return checkLength(label, path, 1, MaxLabelLength)
}

func validateLabels(labels []string) error {
	if len(labels) < 1 || len(labels) > MaxLabels {
		return lengthError(fmt.Sprint(labels), "versionStages", 1, MaxLabels, len(labels))
	}
	for i, l := range labels {
		if err := validateLabel(l, fmt.Sprintf("versionStages.%d.member", i+1)); err != nil {
			return err
		}
	}
	return nil
}

func validateTags(tags []Tag, path string) error {
	for i, t := range tags {
		if err := checkLength(t.Key, fmt.Sprintf("%s.%d.member.key", path, i+1), 1, MaxTagKeyLength); err != nil {
			return err
		}
		if err := checkLength(t.Value, fmt.Sprintf("%s.%d.member.value", path, i+1), 0, MaxTagValueLength); err != nil {
			return err
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return newError(CodeInvalidParameter, "Invalid tag key %q: the aws: prefix is reserved for AWS use.", t.Key)
		}
	}
	return nil
}

// mergeTags adds or replaces tags by key and refuses more than MaxTags.
func mergeTags(have, add []Tag) ([]Tag, error) {
	out := append(make([]Tag, 0, len(have)+len(add)), have...)
next:
	for _, t := range add {
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value = t.Value
				continue next
			}
		}
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, newError(CodeLimitExceeded, "A secret can have at most %d tags; this request would give it %d.", MaxTags, len(out))
	}
	return out, nil
}
