package awsapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	iam "github.com/rotorkit/rotor/policy"
)

const (
	account    = "000000000000"
	secretARNs = "arn:aws:secretsmanager:us-east-1:" + account + ":secret:"
	rotationFn = "arn:aws:lambda:us-east-1:" + account + ":function:rotate"

	// readerPolicy reads secrets under prod/ and lists; nothing else.
	readerPolicy = `{"Version":"2012-10-17","Statement":[
		{"Sid":"ReadProd","Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret","secretsmanager:ListSecretVersionIds","secretsmanager:GetResourcePolicy"],"Resource":"` + secretARNs + `prod/*"},
		{"Sid":"List","Effect":"Allow","Action":["secretsmanager:ListSecrets","secretsmanager:BatchGetSecretValue"],"Resource":"*"}]}`
	adminPolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"},
		{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:*:function:*"}]}`
	rotateOnlyPolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["secretsmanager:RotateSecret","secretsmanager:DescribeSecret"],"Resource":"*"}]}`
	rotateAndInvokePolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["secretsmanager:RotateSecret","secretsmanager:DescribeSecret"],"Resource":"*"},
		{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` + rotationFn + `"}]}`
	taggedPolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/team":"core"}}},
		{"Effect":"Allow","Action":"secretsmanager:CreateSecret","Resource":"*"},
		{"Effect":"Allow","Action":"secretsmanager:TagResource","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]},"StringEquals":{"aws:RequestTag/team":"core"}}},
		{"Effect":"Deny","Action":"secretsmanager:PutSecretValue","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
		{"Effect":"Allow","Action":"secretsmanager:PutSecretValue","Resource":"*"}]}`
)

// principals of the authorization tests: name → identity policy ("" none).
var principals = map[string]string{
	"reader":   readerPolicy,
	"admin":    adminPolicy,
	"rotator":  rotateOnlyPolicy,
	"rotator2": rotateAndInvokePolicy,
	"tagged":   taggedPolicy,
	"nobody":   "",
}

func principalARN(name string) string { return "arn:aws:iam::" + account + ":user/" + name }

// authzServer serves a handler with authorization on: one access key per
// principal ("AKID" + name, secret name + "-secret"), plus AKIDSTRAY,
// which signs but has no principal. fns runs the rotation function.
type authzServer struct {
	svc     *rotor.Service
	url     string
	clients map[string]*secretsmanager.Client
}

func newAuthzServer(t *testing.T) *authzServer {
	t.Helper()
	creds := map[string]string{"AKIDSTRAY": "stray-secret"}
	ps := map[string]awsapi.Principal{}
	for name, doc := range principals {
		creds["AKID"+name] = name + "-secret"
		p := awsapi.Principal{ARN: principalARN(name)}
		if doc != "" {
			pol, err := iam.Parse(doc, iam.Identity)
			require.NoError(t, err, name)
			p.Policies = []*iam.Policy{pol}
		}
		ps["AKID"+name] = p
	}
	fns := &rotor.FunctionRegistry{}
	h := awsapi.NewHandler(awsapi.Config{
		Credentials: creds, Principals: ps, Invoker: fns,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	svc, err := h.Service("us-east-1")
	require.NoError(t, err)
	fns.Register(rotationFn, &rotor.TemplateRotator{API: svc})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	s := &authzServer{svc: svc, url: ts.URL, clients: map[string]*secretsmanager.Client{}}
	for key, secret := range creds {
		s.clients[key[len("AKID"):]] = newClient(ts.URL, "us-east-1", credentials.NewStaticCredentialsProvider(key, secret, ""))
	}
	return s
}

// seed creates prod/db (version token1, tag team=core) and dev/app.
func (s *authzServer) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	_, err := s.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: "prod-value", ClientRequestToken: token1,
		Tags: []rotor.Tag{{Key: "team", Value: "core"}}})
	require.NoError(t, err)
	_, err = s.svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "dev/app", SecretString: "dev-value", ClientRequestToken: token2})
	require.NoError(t, err)
}

// revisions returns the stored revision of every secret (0: none).
func (s *authzServer) revisions(t *testing.T, names ...string) map[string]rotor.Revision {
	t.Helper()
	out := map[string]rotor.Revision{}
	for _, n := range names {
		_, rev, err := s.svc.Store().Load(context.Background(), "us-east-1", n)
		if !errors.Is(err, rotor.ErrStoreNotFound) {
			require.NoError(t, err)
		}
		out[n] = rev
	}
	return out
}

func (s *authzServer) arn(t *testing.T, name string) string {
	t.Helper()
	sec, _, err := s.svc.Store().Load(context.Background(), "us-east-1", name)
	require.NoError(t, err)
	return sec.ARN
}

// requireDenied checks that err is the typed AccessDeniedException of
// HTTP 400 and returns its message.
func requireDenied(t *testing.T, err error) string {
	t.Helper()
	require.Error(t, err)
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, "AccessDeniedException", apiErr.ErrorCode(), "%v", err)
	var generic *smithy.GenericAPIError
	require.ErrorAs(t, err, &generic)
	var resp *awshttp.ResponseError
	require.ErrorAs(t, err, &resp)
	assert.Equal(t, http.StatusBadRequest, resp.HTTPStatusCode())
	return apiErr.ErrorMessage()
}

// every operation, as a call on prod/db that the admin may make and the
// reader may make only when readerMay.
var authzOperations = []struct {
	op        string
	readerMay bool
	prepare   func(t *testing.T, svc *rotor.Service)
	call      func(ctx context.Context, c *secretsmanager.Client) error
}{
	{"CreateSecret", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/new"), SecretString: aws.String("v")})
		return err
	}},
	{"PutSecretValue", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("prod/db"), SecretString: aws.String("v2")})
		return err
	}},
	{"GetSecretValue", true, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
		if err == nil && *out.SecretString != "prod-value" {
			return errors.New("wrong value")
		}
		return err
	}},
	{"BatchGetSecretValue", true, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		out, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"prod/db"}})
		if err == nil && (len(out.SecretValues) != 1 || len(out.Errors) != 0) {
			return errors.New("wrong batch")
		}
		return err
	}},
	{"UpdateSecret", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("prod/db"), Description: aws.String("d")})
		return err
	}},
	{"UpdateSecretVersionStage", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("prod/db"),
			VersionStage: aws.String("blue"), MoveToVersionId: aws.String(token1)})
		return err
	}},
	{"RotateSecret", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("prod/db"), RotationLambdaARN: aws.String(rotationFn),
			RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
		return err
	}},
	{"CancelRotateSecret", false, func(t *testing.T, svc *rotor.Service) {
		_, err := svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "prod/db", RotationLambdaARN: rotationFn,
			RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}})
		require.NoError(t, err)
	}, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String("prod/db")})
		return err
	}},
	{"DescribeSecret", true, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/db")})
		return err
	}},
	{"ListSecretVersionIds", true, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("prod/db")})
		return err
	}},
	{"ListSecrets", true, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
		return err
	}},
	{"DeleteSecret", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("prod/db"), RecoveryWindowInDays: aws.Int64(7)})
		return err
	}},
	{"RestoreSecret", false, func(t *testing.T, svc *rotor.Service) {
		_, err := svc.DeleteSecret(context.Background(), rotor.DeleteSecretInput{SecretId: "prod/db"})
		require.NoError(t, err)
	}, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("prod/db")})
		return err
	}},
	{"GetRandomPassword", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
		return err
	}},
	{"TagResource", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("prod/db"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		return err
	}},
	{"UntagResource", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String("prod/db"), TagKeys: []string{"team"}})
		return err
	}},
	{"GetResourcePolicy", true, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("prod/db")})
		return err
	}},
	{"PutResourcePolicy", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("prod/db"), ResourcePolicy: aws.String(policy)})
		return err
	}},
	{"DeleteResourcePolicy", false, func(t *testing.T, svc *rotor.Service) {
		_, err := svc.PutResourcePolicy(context.Background(), rotor.PutResourcePolicyInput{SecretId: "prod/db", ResourcePolicy: policy})
		require.NoError(t, err)
	}, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String("prod/db")})
		return err
	}},
	{"ValidateResourcePolicy", false, nil, func(ctx context.Context, c *secretsmanager.Client) error {
		_, err := c.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{SecretId: aws.String("prod/db"), ResourcePolicy: aws.String(policy)})
		return err
	}},
}

func TestEveryOperationIsAuthorizedForAReaderAndAnAdmin(t *testing.T) {
	ctx := context.Background()
	for _, tc := range authzOperations {
		t.Run(tc.op, func(t *testing.T) {
			s := newAuthzServer(t)
			s.seed(t)
			if tc.prepare != nil {
				tc.prepare(t, s.svc)
			}
			before := s.revisions(t, "prod/db", "dev/app", "prod/new")
			arn := s.arn(t, "prod/db")
			err := tc.call(ctx, s.clients["reader"])
			if tc.readerMay {
				require.NoError(t, err)
			} else {
				msg := requireDenied(t, err)
				assert.Contains(t, msg, "User: "+principalARN("reader")+" is not authorized to perform: secretsmanager:"+tc.op+" on resource: ")
				assert.Contains(t, msg, "because no identity-based policy allows the secretsmanager:"+tc.op+" action")
				assert.NotContains(t, msg, arn, "a refusal does not show the secret's ARN")
				assert.Equal(t, before, s.revisions(t, "prod/db", "dev/app", "prod/new"), "a refusal changes nothing")
			}
			assert.NotContains(t, requireDenied(t, tc.call(ctx, s.clients["STRAY"])), arn)
			assert.NotContains(t, requireDenied(t, tc.call(ctx, s.clients["nobody"])), arn)
			require.NoError(t, tc.call(ctx, s.clients["admin"]))
		})
	}
	require.Len(t, authzOperations, 20, "every operation rotor serves")
}

func TestTheReaderReadsOnlyUnderProd(t *testing.T) {
	ctx := context.Background()
	s := newAuthzServer(t)
	s.seed(t)
	c := s.clients["reader"]
	before := s.revisions(t, "dev/app")

	_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("dev/app")})
	msg := requireDenied(t, err)
	assert.Equal(t, "User: "+principalARN("reader")+" is not authorized to perform: secretsmanager:GetSecretValue on resource: dev/app"+
		" because no identity-based policy allows the secretsmanager:GetSecretValue action", msg)
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(s.arn(t, "dev/app"))})
	requireDenied(t, err)
	assert.Equal(t, before, s.revisions(t, "dev/app"), "a refused read does not even touch LastAccessedDate")

	// A secret that does not exist: denied before it is found, unless a
	// policy allows the ARN it would have.
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("dev/missing")})
	msg = requireDenied(t, err)
	assert.Contains(t, msg, "on resource: dev/missing because")
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/missing")})
	var notFound *types.ResourceNotFoundException
	require.ErrorAs(t, err, &notFound)
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretARNs + "prod/db")})
	require.NoError(t, err, "a partial ARN finds the secret")
}

func TestBatchGetSecretValueReportsADeniedSecretAsAnError(t *testing.T) {
	ctx := context.Background()
	s := newAuthzServer(t)
	s.seed(t)
	before := s.revisions(t, "dev/app")
	out, err := s.clients["reader"].BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"prod/db", "dev/app", "prod/missing"}})
	require.NoError(t, err)
	require.Len(t, out.SecretValues, 1)
	assert.Equal(t, "prod-value", *out.SecretValues[0].SecretString)
	require.Len(t, out.Errors, 2)
	byID := map[string]types.APIErrorType{}
	for _, e := range out.Errors {
		byID[*e.SecretId] = e
	}
	assert.Equal(t, "ResourceNotFoundException", *byID["prod/missing"].ErrorCode)
	denied := byID["dev/app"]
	require.NotNil(t, denied.ErrorCode)
	assert.Equal(t, "AccessDeniedException", *denied.ErrorCode)
	assert.Contains(t, *denied.Message, "secretsmanager:GetSecretValue on resource: dev/app because")
	assert.Equal(t, before, s.revisions(t, "dev/app"), "the denied secret is not read")

	// With filters: every listed secret is checked the same way.
	out, err = s.clients["reader"].BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{
		Filters: []types.Filter{{Key: types.FilterNameStringTypeAll, Values: []string{"a"}}}})
	require.NoError(t, err)
	require.Len(t, out.SecretValues, 0)
	require.Len(t, out.Errors, 1)
	assert.Equal(t, s.arn(t, "dev/app"), *out.Errors[0].SecretId)

	// All denied: no value, one error each.
	out, err = s.clients["nobody"].BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"prod/db"}})
	requireDenied(t, err)
	assert.Nil(t, out)
}

// The seed's sentence: "To run this command, you must have
// secretsmanager:RotateSecret permissions and lambda:InvokeFunction
// permissions on the function specified in the secret's metadata."
func TestRotateSecretNeedsLambdaInvokeFunctionOnTheFunction(t *testing.T) {
	ctx := context.Background()
	s := newAuthzServer(t)
	s.seed(t)
	before := s.revisions(t, "prod/db")

	_, err := s.clients["rotator"].RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("prod/db"), RotationLambdaARN: aws.String(rotationFn)})
	msg := requireDenied(t, err)
	assert.Equal(t, "User: "+principalARN("rotator")+" is not authorized to perform: lambda:InvokeFunction on resource: "+rotationFn+
		" because no identity-based policy allows the lambda:InvokeFunction action", msg)
	assert.Equal(t, before, s.revisions(t, "prod/db"), "nothing saved, no placeholder")
	desc, err := s.clients["rotator"].DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err)
	assert.Nil(t, desc.RotationEnabled)
	assert.Equal(t, map[string][]string{token1: {"AWSCURRENT"}}, desc.VersionIdsToStages)

	rot, err := s.clients["rotator2"].RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("prod/db"), RotationLambdaARN: aws.String(rotationFn)})
	require.NoError(t, err)
	desc, err = s.clients["rotator2"].DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err)
	assert.True(t, *desc.RotationEnabled)
	assert.Equal(t, []string{"AWSCURRENT"}, desc.VersionIdsToStages[*rot.VersionId], "rotated")

	// The stored function needs the permission too.
	before = s.revisions(t, "prod/db")
	_, err = s.clients["rotator"].RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("prod/db")})
	assert.Contains(t, requireDenied(t, err), "lambda:InvokeFunction on resource: "+rotationFn)
	assert.Equal(t, before, s.revisions(t, "prod/db"))
	_, err = s.clients["rotator2"].RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err)
}

func TestAnExplicitDenyInTheResourcePolicyBeatsAnIdentityAllow(t *testing.T) {
	ctx := context.Background()
	s := newAuthzServer(t)
	s.seed(t)
	admin := s.clients["admin"]
	deny := `{"Version":"2012-10-17","Statement":[{"Sid":"NoAdminReads","Effect":"Deny","Principal":{"AWS":"` + principalARN("admin") + `"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	_, err := admin.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("prod/db"), ResourcePolicy: aws.String(deny)})
	require.NoError(t, err)
	_, err = admin.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	assert.Equal(t, "User: "+principalARN("admin")+" is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db"+
		" with an explicit deny in a resource-based policy", requireDenied(t, err))
	_, err = admin.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err, "the deny names one action")
	_, err = s.clients["reader"].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err, "the deny names one principal")
	_, err = admin.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err)
	_, err = admin.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err)
}

