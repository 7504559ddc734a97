package rotor

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Filter is one ListSecrets / BatchGetSecretValue filter: Key is one of description, name,
// tag-key, tag-value, primary-region, owning-service, all; a Value starting with "!" negates.
//
// A secret passes a filter when any of its Values matches (OR); it passes a list of
// filters when it passes every one of them (AND), even when two filters share a Key.
//
//   - name, tag-key, tag-value, primary-region: the value is a case-sensitive prefix of
//     the whole name, of some tag key or value, or of the primary region.
//   - owning-service: a prefix of the owning service, not case-sensitive.
//   - description: every word of the value begins some word of the description, not
//     case-sensitive; "o t" matches "one and two".
//   - all: the same word match over the name, description, tag keys and tag values, with
//     words also split at case and letter/digit changes ("MyDB2" is My, DB, 2).
//
// A value "!v" matches exactly the secrets that "v" does not.
type Filter struct {
	Key    string
	Values []string
}

// Filter keys, in the order AWS lists them in its enum-violation message.
const (
	filterAll           = "all"
	filterName          = "name"
	filterTagKey        = "tag-key"
	filterDescription   = "description"
	filterTagValue      = "tag-value"
	filterPrimaryRegion = "primary-region"
	filterOwningService = "owning-service"
)

// Limits of Filters from the API model.
const (
	maxFilters           = 10
	maxFilterValues      = 10
	maxFilterValueLength = 512
	filterValuePattern   = `^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`
)

// filterSubject is what a filter looks at in a secret.
type filterSubject struct {
	Name, Description, PrimaryRegion, OwningService string
	Tags                                            []Tag
}

