package rotor

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// matching returns the names of the subjects that pass filters, in order, as ListSecrets
// would list them.
func matching(filters []Filter, subjects []filterSubject) []string {
	names := []string{}
	for _, s := range subjects {
		if matchFilters(filters, s) {
			names = append(names, s.Name)
		}
	}
	return names
}

func filter(key string, values ...string) Filter { return Filter{Key: key, Values: values} }

func tags(kv ...string) []Tag {
	var ts []Tag
	for i := 0; i+1 < len(kv); i += 2 {
		ts = append(ts, Tag{Key: kv[i], Value: kv[i+1]})
	}
	return ts
}

// The secrets of LocalStack's AWS-validated test_list_secrets_filtering.
var localStackFixture = []filterSubject{
	{Name: "testing1/one-12345", Description: "a secret"},
	{Name: "/testing2/two-12345", Description: "an secret"},
	{Name: "testing3/three-12345", Description: "asecret"},
	{Name: "/testing4/four-12345", Description: "thesecret"},
}

// The secrets of moto's AWS-verified test_with_filter_with_value_with_multiple_words and
// test_with_filter_with_negation.
var descriptionFixture = []filterSubject{
	{Name: "foo", Description: "one two"},
	{Name: "bar", Description: "one and two"},
	{Name: "baz", Description: "one"},
	{Name: "qux", Description: "two"},
	{Name: "none", Description: "unrelated"},
}

// unique stands for the random suffix of moto's AWS-verified tests; it holds no letter
// that any search below looks for.
const unique = "x7q4"

// The secrets of moto's AWS-verified test_with_all_filter.
var allFilterFixture = []filterSubject{
	{Name: "SecretOne" + unique},
	{Name: "SecretTwo" + unique, Description: "DescTwo"},
	{Name: "Thirdsecret" + unique},
	{Name: "SecretFTag" + unique, Tags: tags("1", "foo")},
	{Name: "SecretFValue" + unique, Tags: tags("foo", "v")},
	{Name: "none" + unique},
}

// The secrets of moto's AWS-verified test_with_all_filter_special_characters.
var specialCharacterFixture = []filterSubject{
	{Name: "prod/AppBeta/" + unique},
	{Name: "prod_AppBeta_" + unique},
	{Name: "prod+AppBeta+" + unique},
	{Name: "prod=AppBeta=" + unique},
	{Name: "prod.AppBeta." + unique},
	{Name: "prod@AppBeta@" + unique},
	{Name: "prod-AppBeta-" + unique},
	{Name: "uat/COMPANY/" + unique},
	{Name: "uat/COMPANYthings/" + unique},
}

var appBetaNames = []string{
	"prod/AppBeta/" + unique, "prod_AppBeta_" + unique, "prod+AppBeta+" + unique, "prod=AppBeta=" + unique,
	"prod.AppBeta." + unique, "prod@AppBeta@" + unique, "prod-AppBeta-" + unique,
}

