package rotor

import (
	"container/heap"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"
)

// ListSecretsInput is the input of ListSecrets. MaxResults is 1–100 (0 means
// 100). SortBy is created-date (the default), last-accessed-date,
// last-changed-date or name (the SortBy constants); SortOrder asc (the
// default) or desc. NextToken (at most 4096 characters) is one a previous
// page of the same SortBy and SortOrder returned. Filters holds at most 10
// filters of 1–10 values each (see Filter).
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
// order before it answers with what it found and a NextToken, so a filter
// that matches little never makes one call scan everything.
const listScanLimit = 1000

// ListSecrets lists the secrets of the service's region. A page costs what
// it returns, in every order, when the store is a SortedLister (rotor's
// stores are) or when the order is the default one (creation date,
// ascending); otherwise the store's secrets are all read, but only a page's
// worth is kept in memory.
//
// A secret present from the first page to the last, with the same sort
// date, is listed exactly once; one whose sort date changes between two
// pages (a last-changed-date listing of a secret updated meanwhile) moves,
// and may be listed twice or not at all.
func (s *Service) ListSecrets(ctx context.Context, in ListSecretsInput) (ListSecretsOutput, error) {
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return ListSecretsOutput{}, constraintError(strconv.Itoa(in.MaxResults), "maxResults", "have value less than or equal to 100 and greater than or equal to 1")
	}
	if err := checkLength(in.NextToken, "nextToken", 0, 4096); err != nil {
		return ListSecretsOutput{}, err
	}
	sortBy, direction := in.SortBy, in.SortOrder
	if sortBy == "" {
		sortBy = SortByCreatedDate
	}
	if direction == "" {
		direction = "asc"
	}
	order := ListOrder{By: sortBy, Desc: direction == "desc"}
	if !order.Valid() {
		return ListSecretsOutput{}, constraintError(sortBy, "sortBy", "satisfy enum value set: [created-date, last-accessed-date, last-changed-date, name]")
	}
	if direction != "asc" && direction != "desc" {
		return ListSecretsOutput{}, constraintError(direction, "sortOrder", "satisfy enum value set: [asc, desc]")
	}
	if err := validateFilters(in.Filters); err != nil {
		return ListSecretsOutput{}, err
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	var after ListPosition
	if in.NextToken != "" {
		t, ok := decodeListToken(in.NextToken)
		if !ok || t.SortBy != sortBy || t.Order != direction {
			return ListSecretsOutput{}, newError(CodeInvalidNextToken, "The NextToken value is not valid for this request.")
		}
		after = ListPosition{Date: t.Created, Name: t.Name}
		if order.By == SortByName {
			after.Date = time.Time{}
		}
	}
	keep := func(sec *Secret) bool {
		if s.purgeDue(sec) || (sec.Deleted() && !in.IncludePlannedDeletion) {
			return false
		}
		return matchFilters(in.Filters, filterSubject{Name: sec.Name, Description: sec.Description,
			PrimaryRegion: sec.PrimaryRegion, OwningService: sec.OwningService, Tags: sec.Tags})
	}
	p := listPager{s: s, order: order, limit: limit, keep: keep}
	if sl, ok := s.store.(SortedLister); ok {
		out, err := p.walk(ctx, after, func(ctx context.Context, after ListPosition, n int) ([]*Secret, error) {
			return sl.ListSorted(ctx, s.region, order, after, n)
		})
		if !errors.Is(err, errors.ErrUnsupported) {
			return out, err
		}
	}
	if order == (ListOrder{By: SortByCreatedDate}) {
		return p.walk(ctx, after, func(ctx context.Context, after ListPosition, n int) ([]*Secret, error) {
			return s.store.List(ctx, s.region, Cursor{CreatedDate: after.Date, Name: after.Name}, n)
		})
	}
	return p.topK(ctx, after)
}