// validateFilters checks filters against the API model (ValidationException, every
// violation in one message, as AWS's front end reports them) and then rejects a filter
// without a key (InvalidParameterException), which the model allows but no search can use.
func validateFilters(filters []Filter) error {
	var violations []string
	if len(filters) > maxFilters {
		violations = append(violations, "Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	for i, f := range filters {
		path := "filters." + strconv.Itoa(i+1) + ".member."
		if f.Key != "" && !isFilterKey(f.Key) {
			violations = append(violations, constraintViolation(f.Key, path+"key",
				"Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]"))
		}
		var rules []string
		switch n := len(f.Values); {
		case n == 0:
			rules = append(rules, "Member must have length greater than or equal to 1")
		case n > maxFilterValues:
			rules = append(rules, "Member must have length less than or equal to 10")
		}
		var memberRules []string
		for _, v := range f.Values {
			if utf8.RuneCountInString(v) > maxFilterValueLength && !contains(memberRules, "Member must have length less than or equal to 512") {
				memberRules = append(memberRules, "Member must have length less than or equal to 512")
			}
			if !isFilterValue(v) && !contains(memberRules, "Member must satisfy regular expression pattern: "+filterValuePattern) {
				memberRules = append(memberRules, "Member must satisfy regular expression pattern: "+filterValuePattern)
			}
		}
		if len(memberRules) > 0 {
			rules = append(rules, "Member must satisfy constraint: ["+strings.Join(memberRules, ", ")+"]")
		}
		for _, rule := range rules {
			violations = append(violations, constraintViolation("["+strings.Join(f.Values, ", ")+"]", path+"values", rule))
		}
	}
	if err := validationError(violations); err != nil {
		return err
	}
	for i, f := range filters {
		if f.Key == "" {
			return newError(CodeInvalidParameter, "Invalid filter key: filters.%d.member.key is required and must be one of all, name, tag-key, description, tag-value, primary-region, owning-service.", i+1)
		}
	}
	return nil
}

func isFilterKey(key string) bool {
	switch key {
	case filterAll, filterName, filterTagKey, filterDescription, filterTagValue, filterPrimaryRegion, filterOwningService:
		return true
	}
	return false
}

// isFilterValue reports whether v matches filterValuePattern. The optional leading "!"
// of the pattern is redundant ("!" is in the class), so only the class is checked.
func isFilterValue(v string) bool {
	for _, r := range v {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case strings.ContainsRune(" :_@/+=.-!", r):
		default:
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// matchFilters reports whether s passes every filter. It expects filters that
// validateFilters accepted; an unknown key matches nothing rather than failing, so that
// a caller that skipped validation still cannot crash or widen a search.
func matchFilters(filters []Filter, s filterSubject) bool {
	for _, f := range filters {
		if !matchFilter(f, s) {
			return false
		}
	}
	return true
}

func matchFilter(f Filter, s filterSubject) bool {
	if !isFilterKey(f.Key) {
		return false // not even through a negated value
	}
	for _, v := range f.Values {
		if negated, ok := strings.CutPrefix(v, "!"); ok {
			if !matchValue(f.Key, negated, s) {
				return true
			}
		} else if matchValue(f.Key, v, s) {
			return true
		}
	}
	return false
}

// matchValue reports whether one non-negated value matches s under key. An absent
// attribute (no description, no tags, no primary region) is matched by no value, not
// even "", so that "!v" selects the secrets lacking it.
func matchValue(key, v string, s filterSubject) bool {
	switch key {
	case filterName:
		return strings.HasPrefix(s.Name, v)
	case filterPrimaryRegion:
		return s.PrimaryRegion != "" && strings.HasPrefix(s.PrimaryRegion, v)
	case filterOwningService:
		return s.OwningService != "" && strings.HasPrefix(strings.ToLower(s.OwningService), strings.ToLower(v))
	case filterTagKey:
		for _, t := range s.Tags {
			if strings.HasPrefix(t.Key, v) {
				return true
			}
		}
		return false
	case filterTagValue:
		for _, t := range s.Tags {
			if strings.HasPrefix(t.Value, v) {
				return true
			}
		}
		return false
	case filterDescription:
		return wordsMatch(descriptionWords(v), descriptionWords(s.Description))
	case filterAll:
		want := searchWords(v)
		if len(want) == 0 {
			return false
		}
		var have []string
		have = append(have, searchWords(s.Name)...)
		have = append(have, searchWords(s.Description)...)
		for _, t := range s.Tags {
			have = append(have, searchWords(t.Key)...)
			have = append(have, searchWords(t.Value)...)
		}
		return wordsMatch(want, have)
	}
	return false
}

// wordsMatch reports whether every wanted word begins some word we have. A value with no
// words (only separators) matches nothing: AWS returns nothing for a search for "+".
func wordsMatch(want, have []string) bool {
	if len(want) == 0 {
		return false
	}
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.HasPrefix(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// nameSeparators are the characters other than letters and digits that a secret name may
// hold; AWS's search treats each as a word break.
const nameSeparators = "/_+=.@-"

func isNameSeparator(r rune) bool { return strings.ContainsRune(nameSeparators, r) }

// descriptionWords splits s at white space and name separators, lower-cased, for the
// description filter (which, unlike "all", does not split at case changes).
func descriptionWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || isNameSeparator(r)
	})
}

// searchWords splits s into lower-cased words the way the "all" filter does on AWS.
// White space separates fields. Within a field every character that is not a letter or
// digit breaks words, and so do changes from lower to upper case, from letter to digit
// and back, and the last capital of a run of capitals followed by lower case
// ("COMPANYthings" is COMPAN, Ythings). A field that mixes two different name
// separators ("prod-AppBeta/x") is kept whole, as AWS does; a field without a letter or
// digit gives no word.
func searchWords(s string) []string {
	var words []string
	for _, field := range strings.FieldsFunc(s, unicode.IsSpace) {
		if !strings.ContainsFunc(field, isAlnum) {
			continue
		}
		if mixesSeparators(field) {
			words = append(words, strings.ToLower(field))
			continue
		}
		for _, run := range strings.FieldsFunc(field, func(r rune) bool { return !isAlnum(r) }) {
			for _, w := range splitCase(run) {
				words = append(words, strings.ToLower(w))
			}
		}
	}
	return words
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func mixesSeparators(field string) bool {
	first := rune(-1)
	for _, r := range field {
		if !isNameSeparator(r) {
			continue
		}
		if first == -1 {
			first = r
		} else if r != first {
			return true
		}
	}
	return false
}

type charKind int

const (
	kindLower charKind = iota // lower case and letters without case
	kindUpper
	kindDigit
)

func kindOf(r rune) charKind {
	switch {
	case unicode.IsDigit(r):
		return kindDigit
	case unicode.IsUpper(r):
		return kindUpper
	}
	return kindLower
}

// splitCase splits a run of letters and digits at case and letter/digit changes.
func splitCase(run string) []string {
	runes := []rune(run)
	var words []string
	start := 0
	for i := 1; i < len(runes); i++ {
		prev, cur := kindOf(runes[i-1]), kindOf(runes[i])
		switch {
		case prev == kindDigit && cur != kindDigit, prev != kindDigit && cur == kindDigit,
			prev == kindLower && cur == kindUpper:
			words = append(words, string(runes[start:i]))
			start = i
		case prev == kindUpper && cur == kindLower && i-1 > start:
			// The capital before a lower-case letter starts the next word.
			words = append(words, string(runes[start:i-1]))
			start = i - 1
		}
	}
	return append(words, string(runes[start:]))
}
