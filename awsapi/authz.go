package awsapi

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/policy"
)

// Principal is who signs with an access key, for authorization: an IAM user
// or role and its identity-based policies.
type Principal struct {
	// ARN is the principal's ARN, arn:aws:iam::ACCOUNT:user/NAME or
	// arn:aws:iam::ACCOUNT:role/NAME. It is what the AccessDeniedException
	// messages name, what aws:PrincipalArn holds and what the Principal
	// element of a resource policy is matched against.
	ARN string
	// Policies are the principal's identity-based policies, parsed with
	// policy.Parse(doc, policy.Identity). None means that only resource
	// policies can allow the principal anything.
	Policies []*policy.Policy
}

// secretWildcardSuffix stands for the random suffix of an ARN that is not
// known: the ARN CreateSecret authorizes on and the ARN of a SecretId naming
// no secret end with it, so that a policy's "secret:prod/*" or
// "secret:prod/db-??????" matches them.
const secretWildcardSuffix = "-??????"

// Condition keys, lower case, as policy.Evaluate finds them fastest.
const (
	ctxPrincipalARN      = "aws:principalarn"
	ctxCurrentTime       = "aws:currenttime"
	ctxSecureTransport   = "aws:securetransport"
	ctxTagKeys           = "aws:tagkeys"
	ctxRequestTag        = "aws:requesttag/"
	ctxResourceTag       = "aws:resourcetag/"
	ctxSMResourceTag     = "secretsmanager:resourcetag/"
	ctxName              = "secretsmanager:name"
	ctxSecretID          = "secretsmanager:secretid"
	ctxVersionStage      = "secretsmanager:versionstage"
	ctxVersionID         = "secretsmanager:versionid"
	ctxRotationLambdaARN = "secretsmanager:rotationlambdaarn"
	ctxRecoveryWindow    = "secretsmanager:recoverywindowindays"
)

// maxCachedPolicies bounds the cache of parsed resource policies; when it is
// full it starts over.
const maxCachedPolicies = 4096

// policyCache keeps resource policies parsed, keyed by their document text,
// so a secret's policy is parsed once, not on every call.
type policyCache struct {
	mu sync.RWMutex
	m  map[string]cachedPolicy
}

type cachedPolicy struct {
	p   *policy.Policy
	err error
}

// parse returns the parsed resource policy doc, nil for "".
func (c *policyCache) parse(doc string) (*policy.Policy, error) {
	if doc == "" {
		return nil, nil
	}
	c.mu.RLock()
	e, ok := c.m[doc]
	c.mu.RUnlock()
	if ok {
		return e.p, e.err
	}
	p, err := policy.Parse(doc, policy.Resource)
	c.mu.Lock()
	if len(c.m) >= maxCachedPolicies {
		clear(c.m)
	}
	c.m[doc] = cachedPolicy{p, err}
	c.mu.Unlock()
	return p, err
}

// call is the authorization of one request: who signed it and the
// request-wide condition keys.
type call struct {
	op        string
	principal Principal
	// known is false when the signing key has no Principal: then every
	// request is refused.
	known  bool
	now    time.Time
	secure bool
	cache  *policyCache
}

type callKey struct{}

// callFrom returns the authorization of the request ctx belongs to, nil when
// authorization is off.
func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// target is the secret a request names, as authorization sees it.
type target struct {
	arn      string
	name     string
	secret   *rotor.Secret // nil when no such secret exists
	resource *policy.Policy
}

// namedARN is the ARN a name would have, with the unknown suffix as
// secretWildcardSuffix.
func namedARN(s *rotor.Service, name string) string {
	return "arn:aws:secretsmanager:" + s.Region() + ":" + s.AccountID() + ":secret:" + name + secretWildcardSuffix
}

// resolve finds the secret a SecretId names the way the service does (a
// name, a full ARN, or a partial ARN without the suffix) and parses its
// resource policy. A SecretId naming no secret yields the ARN it names: the
// id itself when it is an ARN, else namedARN.
func (c *call) resolve(ctx context.Context, s *rotor.Service, id string) (target, error) {
	sec, err := c.find(ctx, s, id)
	if err != nil {
		return target{}, err
	}
	if sec == nil {
		t := target{arn: id, name: id}
		if !strings.HasPrefix(id, "arn:") {
			t.arn = namedARN(s, id)
		} else if _, name, ok := strings.Cut(id, ":secret:"); ok {
			t.name = name
		}
		return t, nil
	}
	rp, err := c.cache.parse(sec.ResourcePolicy)
	if err != nil {
		// A stored policy that does not parse was not saved by
		// PutResourcePolicy; refuse rather than ignore a Deny it may hold.
		return target{}, &rotor.Error{Code: rotor.CodeInternalServiceError, Message: "The secret's resource policy cannot be evaluated.", Err: err}
	}
	return target{arn: sec.ARN, name: sec.Name, secret: sec, resource: rp}, nil
}

