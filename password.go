package rotor

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"
)

// GetRandomPasswordInput is the input of GetRandomPassword; zero values mean AWS's defaults.
type GetRandomPasswordInput struct {
	// PasswordLength is the number of characters, 1–4096; 0 means the default 32.
	PasswordLength int64
	// ExcludeCharacters lists characters (at most 4096) that never appear in the password.
	ExcludeCharacters string
	// ExcludeNumbers, ExcludePunctuation, ExcludeUppercase and ExcludeLowercase drop a
	// whole class of characters; IncludeSpace adds the space character, which is never
	// required.
	ExcludeNumbers, ExcludePunctuation, ExcludeUppercase, ExcludeLowercase, IncludeSpace bool
	// RequireEachIncludedType, when true, guarantees at least one character of each
	// class among lowercase, uppercase, digits and punctuation that is not excluded.
	// nil means true, as on AWS.
	RequireEachIncludedType *bool
}

// GetRandomPasswordOutput is the output of GetRandomPassword.
//
// RandomPassword is a secret: formatting the output with any fmt verb, or logging it
// with log/slog, shows "[REDACTED]" in its place. Read the field itself to use it.
type GetRandomPasswordOutput struct {
	RandomPassword string
}

// Format prints the output with RandomPassword replaced by "[REDACTED]", whatever the verb
// and flags, so that a stray Printf or %v in an error message cannot leak the password.
func (o GetRandomPasswordOutput) Format(f fmt.State, verb rune) {
	// A local type of the same name and shape, without this method, lets fmt do the
	// usual rendering (including %#v's "rotor.GetRandomPasswordOutput{...}") of a
	// value that holds no secret.
	type GetRandomPasswordOutput struct {
		RandomPassword string
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), GetRandomPasswordOutput{RandomPassword: redacted})
}

// LogValue makes log/slog record the output with RandomPassword replaced by "[REDACTED]".
func (o GetRandomPasswordOutput) LogValue() slog.Value {
	return slog.GroupValue(slog.String("RandomPassword", redacted))
}

// Limits and defaults of GetRandomPassword from the API model.
const (
	defaultPasswordLength   = 32
	maxPasswordLength       = 4096
	maxExcludeCharactersLen = 4096
)

// The character classes of GetRandomPassword. Punctuation is Python's
// string.punctuation, which is what AWS documents.
const (
	lowercaseChars   = "abcdefghijklmnopqrstuvwxyz"
	uppercaseChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digitChars       = "0123456789"
	punctuationChars = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	spaceChars       = " "
)

const (
	msgPasswordTooShort   = "Password length is too short based on the required types."
	msgTypeExcluded       = "All characters of the desired type have been excluded."
	msgAllExcluded        = "All characters have been excluded from selection."
	msgRandomSourceFailed = "The random source failed while generating the password."
)

// generatePassword returns a password drawn from random as GetRandomPassword describes.
// Each character of the pool is equally likely (rejection sampling, no modulo bias), and
// the characters that RequireEachIncludedType forces are shuffled into random positions
// so that their place tells an attacker nothing.
//
// random should be a CSPRNG such as crypto/rand.Reader; its bytes are consumed in a
// fixed order, so a fixed reader gives a fixed password. A read error comes back as an
// *Error with CodeInternalServiceError wrapping it.
func generatePassword(random io.Reader, in GetRandomPasswordInput) (string, error) {
	if err := validatePasswordInput(in); err != nil {
		return "", err
	}
	length := in.PasswordLength
	if length == 0 {
		length = defaultPasswordLength
	}
	require := in.RequireEachIncludedType == nil || *in.RequireEachIncludedType

	type class struct {
		chars    string
		excluded bool
	}
	classes := []class{
		{lowercaseChars, in.ExcludeLowercase},
		{uppercaseChars, in.ExcludeUppercase},
		{digitChars, in.ExcludeNumbers},
		{punctuationChars, in.ExcludePunctuation},
	}
	var pool []byte
	var required [][]byte
	for _, c := range classes {
		if c.excluded {
			continue
		}
		left := withoutChars(c.chars, in.ExcludeCharacters)
		pool = append(pool, left...)
		if require {
			required = append(required, left)
		}
	}
	if in.IncludeSpace {
		pool = append(pool, withoutChars(spaceChars, in.ExcludeCharacters)...)
	}

	if len(pool) == 0 {
		return "", newError(CodeInvalidParameter, msgAllExcluded)
	}
	for _, r := range required {
		if len(r) == 0 {
			return "", newError(CodeInvalidParameter, msgTypeExcluded)
		}
	}
	if length < int64(len(required)) {
		return "", newError(CodeInvalidParameter, msgPasswordTooShort)
	}

	src := &byteSource{r: random}
	password := make([]byte, 0, length)
	for _, r := range required {
		i, err := src.uniform(len(r))
		if err != nil {
			return "", randomSourceError(err)
		}
		password = append(password, r[i])
	}
	for int64(len(password)) < length {
		i, err := src.uniform(len(pool))
		if err != nil {
			return "", randomSourceError(err)
		}
		password = append(password, pool[i])
	}
	// Fisher–Yates: the required characters were put first and must not stay there.
	for i := len(password) - 1; i > 0; i-- {
		j, err := src.uniform(i + 1)
		if err != nil {
			return "", randomSourceError(err)
		}
		password[i], password[j] = password[j], password[i]
	}
	return string(password), nil
}