// listPager makes one ListSecrets page: limit secrets that keep accepts, in
// order.
type listPager struct {
	s     *Service
	order ListOrder
	limit int
	keep  func(*Secret) bool
}

// token is the NextToken that continues after position p.
func (p listPager) token(at ListPosition) string {
	direction := "asc"
	if p.order.Desc {
		direction = "desc"
	}
	return listToken{SortBy: p.order.By, Order: direction, Created: at.Date, Name: at.Name}.encode()
}

// walk pages with next, which returns the next n secrets after a position
// in p.order: it reads one more than the page holds, and asks again only
// when filters or deletions left the page short, up to listScanLimit
// secrets.
func (p listPager) walk(ctx context.Context, after ListPosition, next func(ctx context.Context, after ListPosition, n int) ([]*Secret, error)) (ListSecretsOutput, error) {
	var out ListSecretsOutput
	scanned := 0
	at := after
	for {
		batch, err := next(ctx, at, p.limit+1)
		if err != nil {
			if errors.Is(err, errors.ErrUnsupported) {
				return ListSecretsOutput{}, err
			}
			return ListSecretsOutput{}, storeError(err)
		}
		for _, sec := range batch {
			if scanned == listScanLimit {
				out.NextToken = p.token(at)
				return out, nil
			}
			scanned++
			if p.keep(sec) {
				if len(out.SecretList) == p.limit {
					out.NextToken = p.token(at)
					return out, nil
				}
				out.SecretList = append(out.SecretList, SecretListEntry(p.s.describe(sec)))
			}
			at = p.order.PositionOf(sec)
		}
		if len(batch) < p.limit+1 {
			return out, nil
		}
	}
}

// topKBatch is how many secrets topK reads from the store at a time.
const topKBatch = 1000

// topK makes the page of a store that cannot walk p.order: it reads every
// secret of the region in the store's order, keeping only the first
// limit+1 after the position in a heap, so memory follows the page, not
// the number of secrets.
func (p listPager) topK(ctx context.Context, after ListPosition) (ListSecretsOutput, error) {
	h := &pageHeap{order: p.order}
	var cursor Cursor
	for {
		batch, err := p.s.store.List(ctx, p.s.region, cursor, topKBatch)
		if err != nil {
			return ListSecretsOutput{}, storeError(err)
		}
		for _, sec := range batch {
			at := p.order.PositionOf(sec)
			if p.order.Compare(at, after) <= 0 || (len(h.items) > p.limit && p.order.Compare(at, h.top()) >= 0) || !p.keep(sec) {
				continue
			}
			if len(h.items) <= p.limit {
				heap.Push(h, pageItem{sec, at})
			} else {
				h.items[0] = pageItem{sec, at}
				heap.Fix(h, 0)
			}
		}
		if len(batch) < topKBatch {
			break
		}
		cursor = CursorOf(batch[len(batch)-1])
	}
	slices.SortFunc(h.items, func(a, b pageItem) int { return p.order.Compare(a.at, b.at) })
	var out ListSecretsOutput
	for _, it := range h.items[:min(p.limit, len(h.items))] {
		out.SecretList = append(out.SecretList, SecretListEntry(p.s.describe(it.secret)))
	}
	if len(h.items) > p.limit {
		out.NextToken = p.token(h.items[p.limit-1].at)
	}
	return out, nil
}

type pageItem struct {
	secret *Secret
	at     ListPosition
}

// pageHeap is a max-heap of pageItems in order: its top is the last one.
type pageHeap struct {
	order ListOrder
	items []pageItem
}

func (h *pageHeap) top() ListPosition  { return h.items[0].at }
func (h *pageHeap) Len() int           { return len(h.items) }
func (h *pageHeap) Less(i, j int) bool { return h.order.Compare(h.items[i].at, h.items[j].at) > 0 }
func (h *pageHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *pageHeap) Push(x any)         { h.items = append(h.items, x.(pageItem)) }
func (h *pageHeap) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return it
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
