package rotor

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func boolPtr(b bool) *bool { return &b }

// allowedChars is the pool a password must be drawn from, computed independently of
// generatePassword so that the tests do not share its bugs.
func allowedChars(in GetRandomPasswordInput) string {
	var pool string
	if !in.ExcludeLowercase {
		pool += lowercaseChars
	}
	if !in.ExcludeUppercase {
		pool += uppercaseChars
	}
	if !in.ExcludeNumbers {
		pool += digitChars
	}
	if !in.ExcludePunctuation {
		pool += punctuationChars
	}
	if in.IncludeSpace {
		pool += " "
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(in.ExcludeCharacters, r) {
			return -1
		}
		return r
	}, pool)
}

func TestGeneratePasswordHonoursEveryFlag(t *testing.T) {
	all := lowercaseChars + uppercaseChars + digitChars + punctuationChars
	tests := []struct {
		name   string
		in     GetRandomPasswordInput
		length int
		// mustHave lists character sets of which every password holds at least one.
		mustHave []string
	}{
		{
			name:     "an empty input gives 32 characters with one of each class",
			length:   32,
			mustHave: []string{lowercaseChars, uppercaseChars, digitChars, punctuationChars},
		},
		{
			name:     "PasswordLength sets the length",
			in:       GetRandomPasswordInput{PasswordLength: 7},
			length:   7,
			mustHave: []string{lowercaseChars, uppercaseChars, digitChars, punctuationChars},
		},
		{
			name:   "the maximum length of 4096 is accepted",
			in:     GetRandomPasswordInput{PasswordLength: 4096},
			length: 4096,
		},
		{
			name:     "a length equal to the number of required classes gives one of each",
			in:       GetRandomPasswordInput{PasswordLength: 4},
			length:   4,
			mustHave: []string{lowercaseChars, uppercaseChars, digitChars, punctuationChars},
		},
		{
			name:     "ExcludeNumbers leaves out digits and requires the other three classes",
			in:       GetRandomPasswordInput{PasswordLength: 3, ExcludeNumbers: true},
			length:   3,
			mustHave: []string{lowercaseChars, uppercaseChars, punctuationChars},
		},
		{
			name:     "ExcludePunctuation leaves out the 32 punctuation characters",
			in:       GetRandomPasswordInput{PasswordLength: 64, ExcludePunctuation: true},
			length:   64,
			mustHave: []string{lowercaseChars, uppercaseChars, digitChars},
		},
		{
			name:     "ExcludeUppercase leaves out capitals",
			in:       GetRandomPasswordInput{PasswordLength: 64, ExcludeUppercase: true},
			length:   64,
			mustHave: []string{lowercaseChars, digitChars, punctuationChars},
		},
		{
			name:     "ExcludeLowercase leaves out small letters",
			in:       GetRandomPasswordInput{PasswordLength: 64, ExcludeLowercase: true},
			length:   64,
			mustHave: []string{uppercaseChars, digitChars, punctuationChars},
		},
		{
			name:     "IncludeSpace adds the space to the pool",
			in:       GetRandomPasswordInput{PasswordLength: 4096, IncludeSpace: true},
			length:   4096,
			mustHave: []string{" ", lowercaseChars, uppercaseChars, digitChars, punctuationChars},
		},
		{
			name:   "a space in ExcludeCharacters wins over IncludeSpace",
			in:     GetRandomPasswordInput{PasswordLength: 4096, IncludeSpace: true, ExcludeCharacters: " "},
			length: 4096,
		},
		{
			name:     "ExcludeCharacters removes every listed character (AWS-validated example)",
			in:       GetRandomPasswordInput{PasswordLength: 120, ExcludeCharacters: "xyzDje@?!."},
			length:   120,
			mustHave: []string{lowercaseChars, uppercaseChars, digitChars, punctuationChars},
		},
		{
			name:     "ExcludeCharacters may leave a required class a single character",
			in:       GetRandomPasswordInput{PasswordLength: 8, ExcludeCharacters: "012345678"},
			length:   8,
			mustHave: []string{"9"},
		},
		{
			name:   "ExcludeCharacters ignores characters outside every class",
			in:     GetRandomPasswordInput{PasswordLength: 16, ExcludeCharacters: "éß\t\n"},
			length: 16,
		},
		{
			name:   "RequireEachIncludedType false allows a one-character password",
			in:     GetRandomPasswordInput{PasswordLength: 1, RequireEachIncludedType: boolPtr(false)},
			length: 1,
		},
		{
			name:     "RequireEachIncludedType true explicitly behaves like the default",
			in:       GetRandomPasswordInput{PasswordLength: 4, RequireEachIncludedType: boolPtr(true)},
			length:   4,
			mustHave: []string{lowercaseChars, uppercaseChars, digitChars, punctuationChars},
		},
		{
			name: "RequireEachIncludedType false lets ExcludeCharacters empty a class",
			in: GetRandomPasswordInput{
				PasswordLength: 20, ExcludeCharacters: digitChars, RequireEachIncludedType: boolPtr(false),
			},
			length: 20,
		},
		{
			name: "only one class left needs only one character",
			in: GetRandomPasswordInput{
				PasswordLength: 1, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true,
			},
			length:   1,
			mustHave: []string{digitChars},
		},
		{
			name: "every class excluded but IncludeSpace gives spaces",
			in: GetRandomPasswordInput{
				PasswordLength: 5, ExcludeLowercase: true, ExcludeUppercase: true,
				ExcludeNumbers: true, ExcludePunctuation: true, IncludeSpace: true,
			},
			length: 5,
		},
		{
			name: "the space is never required",
			in: GetRandomPasswordInput{
				PasswordLength: 1, ExcludeLowercase: true, ExcludeUppercase: true,
				ExcludeNumbers: true, IncludeSpace: true,
			},
			length:   1,
			mustHave: []string{punctuationChars},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allowed := allowedChars(tt.in)
			for range 50 {
				pw, err := generatePassword(rand.Reader, tt.in)
				require.NoError(t, err)
				require.Len(t, pw, tt.length)
				for _, c := range pw {
					require.Truef(t, strings.ContainsRune(allowed, c), "character %q is not allowed", c)
				}
				for _, set := range tt.mustHave {
					assert.Truef(t, strings.ContainsAny(pw, set), "no character of %q", set)
				}
			}
		})
	}
	t.Run("the default pool is exactly the 94 printable ASCII characters other than space", func(t *testing.T) {
		assert.Len(t, all, 94)
		for c := byte('!'); c <= '~'; c++ {
			assert.Equal(t, 1, strings.Count(all, string(c)), "character %q", c)
		}
	})
}

