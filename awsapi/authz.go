package awsapi

import (
	"context"
	"errors"
	"slices"
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

// keySet says which condition keys the policies of a decision test, so that
// a request's context holds only those: a decision by policies without
// conditions builds none.
type keySet uint16

const (
	needPrincipalARN keySet = 1 << iota
	needCurrentTime
	needSecureTransport
	needTagKeys
	needRequestTag
	needResourceTag
	needName
	needSecretID
	needVersionStage
	needVersionID
	needRotationLambdaARN
	needRecoveryWindow
)

// needs are the condition keys some policies test: the families in set, and
// the resource-tag keys by name, so that only the tags tested are looked up.
type needs struct {
	set          keySet
	resourceTags []string // lower case, with their prefix
}

// add adds the keys p's conditions test; nil has none.
func (n *needs) add(p *policy.Policy) {
	if p == nil {
		return
	}
	for _, k := range p.ConditionKeys() {
		switch {
		case k == ctxPrincipalARN:
			n.set |= needPrincipalARN
		case k == ctxCurrentTime:
			n.set |= needCurrentTime
		case k == ctxSecureTransport:
			n.set |= needSecureTransport
		case k == ctxTagKeys:
			n.set |= needTagKeys
		case strings.HasPrefix(k, ctxRequestTag):
			n.set |= needRequestTag
		case strings.HasPrefix(k, ctxResourceTag), strings.HasPrefix(k, ctxSMResourceTag):
			n.set |= needResourceTag
			if !slices.Contains(n.resourceTags, k) {
				n.resourceTags = append(n.resourceTags, k)
			}
		case k == ctxName:
			n.set |= needName
		case k == ctxSecretID:
			n.set |= needSecretID
		case k == ctxVersionStage:
			n.set |= needVersionStage
		case k == ctxVersionID:
			n.set |= needVersionID
		case k == ctxRotationLambdaARN:
			n.set |= needRotationLambdaARN
		case k == ctxRecoveryWindow:
			n.set |= needRecoveryWindow
		default:
			// A key this handler does not fill is absent from every request.
		}
	}
}

// identity is a configured principal with the keys its policies test.
type identity struct {
	Principal
	keys needs
}

func newIdentity(p Principal) identity {
	id := identity{Principal: p}
	for _, pol := range p.Policies {
		id.keys.add(pol)
	}
	return id
}

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
	p    *policy.Policy
	keys needs
	err  error
}

// parse returns the parsed resource policy doc, nil for "".
func (c *policyCache) parse(doc string) (cachedPolicy, error) {
	if doc == "" {
		return cachedPolicy{}, nil
	}
	c.mu.RLock()
	e, ok := c.m[doc]
	c.mu.RUnlock()
	if ok {
		return e, e.err
	}
	p, err := policy.Parse(doc, policy.Resource)
	e = cachedPolicy{p: p, err: err}
	e.keys.add(p)
	c.mu.Lock()
	if len(c.m) >= maxCachedPolicies {
		clear(c.m)
	}
	c.m[doc] = e
	c.mu.Unlock()
	return e, err
}

// call is the authorization of one request: who signed it and the
// request-wide condition keys.
type call struct {
	op        string
	principal identity
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
	arn  string
	name string
	// shown is what a refusal names: the SecretId as the caller sent it,
	// never the ARN found for it, whose random suffix would tell a caller
	// without rights that the secret exists.
	shown    string
	secret   *rotor.Secret // nil when no such secret exists
	resource cachedPolicy
}

// namedARN is the ARN a name would have, with the unknown suffix as
// secretWildcardSuffix.
func namedARN(s *rotor.Service, name string) string {
	return "arn:" + s.Partition() + ":secretsmanager:" + s.Region() + ":" + s.AccountID() + ":secret:" + name + secretWildcardSuffix
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
		t := target{arn: id, name: id, shown: id}
		if !strings.HasPrefix(id, "arn:") {
			t.arn = namedARN(s, id)
		} else if _, name, ok := strings.Cut(id, ":secret:"); ok {
			t.name = name
		}
		if id == "" {
			t.shown = t.arn
		}
		return t, nil
	}
	rp, err := c.cache.parse(sec.ResourcePolicy)
	if err != nil {
		// A stored policy that does not parse was not saved by
		// PutResourcePolicy; refuse rather than ignore a Deny it may hold.
		return target{}, &rotor.Error{Code: rotor.CodeInternalServiceError, Message: "The secret's resource policy cannot be evaluated.", Err: err}
	}
	return target{arn: sec.ARN, name: sec.Name, shown: id, secret: sec, resource: rp}, nil
}

