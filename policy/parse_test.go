package policy_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/policy"
)

const allowGet = `{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}`

func TestParseAccepts(t *testing.T) {
	cases := []struct {
		name    string
		kind    policy.Kind
		text    string
		version string
		len     int
	}{
		{"a Statement may be a single object rather than a list", policy.Identity,
			`{"Version":"2012-10-17","Statement":` + allowGet + `}`, "2012-10-17", 1},
		{"the older 2008-10-17 version is accepted", policy.Identity,
			`{"Version":"2008-10-17","Statement":[` + allowGet + `]}`, "2008-10-17", 1},
		{"a document without Version is read as 2008-10-17, as IAM does", policy.Identity,
			`{"Statement":[` + allowGet + `,` + allowGet + `]}`, "2008-10-17", 2},
		{"Id and Sid are accepted", policy.Identity,
			`{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"A","Effect":"Allow","Action":["secretsmanager:Get*"],"Resource":["*"]}]}`, "2012-10-17", 1},
		{"a resource policy names principals by account id, root, user, role, session and service", policy.Resource,
			doc(`{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:root","` + alice + `","` + adminRole + `","` + adminSess + `"],"Service":"lambda.amazonaws.com"},"Action":"*","Resource":"*"}`), "2012-10-17", 1},
		{"condition values may be booleans, numbers and lists", policy.Identity,
			doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":[7,30]}}}`), "2012-10-17", 1},
		{"in a 2008-10-17 policy ${ is plain text, as IAM reads it", policy.Identity,
			`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:*:*:secret:${x}"}}`, "2008-10-17", 1},
		{"every supported key is known", policy.Identity,
			doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{
				"aws:PrincipalArn":"*","aws:CurrentTime":"*","aws:SecureTransport":"*","aws:TagKeys":"*",
				"aws:ResourceTag/a":"*","aws:RequestTag/b":"*","secretsmanager:ResourceTag/c":"*",
				"secretsmanager:Name":"*","secretsmanager:SecretId":"*","secretsmanager:VersionStage":"*",
				"secretsmanager:VersionId":"*","secretsmanager:RotationLambdaARN":"*","secretsmanager:RecoveryWindowInDays":"*"}}}`), "2012-10-17", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.text, tc.kind)
			assert.Equal(t, tc.version, p.Version())
			assert.Equal(t, tc.len, p.Len())
			assert.Equal(t, tc.kind, p.Kind())
		})
	}
}

// malformed are documents IAM refuses, each with words its message must hold.
var malformed = []struct {
	name string
	kind policy.Kind
	text string
	want string
}{
	{"an empty document is refused", policy.Identity, ``, "empty"},
	{"text that is not JSON is refused", policy.Identity, `{"Version":`, "not valid JSON"},
	{"a second JSON value after the document is refused", policy.Identity, `{"Statement":` + allowGet + `} {}`, "not valid JSON"},
	{"a document that is not an object is refused", policy.Identity, `[` + allowGet + `]`, "must be the policy document"},
	{"a key repeated in one object is refused as ambiguous", policy.Identity, `{"Statement":{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}}`, `"Effect" appears twice`},
	{"an unknown top-level element is refused", policy.Identity, `{"Statement":` + allowGet + `,"Statements":[]}`, `unknown element "Statements"`},
	{"element names are case-sensitive", policy.Identity, `{"statement":` + allowGet + `}`, `unknown element "statement"`},
	{"an unknown Version is refused", policy.Identity, `{"Version":"2012-10-18","Statement":` + allowGet + `}`, "Version"},
	{"a Version that is not a string is refused", policy.Identity, `{"Version":2012,"Statement":` + allowGet + `}`, "Version: must be a string"},
	{"a document without Statement is refused", policy.Identity, `{"Version":"2012-10-17"}`, "no Statement"},
	{"an empty list of statements is refused", policy.Identity, `{"Statement":[]}`, "empty"},
	{"a statement that is not an object is refused", policy.Identity, `{"Statement":["Allow"]}`, "Statement[0]: must be a statement"},
	{"a statement without Effect is refused", policy.Identity, doc(`{"Action":"*","Resource":"*"}`), "no Effect"},
	{"an Effect other than Allow or Deny is refused", policy.Identity, doc(`{"Effect":"allow","Action":"*","Resource":"*"}`), `"allow" is not an effect`},
	{"an unknown statement element is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Conditions":{}}`), `unknown element "Conditions"`},
	{"a statement without Action or NotAction is refused", policy.Identity, doc(`{"Effect":"Allow","Resource":"*"}`), "no Action"},
	{"a statement with both Action and NotAction is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}`), "both Action and NotAction"},
	{"an Action that is not a string or list of strings is refused", policy.Identity, doc(`{"Effect":"Allow","Action":7,"Resource":"*"}`), "Action: must be a string or a list of strings"},
	{"an empty list of actions is refused", policy.Identity, doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "Action: the list is empty"},
	{"an action without a service prefix is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"GetSecretValue","Resource":"*"}`), "is not an action"},
	{"a wildcard in the service prefix is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"secrets*:Get*","Resource":"*"}`), "service prefix"},
	{"a statement without Resource or NotResource is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*"}`), "no Resource"},
	{"a statement with both Resource and NotResource is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}`), "both Resource and NotResource"},
	{"a Resource that is not an ARN is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"prod/db"}`), `"prod/db" is neither an ARN`},
	{"an empty string in a list is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":["*",""]}`), "empty string"},
	{"a repeated Sid is refused", policy.Identity, doc(`{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}`, `{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}`), "Sid of an earlier statement"},
	{"a Sid that is not a string is refused", policy.Identity, doc(`{"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"}`), "Sid: must be a string"},
	{"a Principal in an identity-based policy is refused", policy.Identity, doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), "identity-based policy cannot name a principal"},
	{"a NotPrincipal in an identity-based policy is refused", policy.Identity, doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"*","Resource":"*"}`), "identity-based policy cannot name a principal"},
	{"a resource-based statement without Principal is refused", policy.Resource, doc(allowGet), "no Principal"},
	{"a statement with both Principal and NotPrincipal is refused", policy.Resource, doc(`{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*","Resource":"*"}`), "both Principal and NotPrincipal"},
	{"a Principal given as a string other than * is refused", policy.Resource, doc(`{"Effect":"Allow","Principal":"` + alice + `","Action":"*","Resource":"*"}`), "must be \"*\""},
	{"a principal type other than AWS or Service is refused", policy.Resource, doc(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"*","Resource":"*"}`), `principal type "Federated"`},
	{"an empty Principal object is refused", policy.Resource, doc(`{"Effect":"Allow","Principal":{},"Action":"*","Resource":"*"}`), "names no principal"},
	{"a wildcard in part of a principal is refused", policy.Resource, doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"*","Resource":"*"}`), "wildcards cannot stand for part of a principal"},
	{"an AWS principal that is no account or IAM ARN is refused", policy.Resource, doc(`{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"*","Resource":"*"}`), `"alice" is neither an account id`},
	{"a principal ARN of another service is refused", policy.Resource, doc(`{"Effect":"Allow","Principal":{"AWS":"` + prodSecret + `"},"Action":"*","Resource":"*"}`), "is neither an account id"},
	{"a malformed service principal is refused", policy.Resource, doc(`{"Effect":"Allow","Principal":{"Service":"*"},"Action":"*","Resource":"*"}`), "is not a service principal"},
	{"a Condition that is not an object is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":[]}`), "Condition: must be an object of operators"},
	{"an unknown condition operator is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"aws:TagKeys":"a"}}}`), `unknown condition operator "StringEqual"`},
	{"operators IAM has but rotor does not evaluate are refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`), `unknown condition operator "IpAddress"`},
	{"an unknown set qualifier is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"a"}}}`), "unknown condition operator"},
	{"Null with IfExists is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:TagKeys":"true"}}}`), "Null operator takes neither"},
	{"an unknown condition key is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}`), `unknown condition key "aws:SourceVpce"`},
	{"a tag key prefix without a tag key is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/":"x"}}}`), "unknown condition key"},
	{"an operator that is not an object of keys is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"x"}}`), "must be an object of condition keys"},
	{"an operator with no key is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}}`), "names no condition key"},
	{"a condition value that is an object is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":{"a":1}}}}`), "must be a string, a boolean, a number"},
	{"a null condition value is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":null}}}`), "must be a string, a boolean, a number"},
	{"an empty list of condition values is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":[]}}}`), "list of values is empty"},
	{"a date that cannot be read is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"next tuesday"}}}`), "is not a date"},
	{"a number that cannot be read is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":"seven"}}}`), "is not a number"},
	{"NaN is not a number", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"secretsmanager:RecoveryWindowInDays":"NaN"}}}`), "is not a number"},
	{"a Bool value other than true or false is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}`), "is not true or false"},
	{"a Null value other than true or false is refused", policy.Identity, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:TagKeys":"1"}}}`), "is not true or false"},
	{"a policy variable in a Resource is refused rather than read literally", policy.Identity, doc(`{"Effect":"Deny","Action":"*","Resource":"arn:aws:secretsmanager:*:*:secret:${aws:username}/*"}`), "policy variable"},
	{"a policy variable in a condition value is refused rather than read literally", policy.Identity, doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"secretsmanager:ResourceTag/Owner":"${aws:username}"}}}`), "policy variable"},
	{"an unknown kind is refused", policy.Kind(9), doc(allowGet), "unknown policy kind"},
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			p, err := policy.Parse(tc.text, tc.kind)
			require.Error(t, err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), tc.want)
			var perr *policy.Error
			assert.True(t, errors.As(err, &perr), "the error is a *policy.Error")
		})
	}
}

func TestErrorNamesWhere(t *testing.T) {
	_, err := policy.Parse(doc(allowGet, `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:Nope":"x"}}}`), policy.Identity)
	var perr *policy.Error
	require.True(t, errors.As(err, &perr))
	assert.Equal(t, "Statement[1].Condition.StringLike", perr.Path)
	assert.Equal(t, `Statement[1].Condition.StringLike: unknown condition key "aws:Nope"`, err.Error())
}

func TestConditionKeysListsWhatThePolicyTests(t *testing.T) {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/Team":"core","aws:PrincipalArn":"x"}}},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"},"StringLike":{"secretsmanager:resourcetag/team":"c*"}}},
		{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	got := p.ConditionKeys()
	slices.Sort(got)
	want := []string{"aws:principalarn", "aws:securetransport", "secretsmanager:resourcetag/team"}
	if !slices.Equal(got, want) {
		t.Fatalf("ConditionKeys() = %q, want %q", got, want)
	}
	none, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	if keys := none.ConditionKeys(); keys != nil {
		t.Fatalf("ConditionKeys() = %q, want none", keys)
	}
}
