package storetest

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// revisionCases check optimistic concurrency: a save lands only on the
// revision it expects, and a revision is never handed out twice.
func revisionCases() []suiteCase {
	return []suiteCase{
		{"Save with expect 0 on an existing secret returns ErrStoreExists and changes nothing", func(t *testing.T, st rotor.Store) {
			want := fullSecret(homeRegion, "db/prod")
			rev := create(t, st, want.Clone())

			intruder := newSecret(homeRegion, "db/prod", at(time.Hour))
			intruder.Description = "must not replace the stored secret"
			_, err := st.Save(context.Background(), intruder, 0)
			assert.ErrorIs(t, err, rotor.ErrStoreExists)

			got, gotRev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, rev, gotRev, "a refused save must not change the revision")
			assertSameSecret(t, want, got)
		}},
		{"Save with a stale revision returns ErrStoreConflict and changes nothing", func(t *testing.T, st rotor.Store) {
			stale := create(t, st, newSecret(homeRegion, "db/prod", at(0)))
			want, rev := update(t, st, homeRegion, "db/prod", func(s *rotor.Secret) { s.Description = "second" })

			loser := want.Clone()
			loser.Description = "written over a stale revision"
			_, err := st.Save(context.Background(), loser, stale)
			assert.ErrorIs(t, err, rotor.ErrStoreConflict)

			got, gotRev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, rev, gotRev, "a refused save must not change the revision")
			assertSameSecret(t, want, got)

			_, err = st.Save(context.Background(), got.Clone(), gotRev)
			assert.NoError(t, err, "after a conflict, a save with the stored revision must succeed")
		}},
		{"Save with a made-up revision returns ErrStoreConflict and changes nothing", func(t *testing.T, st rotor.Store) {
			want := newSecret(homeRegion, "db/prod", at(0))
			rev := create(t, st, want.Clone())

			for _, madeUp := range []rotor.Revision{rev + 1, rev + 1000, math.MaxUint64} {
				s := want.Clone()
				s.Description = "written over a made-up revision"
				_, err := st.Save(context.Background(), s, madeUp)
				assert.ErrorIs(t, err, rotor.ErrStoreConflict, "expecting revision %d", madeUp)
			}

			got, gotRev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, rev, gotRev, "a refused save must not change the revision")
			assertSameSecret(t, want, got)
		}},
		{"Save with a nonzero expect on a missing secret returns ErrStoreConflict and creates nothing", func(t *testing.T, st rotor.Store) {
			// A real revision, of another record: it must not create either.
			elsewhere := create(t, st, newSecret(otherRegion, "db/prod", at(0)))
			for _, expect := range []rotor.Revision{1, elsewhere, math.MaxUint64} {
				_, err := st.Save(context.Background(), newSecret(homeRegion, "db/prod", at(0)), expect)
				assert.ErrorIs(t, err, rotor.ErrStoreConflict, "expecting revision %d", expect)
			}

			_, _, err := st.Load(context.Background(), homeRegion, "db/prod")
			assert.ErrorIs(t, err, rotor.ErrStoreNotFound, "a refused save must not create the secret")
		}},
		{"Save with the revision of another secret returns ErrStoreConflict", func(t *testing.T, st rotor.Store) {
			// Revisions counted per record would let a writer confused about
			// names overwrite the wrong secret.
			first := create(t, st, newSecret(homeRegion, "first", at(0)))
			want := newSecret(homeRegion, "second", at(0))
			second := create(t, st, want.Clone())
			require.NotEqual(t, first, second, "two saves must return two revisions")

			_, err := st.Save(context.Background(), newSecret(homeRegion, "second", at(time.Hour)), first)
			assert.ErrorIs(t, err, rotor.ErrStoreConflict)
			got, _ := load(t, st, homeRegion, "second")
			assertSameSecret(t, want, got)
		}},
		{"every save returns a revision the store never returned before", func(t *testing.T, st rotor.Store) {
			ctx := context.Background()
			seen := make(map[rotor.Revision]string)
			record := func(rev rotor.Revision, what string) {
				t.Helper()
				assert.NotZero(t, rev, "%s returned revision 0, which means no record", what)
				if earlier, dup := seen[rev]; dup {
					assert.Fail(t, "a revision was handed out twice", "revision %d returned by %s and by %s", rev, earlier, what)
				}
				seen[rev] = what
			}
			for _, region := range []string{homeRegion, otherRegion} {
				for _, name := range []string{"a", "b", "c"} {
					record(create(t, st, newSecret(region, name, at(0))), "creating "+name+" in "+region)
				}
			}
			for i := 0; i < 3; i++ {
				for _, name := range []string{"a", "b"} {
					_, rev := update(t, st, homeRegion, name, func(s *rotor.Secret) { s.Description += "+" })
					record(rev, "updating "+name)
				}
			}
			for i := 0; i < 3; i++ {
				_, rev := load(t, st, homeRegion, "c")
				require.NoError(t, st.Delete(ctx, homeRegion, "c", rev))
				record(create(t, st, newSecret(homeRegion, "c", at(0))), "re-creating c")
			}
		}},
		{"a writer holding a revision of a deleted secret cannot change the secret created again under its name", func(t *testing.T, st rotor.Store) {
			ctx := context.Background()
			var old []rotor.Revision
			var want *rotor.Secret
			var current rotor.Revision
			for generation := 0; generation < 3; generation++ {
				if generation > 0 {
					require.NoError(t, st.Delete(ctx, homeRegion, "db/prod", current))
				}
				want = newSecret(homeRegion, "db/prod", at(time.Duration(generation)*time.Hour))
				current = create(t, st, want.Clone())
				for _, stale := range old {
					s := want.Clone()
					s.Description = "written by a stale writer"
					_, err := st.Save(ctx, s, stale)
					assert.ErrorIs(t, err, rotor.ErrStoreConflict, "generation %d: saving with revision %d of a deleted record", generation, stale)
					assert.ErrorIs(t, st.Delete(ctx, homeRegion, "db/prod", stale), rotor.ErrStoreConflict,
						"generation %d: deleting with revision %d of a deleted record", generation, stale)
				}
				old = append(old, current)
				want, current = update(t, st, homeRegion, "db/prod", func(s *rotor.Secret) { s.Description = "updated" })
				old = append(old, current)
			}
			got, rev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, current, rev)
			assertSameSecret(t, want, got)
		}},
	}
}

