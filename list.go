package rotor

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ListSecretsInput is the input of ListSecrets. MaxResults is 1–100 (0 means
// 100). SortBy is created-date (the default), last-accessed-date,
// last-changed-date or name; SortOrder asc (the default) or desc.
type ListSecretsInput struct {
	IncludePlannedDeletion bool
	MaxResults             int
	NextToken              string
	Filters                []Filter
	SortOrder              string
	SortBy                 string
}

// SecretListEntry is one secret in ListSecrets' output: the same metadata as
// DescribeSecret (on the wire its version map is named SecretVersionsToStages).
type SecretListEntry DescribeSecretOutput

// ListSecretsOutput is the output of ListSecrets. A page may be short, even
// empty, and still carry a NextToken.
type ListSecretsOutput struct {
	SecretList []SecretListEntry
	NextToken  string
}

// listScanLimit bounds how many records one ListSecrets call reads in
// creation order before it answers with what it found and a NextToken, so a
// filter that matches little never makes one call scan everything.
const listScanLimit = 1000

// ListSecrets lists the secrets of the service's region. In the default order
// (creation date, ascending) a page costs what it returns, not the number of
// secrets; other orders read every secret of the region.
func (s *Service) ListSecrets(ctx context.Context, in ListSecretsInput) (ListSecretsOutput, error) {
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return ListSecretsOutput{}, constraintError(strconv.Itoa(in.MaxResults), "maxResults", "have value less than or equal to 100 and greater than or equal to 1")
	}
	if err := checkLength(in.NextToken, "nextToken", 0, 4096); err != nil {
		return ListSecretsOutput{}, err
	}
	sortBy, order := in.SortBy, in.SortOrder
	if sortBy == "" {
		sortBy = "created-date"
	}
	if order == "" {
		order = "asc"
	}
	if !slices.Contains([]string{"created-date", "last-accessed-date", "last-changed-date", "name"}, sortBy) {
		return ListSecretsOutput{}, constraintError(sortBy, "sortBy", "satisfy enum value set: [created-date, last-accessed-date, last-changed-date, name]")
	}
	if order != "asc" && order != "desc" {
		return ListSecretsOutput{}, constraintError(order, "sortOrder", "satisfy enum value set: [asc, desc]")
	}
	if err := validateFilters(in.Filters); err != nil {
		return ListSecretsOutput{}, err
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	var after listToken
	if in.NextToken != "" {
		var ok bool
		if after, ok = decodeListToken(in.NextToken); !ok || after.SortBy != sortBy || after.Order != order {
			return ListSecretsOutput{}, newError(CodeInvalidNextToken, "The NextToken value is not valid for this request.")
		}
	}
	keep := func(sec *Secret) bool {
		if s.purgeDue(sec) || (sec.Deleted() && !in.IncludePlannedDeletion) {
			return false
		}
		return matchFilters(in.Filters, filterSubject{Name: sec.Name, Description: sec.Description,
			PrimaryRegion: sec.PrimaryRegion, OwningService: sec.OwningService, Tags: sec.Tags})
	}
	if sortBy == "created-date" && order == "asc" {
		return s.listInStoreOrder(ctx, after, limit, keep)
	}
	return s.listSorted(ctx, after, limit, sortBy, order, keep)
}

// listInStoreOrder pages through the store's own order, (CreatedDate, Name).
func (s *Service) listInStoreOrder(ctx context.Context, after listToken, limit int, keep func(*Secret) bool) (ListSecretsOutput, error) {
	cursor := Cursor{CreatedDate: after.Created, Name: after.Name}
	var out ListSecretsOutput
	scanned := 0
	for {
		batch, err := s.store.List(ctx, s.region, cursor, limit+1)
		if err != nil {
			return ListSecretsOutput{}, storeError(err)
		}
		for i, sec := range batch {
			scanned++
			if keep(sec) {
				if len(out.SecretList) == limit {
					out.NextToken = listToken{SortBy: "created-date", Order: "asc", Created: cursor.CreatedDate, Name: cursor.Name}.encode()
					return out, nil
				}
				out.SecretList = append(out.SecretList, SecretListEntry(s.describe(sec)))
			}
			cursor = CursorOf(batch[i])
			if scanned >= listScanLimit && i < len(batch)-1 {
				out.NextToken = listToken{SortBy: "created-date", Order: "asc", Created: cursor.CreatedDate, Name: cursor.Name}.encode()
				return out, nil
			}
		}
		if len(batch) < limit+1 {
			return out, nil
		}
	}
}

// listSorted reads every secret of the region and pages through them in the
// asked order, ties broken by name.
func (s *Service) listSorted(ctx context.Context, after listToken, limit int, sortBy, order string, keep func(*Secret) bool) (ListSecretsOutput, error) {
	var all []*Secret
	var cursor Cursor
	for {
		batch, err := s.store.List(ctx, s.region, cursor, 1000)
		if err != nil {
			return ListSecretsOutput{}, storeError(err)
		}
		for _, sec := range batch {
			if keep(sec) {
				all = append(all, sec)
			}
		}
		if len(batch) < 1000 {
			break
		}
		cursor = CursorOf(batch[len(batch)-1])
	}
	key := func(sec *Secret) listToken {
		t := listToken{Name: sec.Name}
		switch sortBy {
		case "created-date":
			t.Created = sec.CreatedDate
		case "last-accessed-date":
			t.Created = sec.LastAccessedDate
		case "last-changed-date":
			t.Created = sec.LastChangedDate
		}
		return t
	}
	compare := func(a, b listToken) int {
		c := a.Created.Compare(b.Created)
		if c == 0 {
			c = strings.Compare(a.Name, b.Name)
		}
		if order == "desc" {
			c = -c
		}
		return c
	}
	slices.SortFunc(all, func(a, b *Secret) int { return compare(key(a), key(b)) })
	start := 0
	if after.Name != "" {
		start, _ = slices.BinarySearchFunc(all, after, func(sec *Secret, t listToken) int { return cmp.Compare(compare(key(sec), t), 0) })
		if start < len(all) && compare(key(all[start]), after) == 0 {
			start++
		}
	}
	var out ListSecretsOutput
	for _, sec := range all[start:] {
		if len(out.SecretList) == limit {
			last := key(all[start+limit-1])
			last.SortBy, last.Order = sortBy, order
			out.NextToken = last.encode()
			break
		}
		out.SecretList = append(out.SecretList, SecretListEntry(s.describe(sec)))
	}
	return out, nil
}

// listToken is the position a ListSecrets NextToken encodes.
type listToken struct {
	SortBy  string    `json:"b"`
	Order   string    `json:"o"`
	Created time.Time `json:"t"`
	Name    string    `json:"n"`
}

func (t listToken) encode() string {
	b, _ := json.Marshal(t) // a struct of strings and a time always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeListToken(s string) (listToken, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return listToken{}, false
	}
	var t listToken
	if err := json.Unmarshal(b, &t); err != nil || t.Name == "" {
		return listToken{}, false
	}
	return t, true
}
