package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// actionResult is what an action leaves for the page it re-renders: the
// API's refusal beside the form that asked, the form's fields to show again
// (never a value), or the value the user asked to see.
type actionResult struct {
	errors map[string]string
	form   formValues
	value  *shownValue
}

// maxFormBytes bounds an action's form: a value is at most 64 KiB.
const maxFormBytes = 256 << 10

// action performs one form's operation as the signed-in principal, through
// the API, so that the API authorizes, validates and records it exactly as
// any other call. A success redirects to the secret's page (or the list,
// after a forced deletion); a refusal shows the API's message in place.
func (c *Console) action(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		c.message(w, r, s, http.StatusBadRequest, "Refused", "The form could not be read (is it over 256 KiB?).")
		return
	}
	if !validCSRF(s, r.PostForm.Get("csrf")) {
		c.message(w, r, s, http.StatusForbidden, "Refused", "The form's token is missing or stale: reload the page and try again.")
		return
	}
	q := r.URL.Query()
	region, id := q.Get("region"), q.Get("id")
	if region == "" {
		region = c.cfg.Region
	}
	op := r.PostForm.Get("op")
	f := r.PostForm
	form := formValues{
		Lambda: strings.TrimSpace(f.Get("lambda")), Days: strings.TrimSpace(f.Get("days")),
		Expression: strings.TrimSpace(f.Get("expression")), Duration: strings.TrimSpace(f.Get("duration")),
		Label: strings.TrimSpace(f.Get("label")), MoveTo: f.Get("move_to"), RemoveFrom: f.Get("remove_from"),
		Stages: strings.TrimSpace(f.Get("stages")), Window: strings.TrimSpace(f.Get("window")), Force: f.Get("force") == "on",
		VersionID: f.Get("version_id"),
	}
	ctx := r.Context()
	api := c.client(r, s, region)
	var err error
	var shown *shownValue
	switch op {
	case "rotate":
		in := &secretsmanager.RotateSecretInput{SecretId: aws.String(id)}
		if form.Lambda != "" {
			in.RotationLambdaARN = aws.String(form.Lambda)
		}
		if form.Days != "" || form.Expression != "" || form.Duration != "" {
			in.RotationRules = &types.RotationRulesType{}
			if form.Days != "" {
				n, perr := strconv.ParseInt(form.Days, 10, 64)
				if perr != nil {
					c.secret(w, r, s, &actionResult{errors: map[string]string{op: "AutomaticallyAfterDays must be a whole number of days."}, form: form})
					return
				}
				in.RotationRules.AutomaticallyAfterDays = aws.Int64(n)
			}
			if form.Expression != "" {
				in.RotationRules.ScheduleExpression = aws.String(form.Expression)
			}
			if form.Duration != "" {
				in.RotationRules.Duration = aws.String(form.Duration)
			}
		}
		_, err = api.RotateSecret(ctx, in)
	case "cancel":
		_, err = api.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(id)})
	case "put":
		in := &secretsmanager.PutSecretValueInput{SecretId: aws.String(id), SecretString: aws.String(f.Get("value"))}
		if form.Stages != "" {
			for _, l := range strings.Split(form.Stages, ",") {
				in.VersionStages = append(in.VersionStages, strings.TrimSpace(l))
			}
		}
		_, err = api.PutSecretValue(ctx, in)
	case "move":
		in := &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(id), VersionStage: aws.String(form.Label)}
		if form.MoveTo != "" {
			in.MoveToVersionId = aws.String(form.MoveTo)
		}
		if form.RemoveFrom != "" {
			in.RemoveFromVersionId = aws.String(form.RemoveFrom)
		}
		_, err = api.UpdateSecretVersionStage(ctx, in)
	case "delete":
		in := &secretsmanager.DeleteSecretInput{SecretId: aws.String(id)}
		if form.Force {
			in.ForceDeleteWithoutRecovery = aws.Bool(true)
		} else if form.Window != "" {
			n, perr := strconv.ParseInt(form.Window, 10, 64)
			if perr != nil {
				c.secret(w, r, s, &actionResult{errors: map[string]string{op: "RecoveryWindowInDays must be a whole number of days."}, form: form})
				return
			}
			in.RecoveryWindowInDays = aws.Int64(n)
		}
		_, err = api.DeleteSecret(ctx, in)
	case "restore":
		_, err = api.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(id)})
	case "value":
		// The one read of a value: an ordinary GetSecretValue, authorized
		// and recorded as any other.
		in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)}
		if form.VersionID != "" {
			in.VersionId = aws.String(form.VersionID)
		}
		var out *secretsmanager.GetSecretValueOutput
		out, err = api.GetSecretValue(ctx, in)
		if err == nil {
			shown = &shownValue{VersionID: aws.ToString(out.VersionId), Stages: out.VersionStages, String: aws.ToString(out.SecretString), Binary: out.SecretBinary}
		}
	default:
		c.message(w, r, s, http.StatusBadRequest, "Refused", "There is no action "+strconv.Quote(op)+".")
		return
	}
	if err != nil {
		c.secret(w, r, s, &actionResult{errors: map[string]string{op: apiMessage(err)}, form: form})
		return
	}
	if shown != nil {
		c.secret(w, r, s, &actionResult{form: form, value: shown})
		return
	}
	if op == "delete" && form.Force {
		http.Redirect(w, r, c.cfg.Prefix+"?"+url.Values{"region": {region}}.Encode(), http.StatusSeeOther)
		return
	}
	// The fragment takes the reader back to the top, where the notice is,
	// rather than to the form the request's address named.
	next := c.secretLink(region, id) + "&done=" + op
	if op == "rotate" {
		next += "&follow=1" // the page reloads itself until the rotation ends
	}
	http.Redirect(w, r, next+"#notice", http.StatusSeeOther)
}