// deleteCases check that Delete, like Save, lands only on the expected revision.
func deleteCases() []suiteCase {
	return []suiteCase{
		{"Delete with the stored revision removes the secret and frees its name", func(t *testing.T, st rotor.Store) {
			ctx := context.Background()
			rev := create(t, st, newSecret(homeRegion, "db/prod", at(0)))
			create(t, st, newSecret(homeRegion, "neighbour", at(0)))

			require.NoError(t, st.Delete(ctx, homeRegion, "db/prod", rev))
			_, _, err := st.Load(ctx, homeRegion, "db/prod")
			assert.ErrorIs(t, err, rotor.ErrStoreNotFound)
			load(t, st, homeRegion, "neighbour")

			_, err = st.Save(ctx, newSecret(homeRegion, "db/prod", at(time.Hour)), 0)
			assert.NoError(t, err, "a deleted name must be free to create again")
		}},
		{"Delete with a wrong revision returns ErrStoreConflict and keeps the secret", func(t *testing.T, st rotor.Store) {
			ctx := context.Background()
			stale := create(t, st, newSecret(homeRegion, "db/prod", at(0)))
			want, rev := update(t, st, homeRegion, "db/prod", func(s *rotor.Secret) { s.Description = "second" })

			for _, wrong := range []rotor.Revision{0, stale, rev + 1, math.MaxUint64} {
				assert.ErrorIs(t, st.Delete(ctx, homeRegion, "db/prod", wrong), rotor.ErrStoreConflict, "deleting with revision %d", wrong)
			}

			got, gotRev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, rev, gotRev, "a refused delete must not change the revision")
			assertSameSecret(t, want, got)
		}},
		{"Delete of a missing secret returns ErrStoreNotFound", func(t *testing.T, st rotor.Store) {
			ctx := context.Background()
			rev := create(t, st, newSecret(otherRegion, "db/prod", at(0)))
			gone := create(t, st, newSecret(homeRegion, "gone", at(0)))
			require.NoError(t, st.Delete(ctx, homeRegion, "gone", gone))

			assert.ErrorIs(t, st.Delete(ctx, homeRegion, "never-saved", 1), rotor.ErrStoreNotFound, "a name never saved")
			assert.ErrorIs(t, st.Delete(ctx, homeRegion, "db/prod", rev), rotor.ErrStoreNotFound, "a name saved only in another region")
			assert.ErrorIs(t, st.Delete(ctx, homeRegion, "gone", gone), rotor.ErrStoreNotFound, "a name already deleted")

			got, gotRev := load(t, st, otherRegion, "db/prod")
			assert.Equal(t, rev, gotRev, "deleting in one region must not touch the other")
			assert.Equal(t, "db/prod", got.Name)
		}},
	}
}