func TestAResourcePolicyAloneCanAllow(t *testing.T) {
	ctx := context.Background()
	s := newAuthzServer(t)
	s.seed(t)
	nobody := s.clients["nobody"]
	_, err := nobody.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("dev/app")})
	requireDenied(t, err)
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principalARN("nobody") + `"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	_, err = s.clients["admin"].PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("dev/app"), ResourcePolicy: aws.String(allow)})
	require.NoError(t, err)
	got, err := nobody.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("dev/app")})
	require.NoError(t, err)
	assert.Equal(t, "dev-value", *got.SecretString)
	_, err = nobody.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("dev/app")})
	requireDenied(t, err)
	_, err = nobody.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	requireDenied(t, err)
}

func TestConditionKeysComeFromTheSecretAndTheRequest(t *testing.T) {
	ctx := context.Background()
	s := newAuthzServer(t)
	s.seed(t)
	c := s.clients["tagged"]

	// secretsmanager:ResourceTag/team
	_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err)
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("dev/app")})
	requireDenied(t, err)

	// aws:RequestTag/team and aws:TagKeys: CreateSecret with tags also needs TagResource.
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("t1"), SecretString: aws.String("v"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	require.NoError(t, err)
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("t2"), SecretString: aws.String("v"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("other")}}})
	assert.Contains(t, requireDenied(t, err), "secretsmanager:TagResource on resource: "+secretARNs+"t2-??????")
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("t3"), SecretString: aws.String("v"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}, {Key: aws.String("cost"), Value: aws.String("1")}}})
	requireDenied(t, err)
	assert.Equal(t, map[string]rotor.Revision{"t2": 0, "t3": 0}, s.revisions(t, "t2", "t3"), "nothing created")
	_, err = c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("t1"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	require.NoError(t, err)

	// Keys tested only by the resource policy are filled too.
	admin := s.clients["admin"]
	noSecretTag := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"` + principalARN("admin") + `"},"Action":"secretsmanager:TagResource","Resource":"*",` +
		`"Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":"secret*"}}},` +
		`{"Effect":"Deny","Principal":{"AWS":"` + principalARN("admin") + `"},"Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Team":"core"}}}]}`
	_, err = admin.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("t1"), ResourcePolicy: aws.String(noSecretTag)})
	require.NoError(t, err)
	_, err = admin.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("t1"), Tags: []types.Tag{{Key: aws.String("secretive"), Value: aws.String("x")}}})
	assert.Contains(t, requireDenied(t, err), "with an explicit deny in a resource-based policy")
	_, err = admin.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("t1"), Tags: []types.Tag{{Key: aws.String("open"), Value: aws.String("x")}}})
	require.NoError(t, err)
	_, err = admin.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("t1")})
	assert.Contains(t, requireDenied(t, err), "with an explicit deny in a resource-based policy", "tag keys compare without case")

	// aws:SecureTransport is false over plain HTTP: the Deny wins.
	_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("t1"), SecretString: aws.String("v2")})
	assert.Contains(t, requireDenied(t, err), "with an explicit deny in an identity-based policy")
}