// find loads the secret id names, nil when there is none (or when id is not
// a valid SecretId, which the operation itself then refuses).
func (c *call) find(ctx context.Context, s *rotor.Service, id string) (*rotor.Secret, error) {
	if id == "" {
		return nil, nil
	}
	sec, err := s.Lookup(ctx, id)
	if errors.Is(err, rotor.ErrResourceNotFound) || errors.Is(err, rotor.ErrValidation) {
		return nil, nil
	}
	return sec, err
}

// put sets a key of a request context, making the map on first use, so a
// request whose policies test nothing builds none.
func put(m *map[string][]string, key string, values ...string) {
	if *m == nil {
		*m = make(map[string][]string, 8)
	}
	(*m)[key] = values
}

// context returns the request-wide condition keys of need.
func (c *call) context(need keySet) map[string][]string {
	var m map[string][]string
	if need&needPrincipalARN != 0 {
		put(&m, ctxPrincipalARN, c.principal.ARN)
	}
	if need&needCurrentTime != 0 {
		put(&m, ctxCurrentTime, c.now.Format(time.RFC3339))
	}
	if need&needSecureTransport != 0 {
		put(&m, ctxSecureTransport, strconv.FormatBool(c.secure))
	}
	return m
}

// secretContext returns the keys that the policies of a and b test for the
// secret t.
func (c *call) secretContext(t *target, a, b *needs) map[string][]string {
	need := a.set | b.set
	m := c.context(need)
	if need&needName != 0 {
		put(&m, ctxName, t.name)
	}
	if need&needSecretID != 0 {
		put(&m, ctxSecretID, t.arn)
	}
	if t.secret != nil && need&needResourceTag != 0 {
		for _, keys := range [2][]string{a.resourceTags, b.resourceTags} {
			for _, k := range keys {
				name := k[strings.IndexByte(k, '/')+1:]
				for _, tag := range t.secret.Tags {
					if strings.EqualFold(tag.Key, name) {
						put(&m, k, tag.Value)
						break
					}
				}
			}
		}
	}
	return m
}

// requestTags puts the keys of the tags a request carries.
func requestTags(m *map[string][]string, tags []wireTag) {
	keys := make([]string, len(tags))
	for i, tag := range tags {
		keys[i] = tag.Key
		put(m, ctxRequestTag+strings.ToLower(tag.Key), tag.Value)
	}
	put(m, ctxTagKeys, keys...)
}

// check evaluates one action on one resource and returns the
// AccessDeniedException of a refusal. The refusal names the resource as
// shown, which for a secret is the SecretId as the caller sent it, as AWS
// names it: the ARN the decision was made on may carry a random suffix that
// the caller could not know, and would tell it that the secret exists.
func (c *call) check(action, resource, shown string, rp *policy.Policy, m map[string][]string) error {
	if !c.known {
		return &rotor.Error{Code: rotor.CodeAccessDenied, Message: "The access key that signed the request has no principal on this server, so it is not authorized to perform: " + action + " on resource: " + shown}
	}
	req := policy.Request{Principal: c.principal.ARN, Action: action, Resource: resource, Context: m}
	d := policy.Evaluate(c.principal.Policies, rp, req)
	if d.Allowed {
		return nil
	}
	req.Resource = shown
	return &rotor.Error{Code: rotor.CodeAccessDenied, Message: d.Message(req)}
}

// onSecret authorizes secretsmanager:<op> on the secret id names; more adds
// the operation's own condition keys.
func (c *call) onSecret(ctx context.Context, s *rotor.Service, id string, more func(m *map[string][]string)) (target, error) {
	t, err := c.resolve(ctx, s, id)
	if err != nil {
		return t, err
	}
	m := c.secretContext(&t, &c.principal.keys, &t.resource.keys)
	if more != nil && (c.principal.keys.set|t.resource.keys.set) != 0 {
		more(&m)
	}
	return t, c.check("secretsmanager:"+c.op, t.arn, t.shown, t.resource.p, m)
}