// validatePasswordInput checks the API model's constraints, reporting every violation in
// one ValidationException as AWS's front end does.
func validatePasswordInput(in GetRandomPasswordInput) error {
	var violations []string
	switch {
	case in.PasswordLength < 0:
		violations = append(violations, constraintViolation(strconv.FormatInt(in.PasswordLength, 10),
			"passwordLength", "Member must have value greater than or equal to 1"))
	case in.PasswordLength > maxPasswordLength:
		violations = append(violations, constraintViolation(strconv.FormatInt(in.PasswordLength, 10),
			"passwordLength", "Member must have value less than or equal to 4096"))
	}
	if utf8.RuneCountInString(in.ExcludeCharacters) > maxExcludeCharactersLen {
		violations = append(violations, constraintViolation(in.ExcludeCharacters,
			"excludeCharacters", "Member must have length less than or equal to 4096"))
	}
	return validationError(violations)
}

// constraintViolation is one violation in AWS's (Coral's) wording.
func constraintViolation(value, path, rule string) string {
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, path, rule)
}

// validationError joins violations the way AWS does, or returns nil when there are none.
func validationError(violations []string) error {
	switch len(violations) {
	case 0:
		return nil
	case 1:
		return newError(CodeValidation, "1 validation error detected: %s", violations[0])
	default:
		return newError(CodeValidation, "%d validation errors detected: %s",
			len(violations), strings.Join(violations, "; "))
	}
}

func withoutChars(chars, exclude string) []byte {
	left := make([]byte, 0, len(chars))
	for i := 0; i < len(chars); i++ {
		if !strings.ContainsRune(exclude, rune(chars[i])) {
			left = append(left, chars[i])
		}
	}
	return left
}

func randomSourceError(err error) error {
	return &Error{Code: CodeInternalServiceError, Message: msgRandomSourceFailed, Err: err}
}

// maxRejections bounds rejection sampling. Each draw is rejected with probability below
// 1/2, so a working CSPRNG hits the bound with probability below 2^-128; a broken reader
// that repeats one out-of-range byte forever gets an error instead of a hang.
const maxRejections = 128

// errRandomStuck reports a reader whose bytes keep landing in the rejected range.
var errRandomStuck = errors.New("random source keeps producing out-of-range values")

// byteSource reads random ahead in chunks, because crypto/rand costs a system call per
// Read and a password needs thousands of bytes. It accepts short reads so that a finite
// reader's bytes are consumed exactly, in order.
type byteSource struct {
	r        io.Reader
	buf      [256]byte
	pos, end int
}

func (s *byteSource) next() (byte, error) {
	for tries := 0; s.pos == s.end; tries++ {
		n, err := s.r.Read(s.buf[:])
		s.pos, s.end = 0, n
		if n > 0 {
			break
		}
		if err == io.EOF {
			return 0, io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, err
		}
		if tries >= 100 {
			return 0, io.ErrNoProgress
		}
	}
	b := s.buf[s.pos]
	s.pos++
	return b, nil
}

// uniform returns an integer in [0, n) with every value equally likely, for
// 1 <= n <= 65536. It draws one byte when n fits in a byte, two otherwise, and rejects
// draws from the top 2^k mod n values (the "biased tail") instead of reducing them
// modulo n, which would favour the low values.
func (s *byteSource) uniform(n int) (int, error) {
	if n <= 1 {
		return 0, nil
	}
	space := 256
	if n > 256 {
		space = 65536
	}
	limit := space - space%n
	for range maxRejections {
		v, err := s.next()
		if err != nil {
			return 0, err
		}
		x := int(v)
		if space > 256 {
			lo, err := s.next()
			if err != nil {
				return 0, err
			}
			x = x<<8 | int(lo)
		}
		if x < limit {
			return x % n, nil
		}
	}
	return 0, errRandomStuck
}
