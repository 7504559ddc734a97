package rotor

import (
	"context"
	"strings"
	"time"
)

// The keys ListSecrets sorts by: the values of ListSecretsInput.SortBy and
// of ListOrder.By.
const (
	SortByCreatedDate      = "created-date"
	SortByLastAccessedDate = "last-accessed-date"
	SortByLastChangedDate  = "last-changed-date"
	SortByName             = "name"
)

// ListOrder is an order in which ListSecrets pages through a region's
// secrets: by the key By (one of the SortBy constants), ascending or, with
// Desc, descending.
//
// In the date orders secrets are ordered by the date (to the nanosecond,
// whatever its time zone), then by name byte by byte (as strings.Compare
// does); a secret never read has the zero LastAccessedDate, before every
// date. In name order they are ordered by name alone. Desc reverses the
// whole order, names included, so that each order is the exact reverse of
// the other and a store needs one index per key, read either way.
type ListOrder struct {
	By   string
	Desc bool
}

// ListPosition is a place in a ListOrder: the sort date of a secret (its
// CreatedDate, LastChangedDate or LastAccessedDate; zero in name order) and
// its name. The zero ListPosition is the start of every order, before its
// first secret.
type ListPosition struct {
	Date time.Time
	Name string
}

// IsStart reports whether p is the zero ListPosition.
func (p ListPosition) IsStart() bool { return p.Name == "" && p.Date.IsZero() }

// Valid reports whether o.By is one of the SortBy constants.
func (o ListOrder) Valid() bool {
	switch o.By {
	case SortByCreatedDate, SortByLastAccessedDate, SortByLastChangedDate, SortByName:
		return true
	}
	return false
}

// PositionOf returns the position of s in o.
func (o ListOrder) PositionOf(s *Secret) ListPosition {
	switch o.By {
	case SortByCreatedDate:
		return ListPosition{Date: s.CreatedDate, Name: s.Name}
	case SortByLastChangedDate:
		return ListPosition{Date: s.LastChangedDate, Name: s.Name}
	case SortByLastAccessedDate:
		return ListPosition{Date: s.LastAccessedDate, Name: s.Name}
	}
	return ListPosition{Name: s.Name}
}

// Compare returns -1 when a comes before b in o, +1 when after, and 0 when
// they are the same position. The zero ListPosition comes before every
// other, in both directions.
func (o ListOrder) Compare(a, b ListPosition) int {
	switch as, bs := a.IsStart(), b.IsStart(); {
	case as && bs:
		return 0
	case as:
		return -1
	case bs:
		return 1
	}
	c := 0
	if o.By != SortByName {
		c = compareInstants(a.Date, b.Date)
	}
	if c == 0 {
		c = strings.Compare(a.Name, b.Name)
	}
	if o.Desc {
		c = -c
	}
	return c
}

// compareInstants orders times by the instant they name, to the nanosecond,
// ignoring zone and monotonic clock readings, as durable stores order them.
func compareInstants(a, b time.Time) int {
	as, bs := a.Unix(), b.Unix()
	switch {
	case as < bs:
		return -1
	case as > bs:
		return 1
	}
	an, bn := a.Nanosecond(), b.Nanosecond()
	switch {
	case an < bn:
		return -1
	case an > bn:
		return 1
	}
	return 0
}

// SortedLister is an optional interface of a Store that walks a region's
// secrets in any ListOrder without reading the others, so that a
// ListSecrets page costs what the page holds whatever the order and the
// number of secrets.
//
// ListSorted returns the next limit secrets of region that come strictly
// after the position after in order (from the first when after is the zero
// ListPosition), including those scheduled for deletion, whole, as List
// returns them: read-only snapshots. It returns fewer than limit only when
// no more exist. The service decides which of them a caller sees (filters,
// deletion), so a store returns every secret in order.
//
// A store implements it with an index per key (the name, CreatedDate,
// LastChangedDate and LastAccessedDate, each then the name), kept by every
// Save and Delete and read forwards or backwards. A wrapper that cannot
// serve it (around a store without one) returns an error matching
// errors.ErrUnsupported, and the service then reads every secret, keeping
// only a page's worth in memory. An order whose By is not a SortBy
// constant is an error.
//
// Between two calls a secret that stays, keeping its sort date, is listed
// exactly once by a caller paging with the position of the last secret of
// each page; one whose sort date changes moves, and may be listed twice or
// not at all.
type SortedLister interface {
	ListSorted(ctx context.Context, region string, order ListOrder, after ListPosition, limit int) ([]*Secret, error)
}
