package rotor

// Tag is a key-value label attached to a secret for search and access control.
// Keys are 1–128 characters and case-sensitive; values are 0–256 characters.
type Tag struct {
	Key   string
	Value string
}
