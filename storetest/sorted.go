package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allOrders are the eight orders of ListSecrets.
func allOrders() []rotor.ListOrder {
	var out []rotor.ListOrder
	for _, by := range []string{rotor.SortByCreatedDate, rotor.SortByLastChangedDate, rotor.SortByLastAccessedDate, rotor.SortByName} {
		out = append(out, rotor.ListOrder{By: by}, rotor.ListOrder{By: by, Desc: true})
	}
	return out
}

func orderString(o rotor.ListOrder) string {
	if o.Desc {
		return o.By + " desc"
	}
	return o.By + " asc"
}

// sortedCases check rotor.SortedLister. A store without it skips them; so
// does a wrapper that answers errors.ErrUnsupported.
func sortedCases() []suiteCase {
	return []suiteCase{
		{"ListSorted lists every order by its date, then by name byte for byte, and desc reverses both", func(t *testing.T, st rotor.Store) {
			sl := sortedLister(t, st)
			day := func(d int) time.Time { return time.Date(2024, time.March, 9+d, 0, 0, 0, 0, time.UTC) }
			for _, s := range []struct {
				name             string
				created, changed time.Duration
				accessed         time.Time
			}{
				{"b", 0, 3 * time.Second, day(1)},
				{"B", 0, time.Second, time.Time{}},
				{"a-1", time.Second, time.Second, day(0)},
				{"a_1", -time.Hour, 2 * time.Second, day(1)},
				{"a.1", time.Second, time.Second + time.Nanosecond, time.Time{}},
			} {
				sec := newSecret(homeRegion, s.name, at(s.created))
				sec.LastChangedDate, sec.LastAccessedDate = at(s.changed), s.accessed
				create(t, st, sec)
			}
			for _, c := range []struct {
				by   string
				want []string
			}{
				{rotor.SortByCreatedDate, []string{"a_1", "B", "b", "a-1", "a.1"}},
				{rotor.SortByLastChangedDate, []string{"B", "a-1", "a.1", "a_1", "b"}},
				{rotor.SortByLastAccessedDate, []string{"B", "a.1", "a-1", "a_1", "b"}},
				{rotor.SortByName, []string{"B", "a-1", "a.1", "a_1", "b"}},
			} {
				t.Run(c.by, func(t *testing.T) {
					assert.Equal(t, c.want, names(listSorted(t, sl, homeRegion, rotor.ListOrder{By: c.by}, rotor.ListPosition{}, 10)), "ascending")
					assert.Equal(t, reversed(c.want), names(listSorted(t, sl, homeRegion, rotor.ListOrder{By: c.by, Desc: true}, rotor.ListPosition{}, 10)), "descending")
				})
			}
		}},
		{"ListSorted pages through every order exactly once, from any position, at any page size", func(t *testing.T, st rotor.Store) {
			sl := sortedLister(t, st)
			want := fillShuffled(t, st, 31)
			for _, o := range allOrders() {
				t.Run(orderString(o), func(t *testing.T) {
					all := sortedBy(want, o)
					for _, pageSize := range []int{1, 3, 100} {
						assert.Equal(t, names(all), names(listSortedAll(t, sl, homeRegion, o, pageSize)), "%d at a time", pageSize)
					}
					for i, s := range all {
						got := listSorted(t, sl, homeRegion, o, o.PositionOf(s), 4)
						assert.Equal(t, nilIfEmpty(names(all[i+1:min(i+5, len(all))])), nilIfEmpty(names(got)), "after %s", s.Name)
					}
				})
			}
		}},
		{"ListSorted continues strictly after a position that names no secret", func(t *testing.T, st rotor.Store) {
			sl := sortedLister(t, st)
			for i, name := range []string{"a", "c", "e"} {
				create(t, st, newSecret(homeRegion, name, at(time.Duration(i)*time.Second)))
			}
			for _, c := range []struct {
				sentence string
				order    rotor.ListOrder
				after    rotor.ListPosition
				want     []string
			}{
				{"a name between two names", rotor.ListOrder{By: rotor.SortByName}, rotor.ListPosition{Name: "b"}, []string{"c", "e"}},
				{"a name between two names, descending", rotor.ListOrder{By: rotor.SortByName, Desc: true}, rotor.ListPosition{Name: "d"}, []string{"c", "a"}},
				{"a name after every name, descending", rotor.ListOrder{By: rotor.SortByName, Desc: true}, rotor.ListPosition{Name: "z"}, []string{"e", "c", "a"}},
				{"a name after every name", rotor.ListOrder{By: rotor.SortByName}, rotor.ListPosition{Name: "z"}, nil},
				{"a date between two dates", rotor.ListOrder{By: rotor.SortByCreatedDate}, rotor.ListPosition{Date: at(1500 * time.Millisecond), Name: "a"}, []string{"e"}},
				{"a date between two dates, descending", rotor.ListOrder{By: rotor.SortByCreatedDate, Desc: true}, rotor.ListPosition{Date: at(1500 * time.Millisecond), Name: "z"}, []string{"c", "a"}},
				{"a date decides before a name, descending", rotor.ListOrder{By: rotor.SortByLastChangedDate, Desc: true}, rotor.ListPosition{Date: at(time.Second), Name: "a"}, []string{"a"}},
				{"a zero date with a name is a position, not the start", rotor.ListOrder{By: rotor.SortByLastAccessedDate, Desc: true}, rotor.ListPosition{Name: "c"}, []string{"a"}},
			} {
				t.Run(c.sentence, func(t *testing.T) {
					assert.Equal(t, c.want, nilIfEmpty(names(listSorted(t, sl, homeRegion, c.order, c.after, 10))))
				})
			}
		}},
		{"ListSorted follows dates that a save changed and forgets deleted secrets, in every order", func(t *testing.T, st rotor.Store) {
			sl := sortedLister(t, st)
			revs := make(map[string]rotor.Revision)
			for i, name := range []string{"a", "b", "c", "d"} {
				revs[name] = create(t, st, newSecret(homeRegion, name, at(time.Duration(i)*time.Second)))
			}
			update(t, st, homeRegion, "a", func(s *rotor.Secret) {
				s.LastChangedDate = at(time.Hour)
				s.LastAccessedDate = time.Date(2024, time.March, 10, 0, 0, 0, 0, time.UTC)
			})
			update(t, st, homeRegion, "b", func(s *rotor.Secret) { s.CreatedDate = at(time.Minute) })
			require.NoError(t, st.Delete(context.Background(), homeRegion, "c", revs["c"]))

			for _, c := range []struct {
				by   string
				want []string
			}{
				{rotor.SortByCreatedDate, []string{"a", "d", "b"}},
				{rotor.SortByLastChangedDate, []string{"b", "d", "a"}},
				{rotor.SortByLastAccessedDate, []string{"b", "d", "a"}},
				{rotor.SortByName, []string{"a", "b", "d"}},
			} {
				assert.Equal(t, c.want, names(listSorted(t, sl, homeRegion, rotor.ListOrder{By: c.by}, rotor.ListPosition{}, 10)), c.by)
				assert.Equal(t, reversed(c.want), names(listSorted(t, sl, homeRegion, rotor.ListOrder{By: c.by, Desc: true}, rotor.ListPosition{}, 10)), c.by+" desc")
			}
		}},
		{"ListSorted keeps order through six hundred saves in random order and the deletion of a third of them", func(t *testing.T, st rotor.Store) {
			if testing.Short() {
				t.Skip("800 writes")
			}
			sl := sortedLister(t, st)
			want := fillShuffled(t, st, 600)
			rng := rand.New(rand.NewPCG(1, 2))
			var kept []*rotor.Secret
			for _, s := range want {
				if rng.IntN(3) == 0 {
					_, rev := load(t, st, homeRegion, s.Name)
					require.NoError(t, st.Delete(context.Background(), homeRegion, s.Name, rev))
					continue
				}
				kept = append(kept, s)
			}
			for _, o := range allOrders() {
				assert.Equal(t, names(sortedBy(kept, o)), names(listSortedAll(t, sl, homeRegion, o, 97)), orderString(o))
			}
		}},
		{"ListSorted returns only the region asked for, nothing at limit 0, and refuses an unknown order", func(t *testing.T, st rotor.Store) {
			sl := sortedLister(t, st)
			create(t, st, newSecret(homeRegion, "a", at(0)))
			create(t, st, newSecret(otherRegion, "b", at(0)))
			for _, o := range allOrders() {
				assert.Equal(t, []string{"a"}, names(listSorted(t, sl, homeRegion, o, rotor.ListPosition{}, 10)), orderString(o))
				assert.Equal(t, []string{"b"}, names(listSorted(t, sl, otherRegion, o, rotor.ListPosition{}, 10)), orderString(o))
				assert.Empty(t, listSorted(t, sl, emptyRegion, o, rotor.ListPosition{}, 10), orderString(o))
				assert.Empty(t, listSorted(t, sl, homeRegion, o, rotor.ListPosition{}, 0), orderString(o))
			}
			_, err := sl.ListSorted(context.Background(), homeRegion, rotor.ListOrder{By: "size"}, rotor.ListPosition{}, 10)
			assert.Error(t, err)
		}},
		{"ListSorted returns whole secrets, the same that Load returns", func(t *testing.T, st rotor.Store) {
			sl := sortedLister(t, st)
			full := fullSecret(homeRegion, "full")
			create(t, st, full.Clone())
			for _, o := range allOrders() {
				got := listSorted(t, sl, homeRegion, o, rotor.ListPosition{}, 10)
				require.Len(t, got, 1)
				assertSameSecret(t, full, got[0], orderString(o))
			}
		}},
		{"ListSorted sees every secret present for the whole paging with the same dates exactly once while others come, go and move between pages", func(t *testing.T, st rotor.Store) {
			sl := sortedLister(t, st)
			for i, o := range allOrders() {
				// A region of its own for each order, where no other
				// order's secrets sit around the cursor.
				region := fmt.Sprintf("xx-order-%d", i+1)
				t.Run(orderString(o), func(t *testing.T) { checkPagingUnderWrites(t, st, sl, region, o) })
			}
		}},
	}
}