func TestMatchFilters(t *testing.T) {
	tests := []struct {
		name     string
		subjects []filterSubject
		filters  []Filter
		want     []string
	}{
		// The filter rules of ListSecrets, held to LocalStack's test recorded
		// against AWS.
		{"a name filter is a prefix of the whole name", localStackFixture, []Filter{filter("name", "/")},
			[]string{"/testing2/two-12345", "/testing4/four-12345"}},
		{"a negated name filter keeps the names without that prefix", localStackFixture, []Filter{filter("name", "!/")},
			[]string{"testing1/one-12345", "testing3/three-12345"}},
		{"a space in a name filter is not a word separator", localStackFixture, []Filter{filter("name", "testing1 one")},
			[]string{}},
		{"a description word matches the words it begins", localStackFixture, []Filter{filter("description", "a")},
			[]string{"testing1/one-12345", "/testing2/two-12345", "testing3/three-12345"}},
		{"a negated description word keeps descriptions with no word it begins", localStackFixture, []Filter{filter("description", "!a")},
			[]string{"/testing4/four-12345"}},
		{"every word of a description value must begin some word", localStackFixture, []Filter{filter("description", "a secret")},
			[]string{"testing1/one-12345", "/testing2/two-12345"}},
		{"a negated word that begins no description word keeps them all", localStackFixture, []Filter{filter("description", "!c")},
			[]string{"testing1/one-12345", "/testing2/two-12345", "testing3/three-12345", "/testing4/four-12345"}},
		{"filters on different keys are AND-ed", localStackFixture, []Filter{filter("description", "a"), filter("name", "secret")},
			[]string{}},
		{"a name filter does not look at the description", localStackFixture, []Filter{filter("description", "a"), filter("name", "an")},
			[]string{}},

		// moto's AWS-verified description tests.
		{"a multi-word description value needs every word", descriptionFixture, []Filter{filter("description", "one two")},
			[]string{"foo", "bar"}},
		{"single letters match the words they begin", descriptionFixture, []Filter{filter("description", "o t")},
			[]string{"foo", "bar"}},
		{"one letter matches every description with a word it begins", descriptionFixture, []Filter{filter("description", "t")},
			[]string{"foo", "bar", "qux"}},
		{"two filters with the same key are AND-ed", descriptionFixture, []Filter{filter("description", "one"), filter("description", "two")},
			[]string{"foo", "bar"}},
		{"values of one filter are OR-ed, negated ones included", descriptionFixture, []Filter{filter("description", "one", "!two")},
			[]string{"foo", "bar", "baz", "none"}},
		{"a negated letter keeps descriptions with no word it begins", descriptionFixture, []Filter{filter("description", "!o")},
			[]string{"qux", "none"}},
		{"description matching ignores case", descriptionFixture, []Filter{filter("description", "ONE Tw")},
			[]string{"foo", "bar"}},

		// moto's AWS-verified test_with_all_filter.
		{"all: a camel-case value matches those words in order", allFilterFixture, []Filter{filter("all", "SecretOne")},
			[]string{"SecretOne" + unique}},
		{"all: tag keys and tag values are searched", allFilterFixture, []Filter{filter("all", "foo")},
			[]string{"SecretFTag" + unique, "SecretFValue" + unique}},
		{"all: a word matches where it starts a camel-case word", allFilterFixture, []Filter{filter("all", "Secret")},
			[]string{"SecretOne" + unique, "SecretTwo" + unique, "SecretFTag" + unique, "SecretFValue" + unique}},
		{"all: matching ignores case", allFilterFixture, []Filter{filter("all", "secret")},
			[]string{"SecretOne" + unique, "SecretTwo" + unique, "SecretFTag" + unique, "SecretFValue" + unique}},
		{"all: the middle of a word does not match", allFilterFixture, []Filter{filter("all", "ret")},
			[]string{}},
		{"all: the start of a word matches", allFilterFixture, []Filter{filter("all", "sec")},
			[]string{"SecretOne" + unique, "SecretTwo" + unique, "SecretFTag" + unique, "SecretFValue" + unique}},
		{"all: every word of the value must be found", allFilterFixture, []Filter{filter("all", "SomeSecret")},
			[]string{}},
		{"all: one letter matches a description word", allFilterFixture, []Filter{filter("all", "d")},
			[]string{"SecretTwo" + unique}},
		{"all: space-separated letters must each begin a word", allFilterFixture, []Filter{filter("all", "d t")},
			[]string{"SecretTwo" + unique}},
		{"all: a letter matches name words and camel-case parts", allFilterFixture, []Filter{filter("all", "t")},
			[]string{"SecretTwo" + unique, "Thirdsecret" + unique, "SecretFTag" + unique}},

		// moto's AWS-verified test_with_all_filter_special_characters.
		{"all: every name separator splits words", specialCharacterFixture, []Filter{filter("all", "AppBeta")},
			appBetaNames},
		{"all: a camel-case part is a word of its own", specialCharacterFixture, []Filter{filter("all", "Beta")},
			appBetaNames},
		{"all: values are OR-ed", specialCharacterFixture, []Filter{filter("all", "AppBeta", "prod")},
			appBetaNames},
		{"all: a bare separator matches nothing", specialCharacterFixture, []Filter{filter("all", "+")},
			[]string{}},
		{"all: the suffix after a separator is a word", specialCharacterFixture, []Filter{filter("all", unique)},
			append(append([]string{}, appBetaNames...), "uat/COMPANY/"+unique, "uat/COMPANYthings/"+unique)},
		{"all: a word in capitals matches ignoring case", specialCharacterFixture, []Filter{filter("all", "company")},
			[]string{"uat/COMPANY/" + unique}},
		{"all: lower case after capitals is not a word of its own", specialCharacterFixture, []Filter{filter("all", "things")},
			[]string{}},
		{"all: the last capital before lower case starts a word", specialCharacterFixture, []Filter{filter("all", "Ythings")},
			[]string{"uat/COMPANYthings/" + unique}},
		{"all: single capitals inside a word are not words", specialCharacterFixture, []Filter{filter("all", "N")},
			[]string{}},
		{"all: the middle of a capitalised word does not match", specialCharacterFixture, []Filter{filter("all", "pany")},
			[]string{}},

		// The mixed-separator quirk: such a name is one word.
		{"all: a name mixing two separators is not split", []filterSubject{{Name: "prod-AppBeta/" + unique}},
			[]Filter{filter("all", "AppBeta")}, []string{}},
		{"all: a name mixing two separators is not found by its suffix", []filterSubject{{Name: "prod-AppBeta/" + unique}},
			[]Filter{filter("all", unique)}, []string{}},
		{"all: a name mixing two separators is found by a prefix of the whole", []filterSubject{{Name: "prod-AppBeta/" + unique}},
			[]Filter{filter("all", "PROD-appbeta/X")}, []string{"prod-AppBeta/" + unique}},
		{"all: a name mixing two separators is found by its first word", []filterSubject{{Name: "prod-AppBeta/" + unique}},
			[]Filter{filter("all", "prod")}, []string{"prod-AppBeta/" + unique}},

		// The user guide's examples.
		{"all: letters and digits are separate words, punctuation breaks words",
			[]filterSubject{{Name: "a", Tags: tags("k", "credsDatabase#892")}, {Name: "b", Description: "creds for the database 892"}, {Name: "c", Description: "creds 892"}},
			[]Filter{filter("all", "credsDatabase892")}, []string{"a", "b"}},
		{"all: a digit run matches on its own",
			[]filterSubject{{Name: "db", Tags: tags("k", "credsDatabase#892")}},
			[]Filter{filter("all", "89")}, []string{"db"}},
		{"name is case-sensitive", []filterSubject{{Name: "DatabaseSecret"}, {Name: "databaseSecret"}, {Name: "MyData"}},
			[]Filter{filter("name", "Data")}, []string{"DatabaseSecret"}},
		{"description matches words in any order and case",
			[]filterSubject{
				{Name: "1", Description: "My Description"}, {Name: "2", Description: "my description"},
				{Name: "3", Description: "My basic description"}, {Name: "4", Description: "Description of my secret"},
				{Name: "5", Description: "Mydescription"}, {Name: "6", Description: "description only"},
			},
			[]Filter{filter("description", "My Description")}, []string{"1", "2", "3", "4"}},
		{"description splits at name separators",
			[]filterSubject{{Name: "1", Description: "prod-db/creds"}, {Name: "2", Description: "proddb creds"}},
			[]Filter{filter("description", "db cred")}, []string{"1"}},
		{"description does not split at case changes",
			[]filterSubject{{Name: "1", Description: "DescTwo"}},
			[]Filter{filter("description", "two")}, []string{}},
		{"owning-service is a prefix match ignoring case",
			[]filterSubject{{Name: "1", OwningService: "my-service"}, {Name: "2", OwningService: "My-Serv"}, {Name: "3", OwningService: "other"}, {Name: "4"}},
			[]Filter{filter("owning-service", "my-ser")}, []string{"1", "2"}},
		{"owning-service n/a matches no secret without an owning service (moto)",
			[]filterSubject{{Name: "foo"}}, []Filter{filter("owning-service", "n/a")}, []string{}},

		// Tags and regions.
		{"tag-key is a case-sensitive prefix of some key",
			[]filterSubject{{Name: "1", Tags: tags("Environment", "x")}, {Name: "2", Tags: tags("env", "x")}, {Name: "3", Tags: tags("a", "b", "Env", "c")}, {Name: "4"}},
			[]Filter{filter("tag-key", "Env")}, []string{"1", "3"}},
		{"a negated tag-key keeps secrets with no such key, untagged ones included",
			[]filterSubject{{Name: "1", Tags: tags("Environment", "x")}, {Name: "2", Tags: tags("env", "x")}, {Name: "3", Tags: tags("a", "b", "Env", "c")}, {Name: "4"}},
			[]Filter{filter("tag-key", "!Env")}, []string{"2", "4"}},
		{"tag-value is a case-sensitive prefix of some value",
			[]filterSubject{{Name: "1", Tags: tags("1", "baz")}, {Name: "2", Tags: tags("baz", "1")}, {Name: "3", Tags: tags("1", "Baz")}},
			[]Filter{filter("tag-value", "ba")}, []string{"1"}},
		{"a tag-key and a tag-value filter may match different tags",
			[]filterSubject{
				{Name: "foo", Tags: tags("right", "right")}, {Name: "bar", Tags: tags("right", "wrong")},
				{Name: "baz", Tags: tags("wrong", "right")}, {Name: "qux", Tags: tags("wrong", "wrong")},
				{Name: "both", Tags: tags("right", "wrong", "wrong", "right")},
			},
			[]Filter{filter("tag-key", "right"), filter("tag-value", "right")}, []string{"foo", "both"}},
		{"primary-region is a case-sensitive prefix",
			[]filterSubject{{Name: "1", PrimaryRegion: "us-east-1"}, {Name: "2", PrimaryRegion: "eu-west-1"}, {Name: "3"}},
			[]Filter{filter("primary-region", "us-")}, []string{"1"}},
		{"an empty primary-region value matches only secrets that have one",
			[]filterSubject{{Name: "1", PrimaryRegion: "us-east-1"}, {Name: "2"}},
			[]Filter{filter("primary-region", "")}, []string{"1"}},
		{"a negated primary-region keeps secrets that are not replicated",
			[]filterSubject{{Name: "1", PrimaryRegion: "us-east-1"}, {Name: "2"}},
			[]Filter{filter("primary-region", "!US")}, []string{"1", "2"}},

		// Edges.
		{"no filters match everything", descriptionFixture, nil,
			[]string{"foo", "bar", "baz", "qux", "none"}},
		{"an empty name value matches every name", descriptionFixture, []Filter{filter("name", "")},
			[]string{"foo", "bar", "baz", "qux", "none"}},
		{"a bare ! negates the empty value and matches no name", descriptionFixture, []Filter{filter("name", "!")},
			[]string{}},
		{"only the first ! negates", []filterSubject{{Name: "!x"}, {Name: "x"}}, []Filter{filter("name", "!!x")},
			[]string{"x"}},
		{"a description value of only spaces matches nothing", descriptionFixture, []Filter{filter("description", "  ")},
			[]string{}},
		{"a secret without a description matches no description value", []filterSubject{{Name: "1"}},
			[]Filter{filter("description", "")}, []string{}},
		{"a filter with no values matches nothing", descriptionFixture, []Filter{filter("name")},
			[]string{}},
		{"an unknown key matches nothing", descriptionFixture, []Filter{filter("bogus", "foo")},
			[]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, matching(tt.filters, tt.subjects))
		})
	}
}

func TestSearchWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		// moto's test_word_splitter, lower-cased.
		{"test", []string{"test"}},
		{"my test", []string{"my", "test"}},
		{"Mytest", []string{"mytest"}},
		{"MyTest", []string{"my", "test"}},
		{"MyTestPhrase", []string{"my", "test", "phrase"}},
		{"myTest", []string{"my", "test"}},
		{"my/test", []string{"my", "test"}},
		// AWS-recorded and user-guide splits.
		{"COMPANYthings", []string{"compan", "ythings"}},
		{"uat/COMPANY/x", []string{"uat", "company", "x"}},
		{"SecretFTag", []string{"secret", "f", "tag"}},
		{"credsDatabase#892", []string{"creds", "database", "892"}},
		{"prod-AppBeta/xyz", []string{"prod-appbeta/xyz"}},
		{"prod-AppBeta-xyz", []string{"prod", "app", "beta", "xyz"}},
		{"+", nil},
		{"-/", nil},
		{"", nil},
		{"v2Beta", []string{"v", "2", "beta"}},
		{"ÉtéCafé", []string{"été", "café"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q splits into %q", tt.in, tt.want), func(t *testing.T) {
			assert.Equal(t, tt.want, searchWords(tt.in))
		})
	}
}

func TestValidateFilters(t *testing.T) {
	enumRule := "Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]"
	patternRule := `Member must satisfy regular expression pattern: ^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`
	long := strings.Repeat("a", 512)
	ten := func(v string) []string {
		vs := make([]string, 10)
		for i := range vs {
			vs[i] = v
		}
		return vs
	}
	tests := []struct {
		name    string
		filters []Filter
		code    string // empty when the filters are valid
		message string
	}{
		{name: "no filters are valid", filters: nil},
		{name: "every key is accepted", filters: []Filter{
			filter("all", "a"), filter("name", "a"), filter("tag-key", "a"), filter("description", "a"),
			filter("tag-value", "a"), filter("primary-region", "a"), filter("owning-service", "a"),
		}},
		{name: "ten filters of ten 512-character values are within the limits", filters: func() []Filter {
			fs := make([]Filter, 10)
			for i := range fs {
				fs[i] = Filter{Key: "name", Values: ten(long)}
			}
			return fs
		}()},
		{name: "every character of the pattern is accepted", filters: []Filter{
			filter("name", "!azAZ09 :_@/+=.-!", "", "!"),
		}},
		{
			name:    "an unknown key is refused with AWS's enum message",
			filters: []Filter{filter("invalid", "foo")},
			code:    CodeValidation,
			message: "1 validation error detected: Value 'invalid' at 'filters.1.member.key' failed to satisfy constraint: " + enumRule,
		},
		{
			name:    "the position of the bad filter is counted from 1",
			filters: []Filter{filter("name", "a"), filter("Name", "b")},
			code:    CodeValidation,
			message: "1 validation error detected: Value 'Name' at 'filters.2.member.key' failed to satisfy constraint: " + enumRule,
		},
		{
			name: "more than 10 filters are refused",
			filters: func() []Filter {
				fs := make([]Filter, 11)
				for i := range fs {
					fs[i] = filter("name", "a")
				}
				return fs
			}(),
			code:    CodeValidation,
			message: "1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 10",
		},
		{
			name:    "a filter without values is refused",
			filters: []Filter{filter("description")},
			code:    CodeValidation,
			message: "1 validation error detected: Value '[]' at 'filters.1.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name:    "more than 10 values are refused",
			filters: []Filter{{Key: "name", Values: append(ten("a"), "b")}},
			code:    CodeValidation,
			message: "1 validation error detected: Value '[a, a, a, a, a, a, a, a, a, a, b]' at 'filters.1.member.values' failed to satisfy constraint: Member must have length less than or equal to 10",
		},
		{
			name:    "a value longer than 512 characters is refused",
			filters: []Filter{filter("name", "ok", long+"a")},
			code:    CodeValidation,
			message: "1 validation error detected: Value '[ok, " + long + "a]' at 'filters.1.member.values' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 512]",
		},
		{
			name:    "a value outside the pattern is refused",
			filters: []Filter{filter("all", "credsDatabase#892")},
			code:    CodeValidation,
			message: "1 validation error detected: Value '[credsDatabase#892]' at 'filters.1.member.values' failed to satisfy constraint: Member must satisfy constraint: [" + patternRule + "]",
		},
		{
			name:    "every violation is reported in one message",
			filters: []Filter{filter("invalid", "a"), filter("name", "ü")},
			code:    CodeValidation,
			message: "2 validation errors detected: Value 'invalid' at 'filters.1.member.key' failed to satisfy constraint: " + enumRule +
				"; Value '[ü]' at 'filters.2.member.values' failed to satisfy constraint: Member must satisfy constraint: [" + patternRule + "]",
		},
		{
			name:    "a filter without a key is refused as an invalid parameter",
			filters: []Filter{filter("name", "a"), filter("", "foo")},
			code:    CodeInvalidParameter,
			message: "Invalid filter key: filters.2.member.key is required and must be one of all, name, tag-key, description, tag-value, primary-region, owning-service.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateFilters(tt.filters)
			if tt.code == "" {
				assert.NoError(t, err)
				return
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.message, e.Message)
		})
	}
}