func TestGeneratePasswordRefusesBadInput(t *testing.T) {
	tooShortMsg := "Password length is too short based on the required types."
	tests := []struct {
		name    string
		in      GetRandomPasswordInput
		code    string
		message string
	}{
		{
			name:    "a negative length breaks the model's minimum",
			in:      GetRandomPasswordInput{PasswordLength: -5},
			code:    CodeValidation,
			message: "1 validation error detected: Value '-5' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1",
		},
		{
			name:    "a length of 4097 breaks the model's maximum",
			in:      GetRandomPasswordInput{PasswordLength: 4097},
			code:    CodeValidation,
			message: "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096",
		},
		{
			name:    "a huge length is refused before any allocation",
			in:      GetRandomPasswordInput{PasswordLength: 1 << 62},
			code:    CodeValidation,
			message: "1 validation error detected: Value '4611686018427387904' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096",
		},
		{
			name:    "ExcludeCharacters longer than 4096 characters is refused",
			in:      GetRandomPasswordInput{ExcludeCharacters: strings.Repeat("a", 4097)},
			code:    CodeValidation,
			message: "1 validation error detected: Value '" + strings.Repeat("a", 4097) + "' at 'excludeCharacters' failed to satisfy constraint: Member must have length less than or equal to 4096",
		},
		{
			name: "two violations are reported together",
			in:   GetRandomPasswordInput{PasswordLength: 5000, ExcludeCharacters: strings.Repeat("é", 4097)},
			code: CodeValidation,
			message: "2 validation errors detected: Value '5000' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096; " +
				"Value '" + strings.Repeat("é", 4097) + "' at 'excludeCharacters' failed to satisfy constraint: Member must have length less than or equal to 4096",
		},
		{
			name:    "a length below the four required classes is too short",
			in:      GetRandomPasswordInput{PasswordLength: 3},
			code:    CodeInvalidParameter,
			message: tooShortMsg,
		},
		{
			name:    "a length below three required classes is too short",
			in:      GetRandomPasswordInput{PasswordLength: 2, ExcludeLowercase: true},
			code:    CodeInvalidParameter,
			message: tooShortMsg,
		},
		{
			name:    "ExcludeCharacters emptying the digits while they are required is refused",
			in:      GetRandomPasswordInput{ExcludeCharacters: digitChars},
			code:    CodeInvalidParameter,
			message: "All characters of the desired type have been excluded.",
		},
		{
			name:    "ExcludeCharacters emptying the punctuation while it is required is refused",
			in:      GetRandomPasswordInput{ExcludeCharacters: punctuationChars + "abc"},
			code:    CodeInvalidParameter,
			message: "All characters of the desired type have been excluded.",
		},
		{
			name: "a required class emptied is refused even when the space is left",
			in: GetRandomPasswordInput{
				ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true,
				ExcludeCharacters: punctuationChars, IncludeSpace: true,
			},
			code:    CodeInvalidParameter,
			message: "All characters of the desired type have been excluded.",
		},
		{
			name: "excluding every class leaves nothing",
			in: GetRandomPasswordInput{
				ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true,
			},
			code:    CodeInvalidParameter,
			message: "All characters have been excluded from selection.",
		},
		{
			name: "ExcludeCharacters listing every character leaves nothing",
			in: GetRandomPasswordInput{
				ExcludeCharacters:       lowercaseChars + uppercaseChars + digitChars + punctuationChars + " ",
				IncludeSpace:            true,
				RequireEachIncludedType: boolPtr(false),
			},
			code:    CodeInvalidParameter,
			message: "All characters have been excluded from selection.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw, err := generatePassword(rand.Reader, tt.in)
			require.Error(t, err)
			assert.Empty(t, pw)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.message, e.Message)
			assert.ErrorIs(t, err, &Error{Code: tt.code})
		})
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

