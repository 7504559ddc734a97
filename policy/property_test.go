package policy_test

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/rotorkit/rotor/policy"
)

// genStatement is a statement drawn from a small vocabulary, so that random
// requests often match it.
type genStatement struct {
	effect       string
	notAction    bool
	actions      []string
	notResource  bool
	resources    []string
	notPrincipal bool
	principal    string // a JSON value, "" in identity policies
	condition    string // a JSON object, "" for none
}

func (s genStatement) json() string {
	var b strings.Builder
	b.WriteString(`{"Effect":"` + s.effect + `"`)
	if s.principal != "" {
		key := "Principal"
		if s.notPrincipal {
			key = "NotPrincipal"
		}
		b.WriteString(`,"` + key + `":` + s.principal)
	}
	key := "Action"
	if s.notAction {
		key = "NotAction"
	}
	b.WriteString(`,"` + key + `":` + quoteAll(s.actions))
	key = "Resource"
	if s.notResource {
		key = "NotResource"
	}
	b.WriteString(`,"` + key + `":` + quoteAll(s.resources))
	if s.condition != "" {
		b.WriteString(`,"Condition":` + s.condition)
	}
	b.WriteString("}")
	return b.String()
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return "[" + strings.Join(q, ",") + "]"
}

var (
	genActions   = []string{"*", "secretsmanager:*", "secretsmanager:Get*", "secretsmanager:GetSecretValue", "secretsmanager:?utSecretValue", "secretsmanager:DescribeSecret", "lambda:InvokeFunction"}
	genResources = []string{"*", prodSecret, devSecret, "arn:aws:secretsmanager:*:123456789012:secret:prod/*", "arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/*", "arn:aws:lambda:*"}
	genPrincips  = []string{`"*"`, `{"AWS":"*"}`, `{"AWS":"` + alice + `"}`, `{"AWS":"` + bob + `"}`, `{"AWS":"` + account + `"}`, `{"AWS":["` + alice + `","` + root + `"]}`, `{"AWS":"` + adminRole + `"}`, `{"Service":"lambda.amazonaws.com"}`}
	genConds     = []string{
		`{"StringEquals":{"secretsmanager:ResourceTag/Env":"prod"}}`,
		`{"StringNotEquals":{"secretsmanager:VersionStage":"AWSPENDING"}}`,
		`{"StringLike":{"secretsmanager:Name":"prod/*"}}`,
		`{"Bool":{"aws:SecureTransport":"true"}}`,
		`{"Bool":{"aws:SecureTransport":"false"}}`,
		`{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`,
		`{"NumericGreaterThan":{"secretsmanager:RecoveryWindowInDays":"7"}}`,
		`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/*"}}`,
		`{"ArnNotEquals":{"aws:PrincipalArn":"` + bob + `"}}`,
		`{"Null":{"aws:TagKeys":"true"}}`,
		`{"ForAnyValue:StringEquals":{"aws:TagKeys":["Env","Team"]}}`,
		`{"ForAllValues:StringLike":{"aws:TagKeys":"E*"}}`,
		`{"StringEqualsIfExists":{"aws:RequestTag/Env":"dev"}}`,
	}
	genCallers  = []string{alice, bob, root, adminSess, "lambda.amazonaws.com"}
	genRequests = []string{getValue, putValue, "secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret", "lambda:InvokeFunction"}
	genTargets  = []string{prodSecret, devSecret, euSecret, rotateFn, "*"}
	genContext  = map[string][]string{
		"secretsmanager:ResourceTag/Env":       {"prod"},
		"secretsmanager:VersionStage":          {"AWSPENDING"},
		"secretsmanager:Name":                  {"prod/db"},
		"aws:SecureTransport":                  {"true"},
		"aws:CurrentTime":                      {"2026-11-25T19:00:00Z"},
		"secretsmanager:RecoveryWindowInDays":  {"10"},
		"aws:TagKeys":                          {"Env", "Owner"},
		"aws:RequestTag/Env":                   {"prod"},
		"secretsmanager:RotationLambdaARN":     {rotateFn},
		"secretsmanager:ResourceTag/Unrelated": {"x"},
	}
)

func drawStatement(t *rapid.T, label string, inResource bool, effect string) genStatement {
	if effect == "" {
		effect = rapid.SampledFrom([]string{"Allow", "Deny"}).Draw(t, label+".effect")
	}
	s := genStatement{
		effect:      effect,
		notAction:   rapid.Float64Range(0, 1).Draw(t, label+".notAction") < 0.2,
		actions:     rapid.SliceOfNDistinct(rapid.SampledFrom(genActions), 1, 3, rapid.ID[string]).Draw(t, label+".actions"),
		notResource: rapid.Float64Range(0, 1).Draw(t, label+".notResource") < 0.2,
		resources:   rapid.SliceOfNDistinct(rapid.SampledFrom(genResources), 1, 2, rapid.ID[string]).Draw(t, label+".resources"),
	}
	if inResource {
		s.principal = rapid.SampledFrom(genPrincips).Draw(t, label+".principal")
		s.notPrincipal = rapid.Float64Range(0, 1).Draw(t, label+".notPrincipal") < 0.15
	}
	if rapid.Bool().Draw(t, label+".conditioned") {
		s.condition = rapid.SampledFrom(genConds).Draw(t, label+".condition")
	}
	return s
}

