package console

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotorkit/rotor"
)

// maxVersionPages bounds the ListSecretVersionIds pages one page reads: a
// secret keeps about 100 versions, so two pages of 100 cover it.
const maxVersionPages = 3

type secretPage struct {
	base
	ID, Link, ListLink            string
	Found                         bool
	Error                         string
	Name, ARN, Description, KmsID string
	Tags                          []types.Tag
	Created, Changed, Accessed    time.Time
	Deleted                       time.Time
	PrimaryRegion                 string
	Replicas                      []types.ReplicationStatusType
	Timeline                      timeline
	TimelineError                 string
	Rotation                      rotationView
	Labels                        []string
	Errors                        map[string]string
	Notice                        string
	Form                          formValues
	Value                         *shownValue
	Following                     bool
}

// formValues are what the action forms redisplay after a refusal. A value
// is never among them.
type formValues struct {
	Lambda, Days, Expression, Duration string
	Label, MoveTo, RemoveFrom, Stages  string
	Window                             string
	Force                              bool
	VersionID                          string
}

// shownValue is one version's value, shown because the user asked for it.
type shownValue struct {
	VersionID string
	Stages    []string
	String    string
	Binary    []byte
}

// notices say what a finished action did.
var notices = map[string]string{
	"rotate":  "Rotation requested: the rotation function runs its steps now.",
	"cancel":  "Rotation canceled.",
	"put":     "The value was stored as a new version.",
	"move":    "The label was moved.",
	"delete":  "The secret is scheduled for deletion.",
	"restore": "The secret was restored.",
}

// secret shows one secret; errs, when not nil, are the API's refusals of
// an action, shown beside its form.
func (c *Console) secret(w http.ResponseWriter, r *http.Request, s *session, act *actionResult) {
	page := c.secretPage(r, s)
	status := http.StatusOK
	if act != nil {
		page.Errors = act.errors
		page.Form = act.form
		page.Value = act.value
		if len(act.errors) > 0 {
			status = http.StatusBadRequest
		}
	} else {
		page.Notice = notices[r.URL.Query().Get("done")]
	}
	if page.Error != "" && !page.Found {
		status = http.StatusBadRequest
	}
	c.render(w, status, "secret", page)
}

func (c *Console) secretPage(r *http.Request, s *session) secretPage {
	q := r.URL.Query()
	region := q.Get("region")
	if region == "" {
		region = c.cfg.Region
	}
	id := q.Get("id")
	page := secretPage{base: c.base(r, s, id), ID: id, Link: c.secretLink(region, id)}
	page.Region = region
	page.ListLink = c.cfg.Prefix + "?region=" + region
	ctx := r.Context()
	api := c.client(r, s, region)
	d, err := api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		page.Error = apiMessage(err)
		return page
	}
	page.Found = true
	page.Name, page.ARN, page.Description, page.KmsID = aws.ToString(d.Name), aws.ToString(d.ARN), aws.ToString(d.Description), aws.ToString(d.KmsKeyId)
	page.Title = page.Name
	page.Tags = d.Tags
	page.Created, page.Changed, page.Accessed, page.Deleted = aws.ToTime(d.CreatedDate), aws.ToTime(d.LastChangedDate), aws.ToTime(d.LastAccessedDate), aws.ToTime(d.DeletedDate)
	page.PrimaryRegion, page.Replicas = aws.ToString(d.PrimaryRegion), d.ReplicationStatus
	// The history is shown only to a principal that may describe the
	// secret, which the call above proved.
	events := c.cfg.History.Events(page.ARN)
	versions, err := listVersions(ctx, api, id)
	if err != nil {
		// The labelled versions are in the description still: without
		// their dates, but the present is right.
		page.TimelineError = apiMessage(err)
		versions = versions[:0]
		for vid, stages := range d.VersionIdsToStages {
			versions = append(versions, types.SecretVersionsListEntry{VersionId: aws.String(vid), VersionStages: stages})
		}
		sort.Slice(versions, func(i, j int) bool { return *versions[i].VersionId < *versions[j].VersionId })
	}
	now := c.cfg.Now().UTC()
	page.Timeline = buildTimeline(versions, events, now)
	for _, col := range page.Timeline.Columns {
		for _, l := range col.Labels {
			if !slices.Contains(page.Labels, l) {
				page.Labels = append(page.Labels, l)
			}
		}
	}
	sort.Strings(page.Labels)
	page.Rotation = c.rotationView(d, events, now)
	for _, labels := range d.VersionIdsToStages {
		if slices.Contains(labels, rotor.StagePending) && !slices.Contains(labels, rotor.StageCurrent) {
			page.Rotation.Pending = true
		}
	}
	if q.Get("follow") == "1" && len(page.Rotation.Runs) > 0 {
		last := page.Rotation.Runs[0]
		if last.Outcome == "running" || last.Outcome == "retrying" {
			page.Following = true
			page.Refresh = refreshAttr(page.Link + "&done=rotate&follow=1")
		}
	}
	return page
}

// listVersions reads every version of the secret, deprecated ones too.
func listVersions(ctx context.Context, api *secretsmanager.Client, id string) ([]types.SecretVersionsListEntry, error) {
	var all []types.SecretVersionsListEntry
	in := &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(id), IncludeDeprecated: aws.Bool(true), MaxResults: aws.Int32(100)}
	for range maxVersionPages {
		out, err := api.ListSecretVersionIds(ctx, in)
		if err != nil {
			return all, err
		}
		all = append(all, out.Versions...)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	return all, nil
}

func (c *Console) rotationView(d *secretsmanager.DescribeSecretOutput, events []rotor.Event, now time.Time) rotationView {
	v := rotationView{
		Configured: d.RotationEnabled != nil, Enabled: aws.ToBool(d.RotationEnabled),
		Lambda: aws.ToString(d.RotationLambdaARN), Next: aws.ToTime(d.NextRotationDate), Last: aws.ToTime(d.LastRotatedDate),
		Runs: rotationRuns(events),
	}
	if len(events) > 0 {
		v.HistorySince = events[0].Time
	}
	if rr := d.RotationRules; rr != nil {
		rules := rotor.RotationRules{ScheduleExpression: aws.ToString(rr.ScheduleExpression), Duration: aws.ToString(rr.Duration)}
		if rules.ScheduleExpression == "" {
			// With an expression, the API also reports the interval it
			// computed from it, which is not a rule of its own.
			rules.AutomaticallyAfterDays = aws.ToInt64(rr.AutomaticallyAfterDays)
		}
		v.Rules = rulesText(rules)
		windows, err := scheduleWindows(rules, v.Next, now, windowsShow)
		if err != nil {
			v.ScheduleError = err.Error()
		}
		v.Windows = windows
		v.Strip = strip(windows, now)
	}
	return v
}