// authorize decides whether the decoded request req may run. It reads the
// store but changes nothing.
func (c *call) authorize(ctx context.Context, s *rotor.Service, req any) error {
	var err error
	switch r := req.(type) {
	case *createSecretRequest:
		arn := namedARN(s, r.Name)
		m := c.secretContext(&target{arn: arn, name: r.Name}, &c.principal.keys, &needs{})
		if r.Tags != nil && c.principal.keys.set != 0 {
			requestTags(&m, r.Tags)
		}
		if err := c.check("secretsmanager:CreateSecret", arn, arn, nil, m); err != nil {
			return err
		}
		if len(r.Tags) > 0 {
			// AWS: "If you include tags in the secret, you also need
			// secretsmanager:TagResource."
			if err := c.check("secretsmanager:TagResource", arn, arn, nil, m); err != nil {
				return err
			}
		}
		if len(r.AddReplicaRegions) > 0 {
			// AWS: "To add replica Regions, you must also have
			// secretsmanager:ReplicateSecretToRegions."
			if err := c.check("secretsmanager:ReplicateSecretToRegions", arn, arn, nil, m); err != nil {
				return err
			}
			return c.mayCreateReplicas(s, r.Name, r.AddReplicaRegions)
		}
		return nil
	case *replicateSecretToRegionsRequest:
		var t target
		if t, err = c.onSecret(ctx, s, r.SecretId, nil); err != nil {
			return err
		}
		return c.mayCreateReplicas(s, t.name, r.AddReplicaRegions)
	case *removeRegionsFromReplicationRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, nil)
	case *getSecretValueRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m *map[string][]string) {
			if r.VersionStage != "" {
				put(m, ctxVersionStage, r.VersionStage)
			}
			if r.VersionId != "" {
				put(m, ctxVersionID, r.VersionId)
			}
		})
	case *putSecretValueRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m *map[string][]string) {
			if len(r.VersionStages) > 0 {
				put(m, ctxVersionStage, r.VersionStages...)
			}
		})
	case *updateSecretVersionStageRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m *map[string][]string) {
			if r.VersionStage != "" {
				put(m, ctxVersionStage, r.VersionStage)
			}
		})
	case *rotateSecretRequest:
		var t target
		t, err = c.onSecret(ctx, s, r.SecretId, func(m *map[string][]string) {
			if r.RotationLambdaARN != "" {
				put(m, ctxRotationLambdaARN, r.RotationLambdaARN)
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
			err = c.check("lambda:InvokeFunction", fn, fn, nil, c.context(c.principal.keys.set))
		}
	case *deleteSecretRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m *map[string][]string) {
			if r.RecoveryWindowInDays != nil {
				put(m, ctxRecoveryWindow, strconv.FormatInt(*r.RecoveryWindowInDays, 10))
			}
		})
	case *tagResourceRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m *map[string][]string) { requestTags(m, r.Tags) })
	case *untagResourceRequest:
		_, err = c.onSecret(ctx, s, r.SecretId, func(m *map[string][]string) { put(m, ctxTagKeys, r.TagKeys...) })
	case *validateResourcePolicyRequest:
		if r.SecretId == "" {
			return c.check("secretsmanager:"+c.op, "*", "*", nil, c.context(c.principal.keys.set))
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
		return c.check("secretsmanager:"+c.op, "*", "*", nil, c.context(c.principal.keys.set))
	case *batchGetSecretValueRequest:
		// AWS: secretsmanager:BatchGetSecretValue, GetSecretValue on each
		// secret (checked by batchGetSecretValue) and, with filters,
		// ListSecrets.
		m := c.context(c.principal.keys.set)
		if err := c.check("secretsmanager:BatchGetSecretValue", "*", "*", nil, m); err != nil {
			return err
		}
		if r.Filters != nil {
			return c.check("secretsmanager:ListSecrets", "*", "*", nil, m)
		}
		return nil
	default:
		// An operation this switch does not know is refused, never run
		// unchecked.
		return &rotor.Error{Code: rotor.CodeAccessDenied, Message: "rotor cannot authorize secretsmanager:" + c.op + "."}
	}
	return err
}

// mayCreateReplicas checks that the caller may create the secret name in
// each replica Region: a replica is a secret created there on its behalf,
// authorized on the ARN of the name in that Region.
func (c *call) mayCreateReplicas(s *rotor.Service, name string, regions []wireReplicaRegion) error {
	for _, r := range regions {
		arn := "arn:" + s.Partition() + ":secretsmanager:" + r.Region + ":" + s.AccountID() + ":secret:" + name + secretWildcardSuffix
		m := c.secretContext(&target{arn: arn, name: name}, &c.principal.keys, &needs{})
		if err := c.check("secretsmanager:CreateSecret", arn, arn, nil, m); err != nil {
			return err
		}
	}
	return nil
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
		err = c.check("secretsmanager:GetSecretValue", t.arn, t.shown, t.resource.p, c.secretContext(&t, &c.principal.keys, &t.resource.keys))
		var e *rotor.Error
		if errors.As(err, &e) && e.Code == rotor.CodeAccessDenied {
			denied = append(denied, rotor.BatchError{SecretId: id, ErrorCode: e.Code, Message: e.Message})
			continue
		}
		allowed = append(allowed, id)
	}
	return allowed, denied, nil
}
