package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listCases check the listing order, paging with cursors and what a listing holds.
func listCases() []suiteCase {
	return []suiteCase{
		{"List orders the zero time, times before 1970, nanoseconds and times in other zones by instant", func(t *testing.T, st rotor.Store) {
			created := map[string]time.Time{
				"zero":      {},
				"1900":      time.Date(1900, time.January, 1, 0, 0, 0, 500, time.UTC),
				"1969":      time.Date(1969, time.December, 31, 23, 59, 59, 999_999_999, time.UTC),
				"1970":      time.Unix(0, 0).UTC(),
				"1970+1ns":  time.Unix(0, 1).UTC(),
				"2300":      time.Date(2300, time.January, 1, 0, 0, 0, 0, time.UTC),
				"2024-fixe": time.Date(2024, time.March, 9, 0, 0, 0, 0, time.FixedZone("X", 3600)),
			}
			for _, name := range []string{"2300", "1970", "zero", "2024-fixe", "1969", "1970+1ns", "1900"} {
				create(t, st, newSecret(homeRegion, name, created[name]))
			}
			assert.Equal(t, []string{"zero", "1900", "1969", "1970", "1970+1ns", "2024-fixe", "2300"},
				names(listAll(t, st, homeRegion, 2)))
		}},
		{"List orders secrets by CreatedDate, then by name byte for byte, whatever the order they were saved in", func(t *testing.T, st rotor.Store) {
			// Equal CreatedDates are ordered by name compared as bytes (as
			// strings.Compare does): upper case before lower case, and
			// '-' < '.' < '_'. A database collation that sorts otherwise
			// breaks paging.
			created := map[string]time.Duration{
				"early": -24 * time.Hour, "zeta": 0,
				"Beta": time.Second, "alpha": time.Second, "beta": time.Second,
				"beta-2": time.Second, "beta.2": time.Second, "beta_2": time.Second,
				"mid": time.Second + time.Millisecond, "aaa": 2 * time.Second,
			}
			for _, name := range []string{"mid", "beta_2", "zeta", "alpha", "aaa", "beta", "early", "beta.2", "Beta", "beta-2"} {
				create(t, st, newSecret(homeRegion, name, at(created[name])))
			}

			want := []string{"early", "zeta", "Beta", "alpha", "beta", "beta-2", "beta.2", "beta_2", "mid", "aaa"}
			assert.Equal(t, want, names(list(t, st, homeRegion, rotor.Cursor{}, 100)))
		}},
		{"List pages through every secret exactly once with CursorOf the last secret of each page", func(t *testing.T, st rotor.Store) {
			// 23 secrets, three to a CreatedDate, saved out of order.
			const n = 23
			var want []*rotor.Secret
			for i := 0; i < n; i++ {
				j := i * 7 % n
				s := newSecret(homeRegion, fmt.Sprintf("secret-%c%02d", 'z'-j%3, j), at(time.Duration(j/3)*time.Second))
				want = append(want, s.Clone())
				create(t, st, s)
			}
			sortListing(want)

			for _, pageSize := range []int{1, 2, 7, 100} {
				t.Run(fmt.Sprintf("%d at a time", pageSize), func(t *testing.T) {
					assert.Equal(t, names(want), names(listAll(t, st, homeRegion, pageSize)))
				})
			}
		}},
		{"List returns whole secrets, the same that Load returns", func(t *testing.T, st rotor.Store) {
			full := fullSecret(homeRegion, "full")
			bare := &rotor.Secret{ARN: secretARN(homeRegion, "bare"), Name: "bare", CreatedDate: at(time.Hour)}
			create(t, st, full.Clone())
			create(t, st, bare.Clone())

			got := list(t, st, homeRegion, rotor.Cursor{}, 10)
			require.Len(t, got, 2)
			assertSameSecret(t, full, got[0], "the first listed secret")
			assertSameSecret(t, bare, got[1], "the second listed secret")
		}},
		{"List with limit 0 returns nothing", func(t *testing.T, st rotor.Store) {
			create(t, st, newSecret(homeRegion, "a", at(0)))
			create(t, st, newSecret(homeRegion, "b", at(time.Second)))

			assert.Empty(t, list(t, st, homeRegion, rotor.Cursor{}, 0))
			assert.Empty(t, list(t, st, homeRegion, rotor.CursorOf(newSecret(homeRegion, "a", at(0))), 0))
		}},
		{"List includes secrets scheduled for deletion", func(t *testing.T, st rotor.Store) {
			create(t, st, newSecret(homeRegion, "alive", at(0)))
			doomed := newSecret(homeRegion, "doomed", at(time.Second))
			doomed.DeletedDate = at(time.Hour)
			doomed.DeletionDate = at(time.Hour + 7*24*time.Hour)
			create(t, st, doomed.Clone())

			got := list(t, st, homeRegion, rotor.Cursor{}, 10)
			require.Equal(t, []string{"alive", "doomed"}, names(got))
			assertSameSecret(t, doomed, got[1])
		}},
		{"List returns only the secrets of the region asked for", func(t *testing.T, st rotor.Store) {
			for _, name := range []string{"a", "b", "c"} {
				create(t, st, newSecret(homeRegion, name, at(0)))
			}
			for _, name := range []string{"b", "d"} {
				create(t, st, newSecret(otherRegion, name, at(-time.Hour)))
			}

			home := list(t, st, homeRegion, rotor.Cursor{}, 10)
			assert.Equal(t, []string{"a", "b", "c"}, names(home))
			other := list(t, st, otherRegion, rotor.Cursor{}, 10)
			assert.Equal(t, []string{"b", "d"}, names(other))
			for _, s := range other {
				assert.Equal(t, otherRegion, s.Region())
			}
			assert.Empty(t, list(t, st, emptyRegion, rotor.Cursor{}, 10), "a region without secrets")
		}},
		{"List starts strictly after the cursor, wherever the cursor sits", func(t *testing.T, st rotor.Store) {
			for _, s := range []struct {
				name    string
				created time.Duration
			}{{"a", time.Second}, {"c", time.Second}, {"e", 2 * time.Second}, {"g", 3 * time.Second}} {
				create(t, st, newSecret(homeRegion, s.name, at(s.created)))
			}

			for _, c := range []struct {
				sentence string
				after    rotor.Cursor
				want     []string
			}{
				{"the zero cursor is before every secret", rotor.Cursor{}, []string{"a", "c", "e", "g"}},
				{"a cursor on a secret continues after it", rotor.Cursor{CreatedDate: at(time.Second), Name: "a"}, []string{"c", "e", "g"}},
				{"a cursor between two names of one date continues with the second", rotor.Cursor{CreatedDate: at(time.Second), Name: "b"}, []string{"c", "e", "g"}},
				{"an empty name sorts before every name of its date", rotor.Cursor{CreatedDate: at(time.Second)}, []string{"a", "c", "e", "g"}},
				{"a cursor after the last name of a date continues with the next date", rotor.Cursor{CreatedDate: at(time.Second), Name: "zzz"}, []string{"e", "g"}},
				{"a cursor between two dates continues with the later", rotor.Cursor{CreatedDate: at(1500 * time.Millisecond), Name: "zzz"}, []string{"e", "g"}},
				{"the date decides before the name does", rotor.Cursor{CreatedDate: at(2 * time.Second), Name: "a"}, []string{"e", "g"}},
				{"a cursor one millisecond before a secret includes it", rotor.Cursor{CreatedDate: at(3*time.Second - time.Millisecond), Name: "g"}, []string{"g"}},
				{"a cursor on the last secret ends the listing", rotor.Cursor{CreatedDate: at(3 * time.Second), Name: "g"}, nil},
				{"a cursor after every secret ends the listing", rotor.Cursor{CreatedDate: at(time.Hour)}, nil},
			} {
				t.Run(c.sentence, func(t *testing.T) {
					got := list(t, st, homeRegion, c.after, 10)
					assert.Equal(t, c.want, nilIfEmpty(names(got)))
					got = list(t, st, homeRegion, c.after, 1)
					assert.Equal(t, c.want[:min(1, len(c.want))], nilIfEmpty(names(got)), "with limit 1")
				})
			}
		}},
		{"List no longer returns a deleted secret, and a cursor on it still continues", func(t *testing.T, st rotor.Store) {
			a := newSecret(homeRegion, "a", at(0))
			b := newSecret(homeRegion, "b", at(time.Second))
			c := newSecret(homeRegion, "c", at(2*time.Second))
			create(t, st, a)
			revB := create(t, st, b.Clone())
			create(t, st, c)

			require.NoError(t, st.Delete(context.Background(), homeRegion, "b", revB))
			assert.Equal(t, []string{"a", "c"}, names(list(t, st, homeRegion, rotor.Cursor{}, 10)))
			assert.Equal(t, []string{"c"}, names(list(t, st, homeRegion, rotor.CursorOf(b), 10)), "after the cursor of the deleted secret")
		}},
		{"List follows a CreatedDate that an update changed", func(t *testing.T, st rotor.Store) {
			for i, name := range []string{"a", "b", "c"} {
				create(t, st, newSecret(homeRegion, name, at(time.Duration(i)*time.Second)))
			}
			update(t, st, homeRegion, "a", func(s *rotor.Secret) { s.CreatedDate = at(time.Hour) })

			assert.Equal(t, []string{"b", "c", "a"}, names(list(t, st, homeRegion, rotor.Cursor{}, 10)))
			assert.Equal(t, []string{"c", "a"}, names(list(t, st, homeRegion, rotor.Cursor{CreatedDate: at(time.Second), Name: "b"}, 10)))
		}},
		{"List sees every secret present for the whole paging exactly once while others come and go between pages", func(t *testing.T, st rotor.Store) {
			ctx := context.Background()
			// Twelve secrets are kept for the whole paging; eight may go.
			// CreatedDates repeat so that the cursor's name matters.
			kept := make(map[string]bool)
			revs := make(map[string]rotor.Revision)
			for i := 0; i < 20; i++ {
				name := fmt.Sprintf("kept-%02d", i)
				if i%5 == 1 || i%5 == 3 {
					name = fmt.Sprintf("goes-%02d", i)
				} else {
					kept[name] = true
				}
				revs[name] = create(t, st, newSecret(homeRegion, name, at(time.Duration(i/2)*time.Second)))
			}

			seen := make(map[string]int)
			goneUnseen := make(map[string]bool)
			var after rotor.Cursor
			for page := 0; ; page++ {
				require.Less(t, page, 100, "List never returned an empty page")
				got := list(t, st, homeRegion, after, 3)
				require.LessOrEqual(t, len(got), 3)
				if len(got) == 0 {
					break
				}
				for _, s := range got {
					seen[s.Name]++
					assert.True(t, after.Before(rotor.CursorOf(s)), "page %d: %s is not after the cursor %s", page, s.Name, cursorString(after))
					after = rotor.CursorOf(s)
				}

				// Between pages: delete the secret the cursor sits on if it
				// may go, delete one not yet seen, and create one behind
				// and one ahead of the cursor.
				last := got[len(got)-1].Name
				if !kept[last] {
					require.NoError(t, st.Delete(ctx, homeRegion, last, revs[last]))
					delete(revs, last)
				}
				for _, name := range sortedNames(revs) {
					if !kept[name] && seen[name] == 0 {
						require.NoError(t, st.Delete(ctx, homeRegion, name, revs[name]))
						delete(revs, name)
						goneUnseen[name] = true
						break
					}
				}
				if page < 4 {
					behind := fmt.Sprintf("behind-%d", page)
					revs[behind] = create(t, st, newSecret(homeRegion, behind, after.CreatedDate.Add(-time.Millisecond)))
					ahead := fmt.Sprintf("ahead-%d", page)
					kept[ahead] = true // ahead of the cursor until the end: it must be seen once
					revs[ahead] = create(t, st, newSecret(homeRegion, ahead, at(time.Minute+time.Duration(page)*time.Second)))
				}
			}
			for name := range kept {
				assert.Equal(t, 1, seen[name], "%s was present from ahead of the cursor to the end of the paging", name)
			}
			for name, n := range seen {
				assert.LessOrEqual(t, n, 1, "%s was listed more than once", name)
				assert.False(t, strings.HasPrefix(name, "behind-"), "%s was created behind the cursor", name)
				assert.False(t, goneUnseen[name], "%s was deleted before the cursor reached it", name)
			}
		}},
	}
}

// sortListing sorts secrets in listing order, computed here rather than taken
// from a store.
func sortListing(secrets []*rotor.Secret) {
	slices.SortFunc(secrets, func(a, b *rotor.Secret) int {
		if c := a.CreatedDate.Compare(b.CreatedDate); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

func sortedNames(m map[string]rotor.Revision) []string {
	out := make([]string, 0, len(m))
	for name := range m {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
