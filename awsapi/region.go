package awsapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/rotorkit/rotor"
)

// MaxRegions bounds how many regions one Handler keeps a service for:
// regions where a secret was written, and those passed to Handler.Service.
// A request naming a region where no secret is stored takes no slot, so
// requests naming ever new regions cannot fill the table.
const MaxRegions = 64

// Service returns the service of region and keeps the region, building its
// service (with Config.NewService when set) on first use, whether or not a
// secret is stored there: call it for the regions to serve from the start.
// It fails when region is not a region name of AWS's form (see the package
// documentation) or when MaxRegions regions are already kept.
func (h *Handler) Service(region string) (*rotor.Service, error) {
	h.mu.RLock()
	s := h.services[region]
	h.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	if !validRegion(region) {
		return nil, fmt.Errorf("awsapi: %s is not a region name: %s", quoteRegion(region), regionForm)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.keep(region)
}

// keep returns the service of region, kept; h.mu is held.
func (h *Handler) keep(region string) (*rotor.Service, error) {
	if s := h.services[region]; s != nil {
		return s, nil
	}
	if len(h.services)+h.creating >= MaxRegions {
		return nil, fmt.Errorf("awsapi: already serving %d regions", MaxRegions)
	}
	s := h.newService(region, true)
	h.services[region] = s
	return s, nil
}

// newService builds a service for region: with Config.NewService when it
// is to be kept, else with rotor.New, so that a transient one starts
// nothing.
func (h *Handler) newService(region string, kept bool) *rotor.Service {
	opts := []rotor.Option{rotor.WithClock(h.cfg.Clock)}
	if h.cfg.Invoker != nil {
		opts = append(opts, rotor.WithInvoker(h.cfg.Invoker))
	}
	opts = append(opts, h.cfg.Options...)
	opts = append(opts, rotor.WithRegion(region), rotor.WithAccountID(h.cfg.AccountID))
	if kept && h.cfg.NewService != nil {
		return h.cfg.NewService(opts...)
	}
	return rotor.New(h.cfg.Store, opts...)
}

// errTooManyRegions is the refusal of a request that would keep one region
// more than MaxRegions.
var errTooManyRegions = &apiError{http.StatusBadRequest, rotor.CodeLimitExceeded,
	"This server already serves " + strconv.Itoa(MaxRegions) + " regions; it serves no more."}

// serviceFor returns the service that answers a request for operation op in
// region, a valid region name. A kept region's service answers it. A region
// not kept is kept now when the store holds a secret of it (written before
// a restart), so that its secrets meet the service Config.NewService
// builds. Otherwise no secret is stored there, and the request runs on a
// transient service, dropped after it: it keeps nothing, unless it is a
// CreateSecret, the one operation that can write a region's first secret.
// A CreateSecret holds a slot of MaxRegions while it runs, so that the
// region can be kept if it succeeds; it must call done with whether it
// did. done is nil for every other request.
func (h *Handler) serviceFor(ctx context.Context, region, op string) (s *rotor.Service, done func(created bool), _ *apiError) {
	h.mu.RLock()
	s = h.services[region]
	h.mu.RUnlock()
	if s != nil {
		return s, nil, nil
	}
	stored, err := h.cfg.Store.List(ctx, region, rotor.Cursor{}, 1)
	if err != nil {
		status, code, msg := serviceError(err)
		return nil, nil, &apiError{status, code, msg}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(stored) > 0 {
		if s, err = h.keep(region); err != nil {
			return nil, nil, errTooManyRegions
		}
		return s, nil, nil
	}
	if s = h.services[region]; s != nil {
		return s, nil, nil
	}
	if op != "CreateSecret" {
		return h.newService(region, false), nil, nil
	}
	if len(h.services)+h.creating >= MaxRegions {
		return nil, nil, errTooManyRegions
	}
	h.creating++
	return h.newService(region, false), func(created bool) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.creating--
		if created {
			_, _ = h.keep(region) // the slot held leaves room
		}
	}, nil
}

// maxRegionName bounds a region name; the longest AWS has (us-isob-east-1,
// eusc-de-east-1) have 14 characters.
const maxRegionName = 32

// regionForm says what validRegion accepts, for the errors that refuse a
// region name.
const regionForm = "a region name is a partition's prefix (us, eu, ap, sa, ca, me, af, il, mx, cn, us-gov, us-iso, us-isob, us-isof, eu-isoe or eusc-de), " +
	"a direction in lower-case letters and a number, joined by '-', like us-east-1 or us-gov-west-1."

// validRegion reports whether r is a region name of AWS's form, as the
// regionRegex of each partition in the AWS SDKs' endpoint metadata has it,
// with lower-case letters for \w: (us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|
// us-iso|us-isob|us-isof|eu-isoe|eusc-de)-[a-z]+-[0-9]+, of at most
// maxRegionName characters.
func validRegion(r string) bool {
	if len(r) > maxRegionName {
		return false
	}
	i := strings.LastIndexByte(r, '-')
	if i < 0 || !allIn(r[i+1:], '0', '9') {
		return false
	}
	j := strings.LastIndexByte(r[:i], '-')
	if j < 0 || !allIn(r[j+1:i], 'a', 'z') {
		return false
	}
	switch r[:j] {
	case "us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn",
		"us-gov", "us-iso", "us-isob", "us-isof", "eu-isoe", "eusc-de":
		return true
	}
	return false
}

// allIn reports whether s is not empty and all its bytes are in [lo, hi].
func allIn(s string, lo, hi byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < lo || s[i] > hi {
			return false
		}
	}
	return s != ""
}

// quoteRegion quotes a region name for an error, cut to a length that
// cannot flood the reply.
func quoteRegion(r string) string {
	if len(r) > maxRegionName {
		return strconv.QuoteToASCII(r[:maxRegionName]) + "…"
	}
	return strconv.QuoteToASCII(r)
}
