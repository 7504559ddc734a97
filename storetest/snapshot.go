package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshotCases check that what a caller holds and what the store holds
// change only through Save.
func snapshotCases() []suiteCase {
	return []suiteCase{
		{"a secret returned by Load or List does not change when the secret is saved again", func(t *testing.T, st rotor.Store) {
			create(t, st, fullSecret(homeRegion, "db/prod"))
			loaded, _ := load(t, st, homeRegion, "db/prod")
			listed := list(t, st, homeRegion, rotor.Cursor{}, 1)
			require.Len(t, listed, 1)
			wantLoaded, wantListed := loaded.Clone(), listed[0].Clone()

			update(t, st, homeRegion, "db/prod", func(s *rotor.Secret) { changeEverything(s, 1) })
			update(t, st, homeRegion, "db/prod", func(s *rotor.Secret) { changeEverything(s, 2) })

			assertSameSecret(t, wantLoaded, loaded, "the snapshot returned by Load")
			assertSameSecret(t, wantListed, listed[0], "the snapshot returned by List")
		}},
		{"a clone of a loaded secret changes the store only when it is saved", func(t *testing.T, st rotor.Store) {
			create(t, st, fullSecret(homeRegion, "db/prod"))
			loaded, rev := load(t, st, homeRegion, "db/prod")
			before := loaded.Clone()

			changed := loaded.Clone()
			changeEverything(changed, 1)
			got, gotRev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, rev, gotRev)
			assertSameSecret(t, before, got, "the stored secret after changing an unsaved clone")
			assertSameSecret(t, before, loaded, "the loaded secret after changing its clone")

			want := changed.Clone()
			_, err := st.Save(context.Background(), changed, rev)
			require.NoError(t, err)
			got, _ = load(t, st, homeRegion, "db/prod")
			assertSameSecret(t, want, got, "the stored secret after saving the clone")
			assertSameSecret(t, before, loaded, "the secret loaded before the save")
		}},
	}
}

// changeEverything changes s in place in every way the service changes a
// clone: scalar fields, tags in place and appended, a version replaced and
// one changed in place, a label moved and one added, the rotation state.
// Only a deep copy may be passed to it.
func changeEverything(s *rotor.Secret, n int) {
	s.Description = "changed"
	s.KmsKeyID = ""
	s.LastChangedDate = at(time.Duration(n) * 24 * time.Hour)
	s.DeletedDate = time.Time{}
	s.DeletionDate = time.Time{}
	s.RotationEnabled = !s.RotationEnabled
	s.RotationRules.AutomaticallyAfterDays++

	s.Tags[0].Value = "changed"
	s.Tags = append(s.Tags, rotor.Tag{Key: "added", Value: "tag"})

	s.Versions[0].Value = rotor.StringValue("changed in place")
	s.Versions[0].LastAccessedDate = at(time.Duration(n) * 48 * time.Hour)
	s.Versions[1] = &rotor.Version{ID: versionID(100 + n), Value: rotor.BinaryValue([]byte{1, 2, 3}), CreatedDate: at(time.Duration(n) * time.Hour)}
	s.Versions = append(s.Versions, &rotor.Version{ID: versionID(200 + n), Value: rotor.StringValue("appended"), CreatedDate: at(time.Duration(n) * time.Hour)})

	s.Stages[0].VersionID = versionID(200 + n)
	s.Stages = append(s.Stages, rotor.Stage{Label: "green", VersionID: versionID(100 + n)})

	s.Rotation.StepsDone++
	s.Rotation.LeaseOwner = "another worker"
}