func TestAuthorizationWithoutASignatureRefusesEverything(t *testing.T) {
	pol, err := iam.Parse(adminPolicy, iam.Identity)
	require.NoError(t, err)
	h := awsapi.NewHandler(awsapi.Config{
		Principals: map[string]awsapi.Principal{"AKIDADMIN": {ARN: principalARN("admin"), Policies: []*iam.Policy{pol}}},
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	ts := httptest.NewServer(h)
	defer ts.Close()
	_, err = newClient(ts.URL, "us-east-1", aws.AnonymousCredentials{}).ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
	requireDenied(t, err)
}

// A caller with no rights on a secret learns nothing of it from a refusal:
// the refusal names the SecretId as it was sent, as AWS does, so a secret
// that exists and one that does not are refused in the same words.
func TestARefusalNamesTheSecretIdAsSentAndNothingMore(t *testing.T) {
	ctx := context.Background()
	s := newAuthzServer(t)
	s.seed(t)
	arn := s.arn(t, "dev/app")
	partial := secretARNs + "dev/app"
	refusal := func(id string) string {
		return "User: " + principalARN("reader") + " is not authorized to perform: secretsmanager:GetSecretValue on resource: " + id +
			" because no identity-based policy allows the secretsmanager:GetSecretValue action"
	}
	tests := []struct{ name, id string }{
		{"a name", "dev/app"},
		{"a partial ARN", partial},
		{"a full ARN", arn},
		{"the name of no secret", "dev/none"},
		{"the partial ARN of no secret", secretARNs + "dev/none"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is named as it was sent", func(t *testing.T) {
			_, err := s.clients["reader"].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(tt.id)})
			assert.Equal(t, refusal(tt.id), requireDenied(t, err))
			_, err = s.clients["reader"].DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(tt.id)})
			msg := requireDenied(t, err)
			assert.Contains(t, msg, " on resource: "+tt.id+" because ")
			if tt.id != arn {
				assert.NotContains(t, msg, arn)
			}
		})
	}

	t.Run("a key with no principal is refused naming the SecretId as sent", func(t *testing.T) {
		_, err := s.clients["STRAY"].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("dev/app")})
		msg := requireDenied(t, err)
		assert.True(t, strings.HasSuffix(msg, " on resource: dev/app"), msg)
	})

	t.Run("a batch entry is refused naming the SecretId as sent", func(t *testing.T) {
		out, err := s.clients["reader"].BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{partial}})
		require.NoError(t, err)
		require.Len(t, out.Errors, 1)
		assert.Equal(t, partial, *out.Errors[0].SecretId)
		assert.Equal(t, refusal(partial), *out.Errors[0].Message)
	})
}