// constantReader returns the same byte forever.
type constantReader byte

func (r constantReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestGeneratePasswordReportsRandomSourceFailures(t *testing.T) {
	boom := errors.New("entropy pool on fire")
	tests := []struct {
		name   string
		random io.Reader
		cause  error
	}{
		{name: "a read error is wrapped", random: failingReader{boom}, cause: boom},
		{name: "a reader that runs dry is an unexpected EOF", random: bytes.NewReader([]byte{1, 2, 3}), cause: io.ErrUnexpectedEOF},
		{name: "a reader that never makes progress is refused", random: failingReader{nil}, cause: io.ErrNoProgress},
		{name: "a reader stuck in the biased tail is refused instead of hanging", random: constantReader(255), cause: errRandomStuck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw, err := generatePassword(tt.random, GetRandomPasswordInput{})
			assert.Empty(t, pw)
			assert.ErrorIs(t, err, ErrInternalServiceError)
			assert.ErrorIs(t, err, tt.cause)
		})
	}
}

func TestRejectionSamplingNeverUsesTheBiasedTail(t *testing.T) {
	// 256 = 9*26 + 22: bytes 234..255 would make a..v more likely than w..z if reduced
	// modulo 26, so they must be skipped and the next byte used.
	lowercaseOnly := GetRandomPasswordInput{
		PasswordLength: 1, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true,
	}
	t.Run("every byte below 234 maps to its residue and every byte above is skipped", func(t *testing.T) {
		for b := 0; b < 256; b++ {
			pw, err := generatePassword(bytes.NewReader([]byte{byte(b), 7}), lowercaseOnly)
			require.NoError(t, err)
			want := string(lowercaseChars[b%26])
			if b >= 234 {
				want = "h" // the tail byte was dropped and 7 drawn instead
			}
			assert.Equal(t, want, pw, "first byte %d", b)
		}
	})

	t.Run("a reader holding only tail bytes yields no character at all", func(t *testing.T) {
		var tail []byte
		for b := 234; b < 256; b++ {
			tail = append(tail, byte(b))
		}
		_, err := generatePassword(bytes.NewReader(tail), lowercaseOnly)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})

	t.Run("indices above 256 use two bytes and skip their tail", func(t *testing.T) {
		// 65536 = 218*300 + 136, so 65400..65535 is the tail for n = 300.
		src := &byteSource{r: bytes.NewReader([]byte{0xff, 0x78, 0xff, 0xff, 0x01, 0x2d})}
		i, err := src.uniform(300)
		require.NoError(t, err)
		assert.Equal(t, 0x012d%300, i)

		src = &byteSource{r: bytes.NewReader([]byte{0xff, 0x77})}
		i, err = src.uniform(300)
		require.NoError(t, err)
		assert.Equal(t, 65399%300, i, "the last value below the tail is kept")
	})

	t.Run("a single choice reads nothing", func(t *testing.T) {
		src := &byteSource{r: failingReader{errors.New("must not be read")}}
		i, err := src.uniform(1)
		require.NoError(t, err)
		assert.Zero(t, i)
	})
}

func TestGeneratePasswordIsDeterministicForAFixedReader(t *testing.T) {
	seed := bytes.Repeat([]byte{17, 200, 3, 99, 142, 61, 250, 8}, 64)
	first, err := generatePassword(bytes.NewReader(seed), GetRandomPasswordInput{})
	require.NoError(t, err)
	second, err := generatePassword(bytes.NewReader(seed), GetRandomPasswordInput{})
	require.NoError(t, err)
	assert.Equal(t, first, second)
}

