package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/require"
)

// The regions the suite keeps secrets in. otherRegion holds secrets of the
// same names as homeRegion to prove that the two never mix.
const (
	homeRegion  = "us-east-1"
	otherRegion = "eu-west-1"
	emptyRegion = "ap-southeast-2"
	account     = "123456789012"
)

// at returns a time as rotor sets them: UTC, truncated to milliseconds,
// offset from a fixed instant.
func at(offset time.Duration) time.Time {
	return time.Date(2024, time.March, 9, 14, 30, 15, 123_000_000, time.UTC).Add(offset).Truncate(time.Millisecond)
}

// secretARN returns the ARN of a secret, which is what places it in a region.
func secretARN(region, name string) string {
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-AbC123", region, account, name)
}

// versionID returns a VersionId in the UUID form the SDKs generate.
func versionID(n int) string {
	return fmt.Sprintf("a1b2c3d4-0000-4000-8000-%012d", n)
}

// newSecret returns a small secret with one current version, created at created.
func newSecret(region, name string, created time.Time) *rotor.Secret {
	return &rotor.Secret{
		ARN:             secretARN(region, name),
		Name:            name,
		CreatedDate:     created,
		LastChangedDate: created,
		Versions: []*rotor.Version{
			{ID: versionID(1), Value: rotor.StringValue("first value of " + name), CreatedDate: created},
		},
		Stages: []rotor.Stage{{Label: rotor.StageCurrent, VersionID: versionID(1)}},
	}
}

// fullSecret returns a secret in which every field is set to something other
// than its zero value, and whose versions hold every kind of value: text,
// empty text, binary, a single zero byte, empty binary and the placeholder's
// zero Value.
func fullSecret(region, name string) *rotor.Secret {
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	return &rotor.Secret{
		ARN:         secretARN(region, name),
		Name:        name,
		Description: "a secret with every field set",
		KmsKeyID:    "arn:aws:kms:" + region + ":" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab",
		Type:        "partner-managed",
		Tags:        []rotor.Tag{{Key: "team", Value: "payments"}, {Key: "Empty", Value: ""}},

		CreatedDate:      at(0),
		LastChangedDate:  at(90 * time.Minute),
		LastAccessedDate: time.Date(2024, time.March, 10, 0, 0, 0, 0, time.UTC),
		LastRotatedDate:  at(time.Hour),
		NextRotationDate: at(30 * 24 * time.Hour),
		DeletedDate:      at(2 * time.Hour),
		DeletionDate:     at(2*time.Hour + 7*24*time.Hour),

		RotationConfigured: true,
		RotationEnabled:    true,
		RotationLambdaARN:  "arn:aws:lambda:" + region + ":" + account + ":function:rotate",
		RotationRules: rotor.RotationRules{
			AutomaticallyAfterDays: 30,
			Duration:               "3h",
			ScheduleExpression:     "rate(30 days)",
		},

		ResourcePolicy: `{"Version":"2012-10-17","Statement":[]}`,
		OwningService:  "appflow",
		PrimaryRegion:  homeRegion,

		Versions: []*rotor.Version{
			{ID: versionID(1), Value: rotor.StringValue(`{"user":"app","password":"pässwörd ✓ 🔑"}`), CreatedDate: at(0), LastAccessedDate: time.Date(2024, time.March, 9, 0, 0, 0, 0, time.UTC)},
			{ID: versionID(2), Value: rotor.StringValue(""), CreatedDate: at(time.Second)},
			{ID: versionID(3), Value: rotor.BinaryValue(binary), CreatedDate: at(2 * time.Second)},
			{ID: versionID(4), Value: rotor.BinaryValue([]byte{0}), CreatedDate: at(3 * time.Second)},
			{ID: versionID(5), Value: rotor.BinaryValue([]byte{}), CreatedDate: at(4 * time.Second)},
			{ID: versionID(6), Value: rotor.Value{}, CreatedDate: at(time.Hour)},
		},
		Stages: []rotor.Stage{
			{Label: rotor.StageCurrent, VersionID: versionID(4)},
			{Label: rotor.StagePending, VersionID: versionID(6)},
			{Label: rotor.StagePrevious, VersionID: versionID(3)},
			{Label: "blue", VersionID: versionID(1)},
		},
		Rotation: &rotor.RotationState{
			Token:        versionID(6),
			FailedStep:   rotor.StepSetSecret,
			StepsDone:    2,
			Attempts:     3,
			LastError:    "setSecret: connection refused",
			StartedAt:    at(time.Hour),
			NextAttempt:  at(time.Hour + 5*time.Minute),
			LeaseOwner:   "worker-7",
			LeaseExpires: at(time.Hour + time.Minute),
			Abandoned:    true,
		},
	}
}