// checkPagingUnderWrites pages through o three at a time; between pages it
// deletes secrets that may go (one the cursor sits on, one not yet seen),
// creates one behind the cursor and one ahead of it, and moves a secret
// that may move by changing its dates.
func checkPagingUnderWrites(t *testing.T, st rotor.Store, sl rotor.SortedLister, region string, o rotor.ListOrder) {
	ctx := context.Background()
	prefix := strings.NewReplacer(" ", "-").Replace(orderString(o)) + "/"
	kept := make(map[string]bool)
	revs := make(map[string]rotor.Revision)
	for i := range 20 {
		name := fmt.Sprintf("%skept-%02d", prefix, i)
		switch i % 5 {
		case 1:
			name = fmt.Sprintf("%sgoes-%02d", prefix, i)
		case 3:
			name = fmt.Sprintf("%smoves-%02d", prefix, i)
		default:
			kept[name] = true
		}
		s := newSecret(region, name, at(time.Duration(i/2)*time.Second))
		s.LastChangedDate = at(time.Duration(i%4) * time.Second)
		s.LastAccessedDate = time.Date(2024, time.March, 9+i%3, 0, 0, 0, 0, time.UTC)
		revs[name] = create(t, st, s)
	}
	seen := make(map[string]int)
	goneUnseen := make(map[string]bool)
	var after rotor.ListPosition
	for page := 0; ; page++ {
		require.Less(t, page, 100, "ListSorted never returned an empty page")
		got := listSorted(t, sl, region, o, after, 3)
		if len(got) == 0 {
			break
		}
		for _, s := range got {
			if strings.HasPrefix(s.Name, prefix) {
				seen[s.Name]++
			}
			require.Equal(t, 1, o.Compare(o.PositionOf(s), after), "page %d: %s is not after the position %q", page, s.Name, after.Name)
			after = o.PositionOf(s)
		}
		last := got[len(got)-1].Name
		if strings.HasPrefix(last, prefix+"goes-") {
			require.NoError(t, st.Delete(ctx, region, last, revs[last]))
			delete(revs, last)
		}
		for _, name := range sortedNames(revs) {
			if strings.HasPrefix(name, prefix+"goes-") && seen[name] == 0 {
				require.NoError(t, st.Delete(ctx, region, name, revs[name]))
				delete(revs, name)
				goneUnseen[name] = true
				break
			}
		}
		for _, name := range sortedNames(revs) {
			if page < 4 && strings.HasPrefix(name, prefix+"moves-") {
				_, revs[name] = update(t, st, region, name, func(s *rotor.Secret) {
					s.LastChangedDate = s.LastChangedDate.Add(time.Duration(page+1) * time.Second)
					s.LastAccessedDate = s.LastAccessedDate.Add(24 * time.Hour)
				})
				break
			}
		}
		if page < 4 {
			// Behind the cursor: before it in this order, by a date or a
			// name that sorts first.
			behind := newSecret(region, fmt.Sprintf("%sbehind-%d", prefix, page), at(0))
			ahead := newSecret(region, fmt.Sprintf("%sahead-%d", prefix, page), at(0))
			early, late := at(-time.Hour), at(time.Hour+time.Duration(page)*time.Second)
			earlyDay, lateDay := time.Date(2024, time.March, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, time.April, 1+page, 0, 0, 0, 0, time.UTC)
			if o.Desc {
				early, late, earlyDay, lateDay = late, early, lateDay, earlyDay
			}
			switch o.By {
			case rotor.SortByCreatedDate:
				behind.CreatedDate, ahead.CreatedDate = early, late
			case rotor.SortByLastChangedDate:
				behind.LastChangedDate, ahead.LastChangedDate = early, late
			case rotor.SortByLastAccessedDate:
				behind.LastAccessedDate, ahead.LastAccessedDate = earlyDay, lateDay
			case rotor.SortByName:
				// "0…" sorts before every name of the prefix, "z…"
				// after them.
				first, last := "0", "z"
				if o.Desc {
					first, last = last, first
				}
				behind.Name, ahead.Name = prefix+first+"behind-"+fmt.Sprint(page), prefix+last+"ahead-"+fmt.Sprint(page)
				behind.ARN, ahead.ARN = secretARN(region, behind.Name), secretARN(region, ahead.Name)
			}
			kept[ahead.Name] = true // ahead of the cursor until the end: it must be seen once
			revs[behind.Name] = create(t, st, behind)
			revs[ahead.Name] = create(t, st, ahead)
		}
	}
	for name := range kept {
		assert.Equal(t, 1, seen[name], "%s was present, with the same dates, from ahead of the cursor to the end of the paging", name)
	}
	for name, n := range seen {
		if !strings.HasPrefix(name, prefix+"moves-") {
			assert.LessOrEqual(t, n, 1, "%s was listed more than once", name)
		}
		assert.NotContains(t, name, "behind-", "%s was created behind the cursor", name)
		assert.False(t, goneUnseen[name], "%s was deleted before the cursor reached it", name)
	}
}