// TestGeneratePasswordIsUniform runs a chi-square test over about 200,000 characters.
// With 93 degrees of freedom the statistic has mean 93 and standard deviation about 13.6;
// the threshold of 200 is almost eight deviations out (p < 1e-9), so the test only fails
// on real bias (one character 10% too frequent adds about 23).
func TestGeneratePasswordIsUniform(t *testing.T) {
	tests := []struct {
		name string
		in   GetRandomPasswordInput
	}{
		{
			name: "every default character is equally likely",
			in:   GetRandomPasswordInput{PasswordLength: 4096, RequireEachIncludedType: boolPtr(false)},
		},
		{
			name: "every character is equally likely with the space and exclusions",
			in: GetRandomPasswordInput{
				PasswordLength: 4096, IncludeSpace: true, ExcludeCharacters: "lI1O0",
				RequireEachIncludedType: boolPtr(false),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allowed := allowedChars(tt.in)
			counts := map[rune]int{}
			total := 0
			for range 50 {
				pw, err := generatePassword(rand.Reader, tt.in)
				require.NoError(t, err)
				for _, c := range pw {
					counts[c]++
				}
				total += len(pw)
			}
			require.Len(t, counts, len(allowed), "every allowed character appears")
			expected := float64(total) / float64(len(allowed))
			chi2 := 0.0
			for _, c := range allowed {
				d := float64(counts[c]) - expected
				chi2 += d * d / expected
			}
			assert.Less(t, chi2, 200.0, "chi-square with %d degrees of freedom", len(allowed)-1)
		})
	}
}

func TestRequiredCharactersLandAtRandomPositions(t *testing.T) {
	// With length 4 the password is exactly one character of each class; if the
	// required characters were appended in a fixed order (as moto does) each class
	// would always sit at the same position.
	classes := []string{lowercaseChars, uppercaseChars, digitChars, punctuationChars}
	seen := make([]map[int]bool, len(classes))
	for i := range seen {
		seen[i] = map[int]bool{}
	}
	for range 400 {
		pw, err := generatePassword(rand.Reader, GetRandomPasswordInput{PasswordLength: 4})
		require.NoError(t, err)
		for pos, c := range pw {
			for k, class := range classes {
				if strings.ContainsRune(class, c) {
					seen[k][pos] = true
				}
			}
		}
	}
	for k := range classes {
		assert.Len(t, seen[k], 4, "class %d appears at every position", k)
	}
}

func TestGetRandomPasswordOutputNeverPrintsThePassword(t *testing.T) {
	const secret = "hunter2-Sup3rS3cret!"
	out := GetRandomPasswordOutput{RandomPassword: secret}
	tests := []struct {
		format string
		want   string
	}{
		{"%v", "{[REDACTED]}"},
		{"%+v", "{RandomPassword:[REDACTED]}"},
		{"%#v", `rotor.GetRandomPasswordOutput{RandomPassword:"[REDACTED]"}`},
		{"%s", "{[REDACTED]}"},
		{"%q", `{"[REDACTED]"}`},
		{"%x", fmt.Sprintf("{%x}", redacted)},
		{"%X", fmt.Sprintf("{%X}", redacted)},
		{"%d", "{%!d(string=[REDACTED])}"},
		{"%14v", "{    [REDACTED]}"},
		{"%-14s|", "{[REDACTED]    }|"},
	}
	for _, tt := range tests {
		t.Run("the verb "+tt.format+" prints the redacted struct", func(t *testing.T) {
			got := fmt.Sprintf(tt.format, out)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, secret)
			assert.Equal(t, tt.want, fmt.Sprintf(tt.format, &out), "through a pointer too")
		})
	}

	t.Run("Println and a wrapped error redact it too", func(t *testing.T) {
		got := fmt.Sprintln(out) + fmt.Errorf("failed with %v", out).Error() + fmt.Sprint([]GetRandomPasswordOutput{out})
		assert.NotContains(t, got, secret)
		assert.Contains(t, got, redacted)
	})

	t.Run("the JSON slog handler logs the redacted struct", func(t *testing.T) {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "out", out)
		assert.NotContains(t, buf.String(), secret)
		assert.Contains(t, buf.String(), `"out":{"RandomPassword":"[REDACTED]"}`)
	})

	t.Run("the text slog handler logs the redacted struct", func(t *testing.T) {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "out", out, "ptr", &out)
		assert.NotContains(t, buf.String(), secret)
		assert.Contains(t, buf.String(), "out.RandomPassword=[REDACTED]")
	})

	t.Run("the field itself still holds the password", func(t *testing.T) {
		assert.Equal(t, secret, out.RandomPassword)
	})
}