// create saves a new secret and returns its revision. It takes ownership of
// s, as Save does.
func create(t *testing.T, st rotor.Store, s *rotor.Secret) rotor.Revision {
	t.Helper()
	rev, err := st.Save(context.Background(), s, 0)
	require.NoError(t, err, "creating %s in %s", s.Name, s.Region())
	require.NotZero(t, rev, "Save must not return revision 0, which means no record")
	return rev
}

// load returns the stored secret and its revision.
func load(t *testing.T, st rotor.Store, region, name string) (*rotor.Secret, rotor.Revision) {
	t.Helper()
	s, rev, err := st.Load(context.Background(), region, name)
	require.NoError(t, err, "loading %s in %s", name, region)
	require.NotNil(t, s, "Load returned no secret and no error for %s in %s", name, region)
	return s, rev
}

// update loads a secret, changes a clone of it and saves the clone with the
// loaded revision. It returns what it saved (a copy of its own) and the new
// revision.
func update(t *testing.T, st rotor.Store, region, name string, change func(*rotor.Secret)) (*rotor.Secret, rotor.Revision) {
	t.Helper()
	cur, rev := load(t, st, region, name)
	next := cur.Clone()
	change(next)
	saved := next.Clone()
	newRev, err := st.Save(context.Background(), next, rev)
	require.NoError(t, err, "updating %s in %s", name, region)
	require.NotZero(t, newRev, "Save must not return revision 0, which means no record")
	return saved, newRev
}

// list calls List and fails the test on an error.
func list(t *testing.T, st rotor.Store, region string, after rotor.Cursor, limit int) []*rotor.Secret {
	t.Helper()
	page, err := st.List(context.Background(), region, after, limit)
	require.NoError(t, err, "listing %s after %s, limit %d", region, cursorString(after), limit)
	for i, s := range page {
		require.NotNil(t, s, "List returned a nil secret at index %d", i)
	}
	return page
}

// listAll pages through a region with CursorOf the last secret of each page.
// It fails if a page is longer than pageSize or if paging does not end.
func listAll(t *testing.T, st rotor.Store, region string, pageSize int) []*rotor.Secret {
	t.Helper()
	var all []*rotor.Secret
	after := rotor.Cursor{}
	for pages := 0; ; pages++ {
		// A store that ignores the cursor would page forever.
		require.Less(t, pages, 10_000, "List never returned an empty page")
		page := list(t, st, region, after, pageSize)
		require.LessOrEqual(t, len(page), pageSize, "List returned more secrets than the limit")
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = rotor.CursorOf(page[len(page)-1])
	}
}

// names returns the names of secrets, in order.
func names(secrets []*rotor.Secret) []string {
	out := make([]string, len(secrets))
	for i, s := range secrets {
		out[i] = s.Name
	}
	return out
}

// cursorString shows a cursor in failure messages.
func cursorString(c rotor.Cursor) string {
	return fmt.Sprintf("{%s %q}", c.CreatedDate.Format(time.RFC3339Nano), c.Name)
}