// sortedLister returns st as a rotor.SortedLister, or skips the test when
// it is none or declines.
func sortedLister(t *testing.T, st rotor.Store) rotor.SortedLister {
	t.Helper()
	sl, ok := st.(rotor.SortedLister)
	if !ok {
		t.Skipf("%T is no rotor.SortedLister", st)
	}
	_, err := sl.ListSorted(context.Background(), homeRegion, rotor.ListOrder{By: rotor.SortByName}, rotor.ListPosition{}, 1)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("%T declines ListSorted: %v", st, err)
	}
	require.NoError(t, err)
	return sl
}

func listSorted(t *testing.T, sl rotor.SortedLister, region string, o rotor.ListOrder, after rotor.ListPosition, limit int) []*rotor.Secret {
	t.Helper()
	page, err := sl.ListSorted(context.Background(), region, o, after, limit)
	require.NoError(t, err, "listing %s by %s after %q, limit %d", region, orderString(o), after.Name, limit)
	require.LessOrEqual(t, len(page), max(limit, 0), "ListSorted returned more secrets than the limit")
	for i, s := range page {
		require.NotNil(t, s, "ListSorted returned a nil secret at index %d", i)
	}
	return page
}

// listSortedAll pages through a region in o with the position of the last
// secret of each page.
func listSortedAll(t *testing.T, sl rotor.SortedLister, region string, o rotor.ListOrder, pageSize int) []*rotor.Secret {
	t.Helper()
	var all []*rotor.Secret
	var after rotor.ListPosition
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10_000, "ListSorted never returned an empty page")
		page := listSorted(t, sl, region, o, after, pageSize)
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = o.PositionOf(page[len(page)-1])
	}
}

// fillShuffled saves n secrets of homeRegion in random order, with dates
// that repeat (so names break ties) and differ between the keys, and
// returns them.
func fillShuffled(t *testing.T, st rotor.Store, n int) []*rotor.Secret {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	var all []*rotor.Secret
	for _, i := range rng.Perm(n) {
		s := newSecret(homeRegion, fmt.Sprintf("secret-%c%04d", 'z'-i%3, i*7919%n), at(time.Duration(i/3)*time.Second))
		s.LastChangedDate = at(time.Duration(rng.IntN(n/4+1)) * time.Millisecond)
		if i%4 != 0 {
			s.LastAccessedDate = time.Date(2024, time.March, 1+i%5, 0, 0, 0, 0, time.UTC)
		}
		all = append(all, s.Clone())
		create(t, st, s)
	}
	return all
}

// sortedBy returns a sorted copy of secrets in o, by o.Compare: the order's
// definition.
func sortedBy(secrets []*rotor.Secret, o rotor.ListOrder) []*rotor.Secret {
	out := slices.Clone(secrets)
	slices.SortFunc(out, func(a, b *rotor.Secret) int { return o.Compare(o.PositionOf(a), o.PositionOf(b)) })
	return out
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
