package storetest

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTripCases check that what Save stores is what Load returns, field for field.
func roundTripCases() []suiteCase {
	return []suiteCase{
		{"Save with expect 0 creates a secret that Load returns field for field with the same revision", func(t *testing.T, st rotor.Store) {
			want := fullSecret(homeRegion, "db/prod")
			rev := create(t, st, want.Clone())

			got, gotRev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, rev, gotRev, "Load must return the revision Save returned")
			assertSameSecret(t, want, got)
		}},
		{"a secret with every optional field absent round-trips with its fields still absent", func(t *testing.T, st rotor.Store) {
			want := &rotor.Secret{ARN: secretARN(homeRegion, "bare"), Name: "bare", CreatedDate: at(0)}
			create(t, st, want.Clone())

			got, _ := load(t, st, homeRegion, "bare")
			assertSameSecret(t, want, got)
			assert.Nil(t, got.Rotation, "a secret with no rotation in progress must load with a nil Rotation")
			assert.Empty(t, got.Versions)
			assert.Empty(t, got.Stages)
		}},
		{"tags that were never set stay nil and tags that were all removed stay empty", func(t *testing.T, st rotor.Store) {
			untagged := newSecret(homeRegion, "untagged", at(0))
			untagged.Tags = nil
			emptied := newSecret(homeRegion, "emptied", at(0))
			emptied.Tags = []rotor.Tag{}
			create(t, st, untagged)
			create(t, st, emptied)

			got, _ := load(t, st, homeRegion, "untagged")
			assert.Nil(t, got.Tags, "DescribeSecret omits Tags of a secret never tagged")
			got, _ = load(t, st, homeRegion, "emptied")
			assert.NotNil(t, got.Tags, "DescribeSecret returns an empty Tags list once every tag was removed")
			assert.Empty(t, got.Tags)
		}},
		{"every kind of value keeps its kind and its bytes", func(t *testing.T, st rotor.Store) {
			want := fullSecret(homeRegion, "values")
			create(t, st, want.Clone())

			got, _ := load(t, st, homeRegion, "values")
			require.Len(t, got.Versions, len(want.Versions))
			for i, v := range want.Versions {
				g := got.Versions[i]
				assert.Equal(t, v.ID, g.ID)
				assert.True(t, v.Value.Equal(g.Value), "version %s: want %s, got %s", v.ID, describeValue(v.Value), describeValue(g.Value))
				assert.Equal(t, v.Value.IsZero(), g.Value.IsZero(), "version %s: the rotation placeholder has no value, which is not an empty value", v.ID)
				assert.Equal(t, v.Value.IsBinary(), g.Value.IsBinary(), "version %s: an empty binary is not an empty text", v.ID)
			}
		}},
		{"an update replaces every field, including those it clears", func(t *testing.T, st rotor.Store) {
			create(t, st, fullSecret(homeRegion, "db/prod"))

			want, rev := update(t, st, homeRegion, "db/prod", func(s *rotor.Secret) {
				*s = rotor.Secret{
					ARN:             s.ARN,
					Name:            s.Name,
					Description:     "only a few fields are left",
					Tags:            []rotor.Tag{},
					CreatedDate:     s.CreatedDate,
					LastChangedDate: at(time.Hour),
					Versions: []*rotor.Version{
						{ID: versionID(7), Value: rotor.StringValue("the only value left"), CreatedDate: at(time.Hour)},
					},
					Stages: []rotor.Stage{{Label: rotor.StageCurrent, VersionID: versionID(7)}},
				}
			})

			got, gotRev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, rev, gotRev, "Load must return the revision of the last save")
			assertSameSecret(t, want, got)
		}},
		{"a secret of 100 versions of 64 KiB each round-trips", func(t *testing.T, st rotor.Store) {
			const versions, size = 100, 64 << 10
			want := newSecret(homeRegion, "large", at(0))
			want.Versions = make([]*rotor.Version, versions)
			random := rand.New(rand.NewPCG(1, 2))
			for i := range want.Versions {
				v := &rotor.Version{ID: versionID(i), CreatedDate: at(time.Duration(i) * time.Minute)}
				b := make([]byte, size)
				if i%2 == 0 {
					for j := range b {
						b[j] = byte(random.Uint32())
					}
					v.Value = rotor.BinaryValue(b)
				} else {
					// Text values are UTF-8, as SecretString is.
					const printable = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ "
					for j := range b {
						b[j] = printable[random.IntN(len(printable))]
					}
					v.Value = rotor.StringValue(string(b))
				}
				want.Versions[i] = v
			}
			want.Stages = []rotor.Stage{
				{Label: rotor.StageCurrent, VersionID: versionID(versions - 1)},
				{Label: rotor.StagePrevious, VersionID: versionID(versions - 2)},
			}
			create(t, st, want.Clone())

			got, _, err := st.Load(context.Background(), homeRegion, "large")
			require.NoError(t, err)
			require.NotNil(t, got)
			require.Len(t, got.Versions, versions)
			for i, v := range got.Versions {
				assert.Equal(t, size, v.Value.Len(), "version %d", i)
			}
			assertSameSecret(t, want, got)
		}},
	}
}

// regionCases check that a secret is keyed by the region of its ARN and its name.
func regionCases() []suiteCase {
	return []suiteCase{
		{"Load of a name never saved returns ErrStoreNotFound", func(t *testing.T, st rotor.Store) {
			create(t, st, newSecret(homeRegion, "present", at(0)))

			s, _, err := st.Load(context.Background(), homeRegion, "absent")
			assert.ErrorIs(t, err, rotor.ErrStoreNotFound)
			assert.Nil(t, s)
		}},
		{"Load of a name saved only in another region returns ErrStoreNotFound", func(t *testing.T, st rotor.Store) {
			create(t, st, newSecret(otherRegion, "db/prod", at(0)))

			_, _, err := st.Load(context.Background(), homeRegion, "db/prod")
			assert.ErrorIs(t, err, rotor.ErrStoreNotFound)
			_, _, err = st.Load(context.Background(), emptyRegion, "db/prod")
			assert.ErrorIs(t, err, rotor.ErrStoreNotFound)
		}},
		{"the same name in two regions is two independent records", func(t *testing.T, st rotor.Store) {
			home := newSecret(homeRegion, "db/prod", at(0))
			home.Description = "home"
			other := newSecret(otherRegion, "db/prod", at(time.Second))
			other.Description = "other"
			homeRev := create(t, st, home.Clone())
			otherRev, err := st.Save(context.Background(), other.Clone(), 0)
			require.NoError(t, err, "creating a name that exists only in another region must succeed")
			assert.NotEqual(t, homeRev, otherRev)

			got, _ := load(t, st, homeRegion, "db/prod")
			assertSameSecret(t, home, got, "the secret of the home region")
			got, _ = load(t, st, otherRegion, "db/prod")
			assertSameSecret(t, other, got, "the secret of the other region")

			update(t, st, otherRegion, "db/prod", func(s *rotor.Secret) { s.Description = "other, updated" })
			got, rev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, homeRev, rev, "an update in one region must not touch the other")
			assertSameSecret(t, home, got)

			_, otherRev = load(t, st, otherRegion, "db/prod")
			require.NoError(t, st.Delete(context.Background(), otherRegion, "db/prod", otherRev))
			got, rev = load(t, st, homeRegion, "db/prod")
			assert.Equal(t, homeRev, rev, "a deletion in one region must not touch the other")
			assertSameSecret(t, home, got)
		}},
	}
}