// find loads the secret id names, nil when there is none.
func (c *call) find(ctx context.Context, s *rotor.Service, id string) (*rotor.Secret, error) {
	if id == "" {
		return nil, nil
	}
	if !strings.HasPrefix(id, "arn:") {
		return c.load(ctx, s, id)
	}
	parts := strings.SplitN(id, ":", 7)
	if len(parts) != 7 || parts[2] != "secretsmanager" || parts[5] != "secret" ||
		parts[3] != s.Region() || parts[4] != s.AccountID() || parts[6] == "" {
		return nil, nil
	}
	resource := parts[6]
	if i := len(resource) - 7; i > 0 && resource[i] == '-' {
		sec, err := c.load(ctx, s, resource[:i])
		if err != nil || (sec != nil && sec.ARN == id) {
			return sec, err
		}
	}
	return c.load(ctx, s, resource)
}

// load reads a secret by name, nil when it does not exist or its recovery
// window has passed (the service purges it on its next read).
func (c *call) load(ctx context.Context, s *rotor.Service, name string) (*rotor.Secret, error) {
	sec, _, err := s.Store().Load(ctx, s.Region(), name)
	if errors.Is(err, rotor.ErrStoreNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, &rotor.Error{Code: rotor.CodeInternalServiceError, Message: "The store failed; the request did not take effect.", Err: err}
	}
	if sec.Deleted() && !sec.DeletionDate.After(c.now) {
		return nil, nil
	}
	return sec, nil
}

// context returns the request-wide condition keys with room for n more.
func (c *call) context(n int) map[string][]string {
	m := make(map[string][]string, n+3)
	m[ctxPrincipalARN] = []string{c.principal.ARN}
	m[ctxCurrentTime] = []string{c.now.Format(time.RFC3339)}
	m[ctxSecureTransport] = []string{strconv.FormatBool(c.secure)}
	return m
}

// secretContext adds the keys of the secret t to the request-wide ones.
func (c *call) secretContext(t *target, n int) map[string][]string {
	var tags []rotor.Tag
	if t.secret != nil {
		tags = t.secret.Tags
	}
	m := c.context(n + 2 + 2*len(tags))
	m[ctxName] = []string{t.name}
	m[ctxSecretID] = []string{t.arn}
	for _, tag := range tags {
		v := []string{tag.Value}
		k := strings.ToLower(tag.Key)
		m[ctxSMResourceTag+k] = v
		m[ctxResourceTag+k] = v
	}
	return m
}

func requestTags(m map[string][]string, tags []wireTag) {
	keys := make([]string, len(tags))
	for i, tag := range tags {
		keys[i] = tag.Key
		m[ctxRequestTag+strings.ToLower(tag.Key)] = []string{tag.Value}
	}
	m[ctxTagKeys] = keys
}

// check evaluates one action on one resource and returns the
// AccessDeniedException of a refusal.
func (c *call) check(action, resource string, rp *policy.Policy, m map[string][]string) error {
	req := policy.Request{Principal: c.principal.ARN, Action: action, Resource: resource, Context: m}
	if !c.known {
		return &rotor.Error{Code: rotor.CodeAccessDenied, Message: "The access key that signed the request has no principal on this server, so it is not authorized to perform: " + action + " on resource: " + resource}
	}
	d := policy.Evaluate(c.principal.Policies, rp, req)
	if d.Allowed {
		return nil
	}
	return &rotor.Error{Code: rotor.CodeAccessDenied, Message: d.Message(req)}
}

// onSecret authorizes secretsmanager:<op> on the secret id names; more adds
// the operation's own condition keys.
func (c *call) onSecret(ctx context.Context, s *rotor.Service, id string, more func(m map[string][]string)) (target, error) {
	t, err := c.resolve(ctx, s, id)
	if err != nil {
		return t, err
	}
	m := c.secretContext(&t, 2)
	if more != nil {
		more(m)
	}
	return t, c.check("secretsmanager:"+c.op, t.arn, t.resource, m)
}