func FuzzMatchFilters(f *testing.F) {
	for _, s := range allFilterFixture {
		f.Add("all", "sec", s.Name, s.Description, "foo", "v", "", "")
	}
	for _, s := range specialCharacterFixture {
		f.Add("all", "Ythings", s.Name, "", "", "", "us-east-1", "rds")
	}
	f.Add("description", "a secret", "n", "an secret", "", "", "", "")
	f.Add("name", "!/", "/testing2/two", "", "", "", "", "")
	f.Add("tag-key", "Env", "n", "", "Environment", "prod", "", "")
	f.Add("owning-service", "my-ser", "n", "", "", "", "", "my-service")
	f.Add("primary-region", "", "n", "", "", "", "us-east-1", "")
	f.Add("invalid", "#\x00\xff", "\xff\xfe", "ÉtéCafé 2Ab", "", "", "", "")
	f.Add("", "", "", "", "", "", "", "")
	// Found by fuzzing: a negated value under an unknown key used to match everything.
	f.Add("0", "!", "0", "", "", "", "", "")
	f.Add("name", "!0", "1", "0", "", "", "", "")

	f.Fuzz(func(t *testing.T, key, value, name, description, tagKey, tagValue, region, service string) {
		s := filterSubject{
			Name: name, Description: description, PrimaryRegion: region, OwningService: service,
			Tags: []Tag{{Key: tagKey, Value: tagValue}},
		}
		if !matchFilters(nil, s) {
			t.Fatal("no filters must match every secret")
		}
		if err := validateFilters(nil); err != nil {
			t.Fatalf("no filters must be valid, got %v", err)
		}

		filters := []Filter{{Key: key, Values: []string{value}}}
		if err := validateFilters(filters); err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Code != CodeValidation && e.Code != CodeInvalidParameter) {
				t.Fatalf("validation error of the wrong kind: %#v", err)
			}
		}
		for _, w := range searchWords(value) {
			if w == "" {
				t.Fatalf("empty word from %q", value)
			}
		}
		got := matchFilters(filters, s)
		if got && !matchFilters([]Filter{{Key: key, Values: []string{"zz", value}}}, s) {
			t.Fatal("adding a value to a filter must not lose a match")
		}
		if !isFilterKey(key) {
			if got || matchFilters([]Filter{{Key: key, Values: []string{"!" + value}}}, s) {
				t.Fatal("an unknown key must match nothing, negated or not")
			}
			return
		}
		// Only the first "!" negates, so "!"+value is the complement of value only
		// when value is not itself negated.
		if strings.HasPrefix(value, "!") {
			return
		}
		if negated := matchFilters([]Filter{{Key: key, Values: []string{"!" + value}}}, s); negated == got {
			t.Fatalf("%q and %q both gave %v", value, "!"+value, got)
		}
		if matchFilters([]Filter{{Key: key, Values: []string{value}}, {Key: key, Values: []string{"!" + value}}}, s) {
			t.Fatal("a value AND its negation must match nothing")
		}
	})
}
