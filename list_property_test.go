package rotor_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"pgregory.net/rapid"
)

// plainStore hides every optional interface of the store it holds: a Store
// as a user might write one, which ListSecrets can only read whole.
type plainStore struct{ inner rotor.Store }

func (p plainStore) Load(ctx context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	return p.inner.Load(ctx, region, name)
}

func (p plainStore) Save(ctx context.Context, s *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	return p.inner.Save(ctx, s, expect)
}

func (p plainStore) Delete(ctx context.Context, region, name string, expect rotor.Revision) error {
	return p.inner.Delete(ctx, region, name, expect)
}

func (p plainStore) List(ctx context.Context, region string, after rotor.Cursor, limit int) ([]*rotor.Secret, error) {
	return p.inner.List(ctx, region, after, limit)
}

// TestPropertyListSecretsEqualsAFullSort runs random creations, updates,
// reads, deletions and clock moves, and after each step pages through
// ListSecrets in a random order, filter and page size, over a store that
// walks its indexes and over one that must be read whole: both must list
// exactly what sorting every secret and filtering it gives.
func TestPropertyListSecretsEqualsAFullSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		now := epoch
		clock := func() time.Time { return now }
		indexed := rotor.NewMemoryStore()
		services := map[string]*rotor.Service{
			"indexed store": rotor.New(indexed, rotor.WithClock(clock), rotor.WithRandom(newSeededReader(1))),
			"plain store":   rotor.New(plainStore{rotor.NewMemoryStore()}, rotor.WithClock(clock), rotor.WithRandom(newSeededReader(1))),
		}
		each := func(call func(svc *rotor.Service) error) {
			var first error
			for i, svc := range []*rotor.Service{services["indexed store"], services["plain store"]} {
				err := call(svc)
				if i == 0 {
					first = err
				} else if (err == nil) != (first == nil) {
					t.Fatalf("the two services disagree: %v, %v", first, err)
				}
			}
		}
		name := rapid.StringMatching(`[abAB][ab_./-]{0,3}`)
		elapsed := time.Duration(0)
		for step := range rapid.IntRange(1, 40).Draw(t, "steps") {
			switch rapid.IntRange(0, 6).Draw(t, "action") {
			case 0, 1:
				n := name.Draw(t, "name")
				each(func(svc *rotor.Service) error {
					_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: n, SecretString: "v", ClientRequestToken: token(fmt.Sprint(step))})
					return err
				})
			case 2:
				n := name.Draw(t, "name")
				d := rapid.SampledFrom([]string{"one", "two"}).Draw(t, "description")
				each(func(svc *rotor.Service) error {
					_, err := svc.UpdateSecret(ctx, rotor.UpdateSecretInput{SecretId: n, Description: &d})
					return err
				})
			case 3:
				n := name.Draw(t, "name")
				each(func(svc *rotor.Service) error {
					_, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: n})
					return err
				})
			case 4:
				n := name.Draw(t, "name")
				force := rapid.Bool().Draw(t, "force")
				each(func(svc *rotor.Service) error {
					_, err := svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: n, ForceDeleteWithoutRecovery: force})
					return err
				})
			case 5:
				// Moves short and long: equal dates, then days for
				// LastAccessedDate, never reaching a deletion's purge.
				d := rapid.SampledFrom([]time.Duration{0, time.Nanosecond, time.Second, 24 * time.Hour}).Draw(t, "clock move")
				if elapsed+d < 6*24*time.Hour {
					elapsed += d
					now = now.Add(d)
				}
			case 6:
				// nothing: list twice in a row
			}
			checkListing(t, ctx, indexed, services)
		}
	})
}

// checkListing pages through ListSecrets with a drawn input on every
// service and compares it with sorting and filtering every secret.
func checkListing(t *rapid.T, ctx context.Context, st rotor.Store, services map[string]*rotor.Service) {
	sortBy := rapid.SampledFrom([]string{"", "created-date", "last-changed-date", "last-accessed-date", "name"}).Draw(t, "sort by")
	direction := rapid.SampledFrom([]string{"", "asc", "desc"}).Draw(t, "sort order")
	pageSize := rapid.IntRange(0, 4).Draw(t, "page size")
	deleted := rapid.Bool().Draw(t, "include planned deletion")
	prefix := rapid.SampledFrom([]string{"", "a", "!a", "B"}).Draw(t, "name filter")
	in := rotor.ListSecretsInput{SortBy: sortBy, SortOrder: direction, MaxResults: pageSize, IncludePlannedDeletion: deleted}
	if prefix != "" {
		in.Filters = []rotor.Filter{{Key: "name", Values: []string{prefix}}}
	}

	var all []*rotor.Secret
	for after := (rotor.Cursor{}); ; {
		page, err := st.List(ctx, "us-east-1", after, 7)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 7 {
			break
		}
		after = rotor.CursorOf(page[len(page)-1])
	}
	var want []string
	for _, s := range all {
		negated, not := strings.CutPrefix(prefix, "!")
		if (!deleted && !s.DeletedDate.IsZero()) || strings.HasPrefix(s.Name, negated) == not {
			continue
		}
		want = append(want, s.Name)
	}
	date := func(name string) time.Time {
		for _, s := range all {
			if s.Name == name {
				switch sortBy {
				case "", "created-date":
					return s.CreatedDate
				case "last-changed-date":
					return s.LastChangedDate
				case "last-accessed-date":
					return s.LastAccessedDate
				}
			}
		}
		return time.Time{}
	}
	slices.SortFunc(want, func(a, b string) int {
		c := date(a).Compare(date(b))
		if c == 0 {
			c = strings.Compare(a, b)
		}
		if direction == "desc" {
			c = -c
		}
		return c
	})

	for label, svc := range services {
		var got []string
		in := in
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatalf("%s: ListSecrets never ends", label)
			}
			out, err := svc.ListSecrets(ctx, in)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			if pageSize > 0 && len(out.SecretList) > pageSize {
				t.Fatalf("%s: a page of %d for MaxResults %d", label, len(out.SecretList), pageSize)
			}
			got = append(got, names(out.SecretList)...)
			if out.NextToken == "" {
				break
			}
			in.NextToken = out.NextToken
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: ListSecrets(%+v) listed\n%q, sorting every secret gives\n%q", label, in, got, want)
		}
	}
}
