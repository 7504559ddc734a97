package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotorkit/rotor"
)

// pageSize is how many secrets a page of the list shows.
const pageSize = 50

// listQuery is the list's search, as its form sends it.
type listQuery struct {
	Region, Search, Name, TagKey, TagValue, Description, Primary string
	Deleted                                                      bool
}

func parseListQuery(q url.Values, region string) listQuery {
	lq := listQuery{
		Region: strings.TrimSpace(q.Get("region")), Search: strings.TrimSpace(q.Get("search")),
		Name: strings.TrimSpace(q.Get("name")), TagKey: strings.TrimSpace(q.Get("tag_key")),
		TagValue: strings.TrimSpace(q.Get("tag_value")), Description: strings.TrimSpace(q.Get("description")),
		Primary: strings.TrimSpace(q.Get("primary_region")), Deleted: q.Get("deleted") == "on",
	}
	if lq.Region == "" {
		lq.Region = region
	}
	return lq
}

// filters maps the search onto ListSecrets' Filters: each field one filter,
// all of them applying at once.
func (q listQuery) filters() []types.Filter {
	var out []types.Filter
	add := func(key types.FilterNameStringType, v string) {
		if v != "" {
			out = append(out, types.Filter{Key: key, Values: []string{v}})
		}
	}
	add(types.FilterNameStringTypeAll, q.Search)
	add(types.FilterNameStringTypeName, q.Name)
	add(types.FilterNameStringTypeTagKey, q.TagKey)
	add(types.FilterNameStringTypeTagValue, q.TagValue)
	add(types.FilterNameStringTypeDescription, q.Description)
	add(types.FilterNameStringTypePrimaryRegion, q.Primary)
	return out
}

// values is the query string of q, for links that keep the search.
func (q listQuery) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("region", q.Region)
	set("search", q.Search)
	set("name", q.Name)
	set("tag_key", q.TagKey)
	set("tag_value", q.TagValue)
	set("description", q.Description)
	set("primary_region", q.Primary)
	if q.Deleted {
		v.Set("deleted", "on")
	}
	return v
}

type listRow struct {
	Name, ARN, Description, Link string
	Tags                         []types.Tag
	RotationConfigured           bool
	RotationEnabled              bool
	NextRotation, LastRotated    time.Time
	LastResult                   string
	LastResultClass              string
	Deleted                      time.Time
	PrimaryRegion                string
}

type listPage struct {
	base
	Query           listQuery
	Rows            []listRow
	Error           string
	NextLink        string
	FirstLink       string
	Paged           bool
	HistoryCoversUp time.Time
}

// list shows one page of ListSecrets, as the signed-in principal, with
// the rotation status of each secret.
func (c *Console) list(w http.ResponseWriter, r *http.Request, s *session) {
	q := parseListQuery(r.URL.Query(), c.cfg.Region)
	page := listPage{base: c.base(r, s, "Secrets"), Query: q}
	page.Region = q.Region
	in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(pageSize), Filters: q.filters()}
	if q.Deleted {
		in.IncludePlannedDeletion = aws.Bool(true)
	}
	if next := r.URL.Query().Get("next"); next != "" {
		in.NextToken = aws.String(next)
		page.Paged = true
	}
	first := q.values()
	page.FirstLink = c.cfg.Prefix + "?" + first.Encode()
	out, err := c.client(r, s, q.Region).ListSecrets(r.Context(), in)
	if err != nil {
		page.Error = apiMessage(err)
		c.render(w, http.StatusBadRequest, "list", page)
		return
	}
	for _, e := range out.SecretList {
		row := listRow{
			Name: aws.ToString(e.Name), ARN: aws.ToString(e.ARN), Description: aws.ToString(e.Description),
			Tags: e.Tags, RotationConfigured: e.RotationEnabled != nil, RotationEnabled: aws.ToBool(e.RotationEnabled),
			NextRotation: aws.ToTime(e.NextRotationDate), LastRotated: aws.ToTime(e.LastRotatedDate),
			Deleted: aws.ToTime(e.DeletedDate), PrimaryRegion: aws.ToString(e.PrimaryRegion),
		}
		row.Link = c.secretLink(q.Region, row.ARN)
		row.LastResult, row.LastResultClass = c.lastResult(row.ARN)
		page.Rows = append(page.Rows, row)
	}
	if out.NextToken != nil {
		next := q.values()
		next.Set("next", *out.NextToken)
		page.NextLink = c.cfg.Prefix + "?" + next.Encode()
	}
	c.render(w, http.StatusOK, "list", page)
}

func (c *Console) secretLink(region, arn string) string {
	return c.cfg.Prefix + "secret?" + url.Values{"region": {region}, "id": {arn}}.Encode()
}

// lastResult describes how the secret's last rotation this process saw
// went.
func (c *Console) lastResult(arn string) (text, class string) {
	ev, ok := c.cfg.History.Last(arn, rotor.EventRotationStarted, rotor.EventStepFailed, rotor.EventRotationFinished,
		rotor.EventRotationAbandon, rotor.EventRotationCanceled)
	if !ok {
		return "", ""
	}
	switch ev.Kind {
	case rotor.EventRotationFinished:
		return "succeeded", "ok"
	case rotor.EventRotationStarted:
		return "running", "running"
	case rotor.EventStepFailed:
		return "retrying after " + string(ev.Step) + " failed", "failed"
	case rotor.EventRotationAbandon:
		return "failed, given up until the next window", "failed"
	case rotor.EventRotationCanceled:
		return "canceled", "canceled"
	}
	return "", ""
}