// authorize decides whether the decoded request req may run. It reads the
// store but changes nothing.
func (c *call) authorize(ctx context.Context, s *rotor.Service, req any) error {
	var err error
	switch r := req.(type) {
	case *createSecretRequest:
		arn := namedARN(s, r.Name)
		m := c.context(4 + len(r.Tags))
		m[ctxName] = []string{r.Name}
		m[ctxSecretID] = []string{arn}
		if r.Tags != nil {
			requestTags(m, r.Tags)
		}
		if err := c.check("secretsmanager:CreateSecret", arn, nil, m); err != nil {
			return err
		}
		if len(r.Tags) > 0 {
			// AWS: "If you include tags in the secret, you also need
			// secretsmanager:TagResource."
			return c.check("secretsmanager:TagResource", arn, nil, m)
		}
		return nil
	case *getSecretValueRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m map[string][]string) {
			if r.VersionStage != "" {
				m[ctxVersionStage] = []string{r.VersionStage}
			}
			if r.VersionId != "" {
				m[ctxVersionID] = []string{r.VersionId}
			}
		})
	case *putSecretValueRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m map[string][]string) {
			if len(r.VersionStages) > 0 {
				m[ctxVersionStage] = r.VersionStages
			}
		})
	case *updateSecretVersionStageRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m map[string][]string) {
			if r.VersionStage != "" {
				m[ctxVersionStage] = []string{r.VersionStage}
			}
		})
	case *rotateSecretRequest:
		var t target
		t, err = c.onSecret(ctx, s, r.SecretId, func(m map[string][]string) {
			if r.RotationLambdaARN != "" {
				m[ctxRotationLambdaARN] = []string{r.RotationLambdaARN}
			}
		})
		if err != nil {
			return err
		}
		fn := r.RotationLambdaARN
		if fn == "" && t.secret != nil {
			fn = t.secret.RotationLambdaARN
		}
		if fn != "" {
			// The seed: "you must have secretsmanager:RotateSecret
			// permissions and lambda:InvokeFunction permissions on the
			// function specified in the secret's metadata."
			err = c.check("lambda:InvokeFunction", fn, nil, c.context(0))
		}
	case *deleteSecretRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m map[string][]string) {
			if r.RecoveryWindowInDays != nil {
				m[ctxRecoveryWindow] = []string{strconv.FormatInt(*r.RecoveryWindowInDays, 10)}
			}
		})
	case *tagResourceRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m map[string][]string) { requestTags(m, r.Tags) })
	case *untagResourceRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m map[string][]string) { m[ctxTagKeys] = r.TagKeys })
	case *validateResourcePolicyRequest:
		if r.SecretId == "" {
			return c.check("secretsmanager:"+c.op, "*", nil, c.context(0))
		}
		_, err = c.onSecret(ctx, s, r.SecretId, nil)
	case *updateSecretRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, nil)
	case *secretIDRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, nil)
	case *listSecretVersionIdsRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, nil)
	case *putResourcePolicyRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, nil)
	case *listSecretsRequest, *getRandomPasswordRequest:
		return c.check("secretsmanager:"+c.op, "*", nil, c.context(0))
	case *batchGetSecretValueRequest:
		// AWS: secretsmanager:BatchGetSecretValue, GetSecretValue on each
		// secret (checked by batchGetSecretValue) and, with filters,
		// ListSecrets.
		m := c.context(0)
		if err := c.check("secretsmanager:BatchGetSecretValue", "*", nil, m); err != nil {
			return err
		}
		if r.Filters != nil {
			return c.check("secretsmanager:ListSecrets", "*", nil, m)
		}
		return nil
	default:
		// An operation this switch does not know is refused, never run
		// unchecked.
		return &rotor.Error{Code: rotor.CodeAccessDenied, Message: "rotor cannot authorize secretsmanager:" + c.op + "."}
	}
	return err
}

// readable splits ids into those the caller may read with GetSecretValue and
// the Errors entries of those it may not.
func (c *call) readable(ctx context.Context, s *rotor.Service, ids []string) ([]string, []rotor.BatchError, error) {
	allowed := make([]string, 0, len(ids))
	var denied []rotor.BatchError
	for _, id := range ids {
		t, err := c.resolve(ctx, s, id)
		if err != nil {
			return nil, nil, err
		}
		err = c.check("secretsmanager:GetSecretValue", t.arn, t.resource, c.secretContext(&t, 0))
		var e *rotor.Error
		if errors.As(err, &e) && e.Code == rotor.CodeAccessDenied {
			denied = append(denied, rotor.BatchError{SecretId: id, ErrorCode: e.Code, Message: e.Message})
			continue
		}
		allowed = append(allowed, id)
	}
	return allowed, denied, nil
}