// world is a set of identity policies and an optional resource policy, as
// statements, so a property can change them and parse again.
type world struct {
	identity [][]genStatement
	resource []genStatement
}

func drawWorld(t *rapid.T) world {
	var w world
	for i, n := 0, rapid.IntRange(0, 3).Draw(t, "identities"); i < n; i++ {
		var stmts []genStatement
		for j, m := 0, rapid.IntRange(1, 4).Draw(t, "statements"); j < m; j++ {
			stmts = append(stmts, drawStatement(t, "id", false, ""))
		}
		w.identity = append(w.identity, stmts)
	}
	for j, m := 0, rapid.IntRange(0, 4).Draw(t, "resourceStatements"); j < m; j++ {
		w.resource = append(w.resource, drawStatement(t, "res", true, ""))
	}
	return w
}

func render(stmts []genStatement) string {
	parts := make([]string, len(stmts))
	for i, s := range stmts {
		parts[i] = s.json()
	}
	return doc(parts...)
}

func (w world) evaluate(t *rapid.T, req policy.Request) policy.Decision {
	var ids []*policy.Policy
	for _, stmts := range w.identity {
		if len(stmts) == 0 {
			continue
		}
		p, err := policy.Parse(render(stmts), policy.Identity)
		if err != nil {
			t.Fatalf("generated identity policy refused: %v\n%s", err, render(stmts))
		}
		ids = append(ids, p)
	}
	var res *policy.Policy
	if len(w.resource) > 0 {
		var err error
		if res, err = policy.Parse(render(w.resource), policy.Resource); err != nil {
			t.Fatalf("generated resource policy refused: %v\n%s", err, render(w.resource))
		}
	}
	return policy.Evaluate(ids, res, req)
}

func drawRequest(t *rapid.T) policy.Request {
	req := policy.Request{
		Principal: rapid.SampledFrom(genCallers).Draw(t, "caller"),
		Action:    rapid.SampledFrom(genRequests).Draw(t, "action"),
		Resource:  rapid.SampledFrom(genTargets).Draw(t, "resource"),
		Context:   map[string][]string{},
	}
	for _, k := range sortedContextKeys() {
		if rapid.Bool().Draw(t, "ctx."+k) {
			req.Context[k] = genContext[k]
		}
	}
	return req
}

// sortedContextKeys gives the context keys in a fixed order, which keeps
// rapid's draws reproducible.
func sortedContextKeys() []string {
	return slices.Sorted(maps.Keys(genContext))
}

func (w world) clone() world {
	c := world{resource: append([]genStatement(nil), w.resource...)}
	for _, stmts := range w.identity {
		c.identity = append(c.identity, append([]genStatement(nil), stmts...))
	}
	return c
}

// An explicit deny overrides any allow, so adding a Deny statement anywhere
// can only keep a denied request denied.
func TestPropertyAddingDenyNeverAllows(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		req := drawRequest(t)
		before := w.evaluate(t, req)

		after := w.clone()
		if len(after.identity) > 0 && rapid.Bool().Draw(t, "denyInIdentity") {
			i := rapid.IntRange(0, len(after.identity)-1).Draw(t, "which")
			at := rapid.IntRange(0, len(after.identity[i])).Draw(t, "at")
			after.identity[i] = append(after.identity[i][:at:at], append([]genStatement{drawStatement(t, "deny", false, "Deny")}, after.identity[i][at:]...)...)
		} else {
			at := rapid.IntRange(0, len(after.resource)).Draw(t, "at")
			after.resource = append(after.resource[:at:at], append([]genStatement{drawStatement(t, "deny", true, "Deny")}, after.resource[at:]...)...)
		}
		got := after.evaluate(t, req)
		if !before.Allowed && got.Allowed {
			t.Fatalf("adding a Deny allowed a denied request: before %+v, after %+v", before, got)
		}
		if !before.Allowed && before.Reason != policy.ImplicitDeny && got.Reason == policy.ImplicitDeny {
			t.Fatalf("adding a Deny turned an explicit deny implicit: before %+v, after %+v", before, got)
		}
	})
}

// Without an Allow nothing grants access: requests are denied by default.
func TestPropertyRemovingEveryAllowNeverAllows(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		req := drawRequest(t)
		var denies world
		for _, stmts := range w.identity {
			denies.identity = append(denies.identity, onlyDenies(stmts))
		}
		denies.resource = onlyDenies(w.resource)
		if d := denies.evaluate(t, req); d.Allowed {
			t.Fatalf("allowed with no Allow statement: %+v", d)
		}
	})
}

// The order of identity policies does not change whether a request is
// allowed: every applicable policy is evaluated.
func TestPropertyIdentityPolicyOrderDoesNotMatter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		req := drawRequest(t)
		before := w.evaluate(t, req)
		r := w.clone()
		for i, j := 0, len(r.identity)-1; i < j; i, j = i+1, j-1 {
			r.identity[i], r.identity[j] = r.identity[j], r.identity[i]
		}
		after := r.evaluate(t, req)
		if before.Allowed != after.Allowed || (before.Reason == policy.ImplicitDeny) != (after.Reason == policy.ImplicitDeny) {
			t.Fatalf("reordering identity policies changed the decision: %+v then %+v", before, after)
		}
	})
}

func onlyDenies(stmts []genStatement) []genStatement {
	var out []genStatement
	for _, s := range stmts {
		if s.effect == "Deny" {
			out = append(out, s)
		}
	}
	return out
}
