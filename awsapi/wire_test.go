package awsapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
)

func TestARawWriteWithoutATokenIsRefused(t *testing.T) {
	s := newServer(t, awsapi.Config{}, false)
	status, _, _ := s.raw(t, "CreateSecret", `{"Name":"s","SecretString":"v","ClientRequestToken":"`+token1+`"}`)
	require.Equal(t, http.StatusOK, status)
	// AWS answers RotateSecret with another code than the other three.
	for _, tt := range []struct{ op, body, code string }{
		{"CreateSecret", `{"Name":"t","SecretString":"v"}`, "InvalidRequestException"},
		{"UpdateSecret", `{"SecretId":"s","SecretString":"v"}`, "InvalidRequestException"},
		{"PutSecretValue", `{"SecretId":"s","SecretString":"v"}`, "InvalidRequestException"},
		{"RotateSecret", `{"SecretId":"s"}`, "InvalidParameterException"},
	} {
		t.Run(tt.op+" is an "+tt.code, func(t *testing.T) {
			status, m, resp := s.raw(t, tt.op, tt.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, map[string]any{"__type": tt.code, "Message": "You must provide a ClientRequestToken value. We recommend a UUID-type value."}, m)
			_, err := uuid.Parse(resp.Header.Get("x-amzn-RequestId"))
			assert.NoError(t, err, "x-amzn-RequestId is a UUID")
		})
	}
	t.Run("a CreateSecret without a value needs no token", func(t *testing.T) {
		status, m, _ := s.raw(t, "CreateSecret", `{"Name":"empty"}`)
		assert.Equal(t, http.StatusOK, status, "%v", m)
		assert.NotContains(t, m, "VersionId")
	})
}

func TestTheCodecTellsAnEmptyMemberFromAnAbsentOne(t *testing.T) {
	s := newServer(t, awsapi.Config{}, false)
	tests := []struct{ op, body, code, message string }{
		{"CreateSecret", `{"Name":"s","SecretString":"","ClientRequestToken":"` + token1 + `"}`, "ValidationException",
			"1 validation error detected: Value '***' at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"CreateSecret", `{"Name":"s","SecretBinary":"","ClientRequestToken":"` + token1 + `"}`, "ValidationException",
			"1 validation error detected: Value '***' at 'secretBinary' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"GetRandomPassword", `{"PasswordLength":0}`, "ValidationException",
			"1 validation error detected: Value '0' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"ListSecrets", `{"MaxResults":0}`, "ValidationException",
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.body, func(t *testing.T) {
			status, m, _ := s.raw(t, tt.op, tt.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, map[string]any{"__type": tt.code, "Message": tt.message}, m)
		})
	}
}

func TestMalformedRequestsGetTheAWSErrorForThem(t *testing.T) {
	s := newServer(t, awsapi.Config{MaxBodyBytes: 1024}, false)
	post := func(target, contentType, body string) *http.Request {
		req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		return req
	}
	get, err := http.NewRequest(http.MethodGet, s.url+"/", nil)
	require.NoError(t, err)
	const ct = "application/x-amz-json-1.1"
	tests := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"an unknown operation", post("secretsmanager.MakeCoffee", ct, `{}`), 400, "UnknownOperationException"},
		{"a missing target", post("", ct, `{}`), 400, "UnknownOperationException"},
		{"another service's target", post("kms.GetSecretValue", ct, `{}`), 400, "UnknownOperationException"},
		{"JSON that does not parse", post("secretsmanager.GetSecretValue", ct, `{"SecretId":`), 400, "SerializationException"},
		{"a member of the wrong type", post("secretsmanager.GetSecretValue", ct, `{"SecretId":5}`), 400, "SerializationException"},
		{"a body that is not an object", post("secretsmanager.GetSecretValue", ct, `[1]`), 400, "SerializationException"},
		{"two objects", post("secretsmanager.GetSecretValue", ct, `{} {}`), 400, "SerializationException"},
		{"SecretBinary that is not base64", post("secretsmanager.CreateSecret", ct, `{"Name":"x","SecretBinary":"%%%"}`), 400, "SerializationException"},
		{"a wrong content type", post("secretsmanager.ListSecrets", "text/plain", `{}`), 415, "UnsupportedMediaTypeException"},
		{"a body over the limit", post("secretsmanager.ListSecrets", ct, `{"NextToken":"`+strings.Repeat("a", 2000)+`"}`), 413, "RequestEntityTooLargeException"},
		{"a GET", get, 405, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is a "+tt.code, func(t *testing.T) {
			status, m, resp := do(t, tt.req)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, m["__type"])
			assert.NotEmpty(t, m["Message"])
			assert.NotEmpty(t, resp.Header.Get("x-amzn-RequestId"))
			assert.Equal(t, "application/x-amz-json-1.1", resp.Header.Get("Content-Type"))
		})
	}
}

func TestRepliesUseEpochSecondsAndNeverNull(t *testing.T) {
	s := newServer(t, awsapi.Config{}, false)
	status, _, _ := s.raw(t, "CreateSecret", `{"Name":"s","SecretBinary":"Zm9vdGVzdA==","ClientRequestToken":"`+token1+`"}`)
	require.Equal(t, http.StatusOK, status)

	_, got, _ := s.raw(t, "GetSecretValue", `{"SecretId":"s"}`)
	assert.Equal(t, "Zm9vdGVzdA==", got["SecretBinary"])
	assert.IsType(t, float64(0), got["CreatedDate"])
	assert.NotContains(t, got, "SecretString")

	_, desc, _ := s.raw(t, "DescribeSecret", `{"SecretId":"s"}`)
	assert.IsType(t, float64(0), desc["LastChangedDate"])
	assert.Contains(t, desc, "VersionIdsToStages")
	for _, absent := range []string{"Tags", "RotationEnabled", "RotationRules", "DeletedDate", "Description"} {
		assert.NotContains(t, desc, absent)
	}

	req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	require.NoError(t, err)
	assert.NotContains(t, buf.String(), "null")
	assert.Contains(t, buf.String(), `"SecretVersionsToStages":{"`+token1+`":["AWSCURRENT"]}`)
	assert.NotContains(t, buf.String(), "VersionIdsToStages")
}

func TestEachRegionKeepsItsOwnSecrets(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, awsapi.Config{}, false)
	// Unauthenticated, a signature still names the region.
	creds := credentials.NewStaticCredentialsProvider("any", "any", "")
	east, west := newClient(s.url, "us-east-1", creds), newClient(s.url, "eu-west-1", creds)
	out, err := west.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("w")})
	require.NoError(t, err)
	assert.Contains(t, *out.ARN, ":eu-west-1:")
	_, err = east.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	var notFound *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &notFound)
	_, err = east.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("e")})
	require.NoError(t, err)
	got, err := west.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: out.ARN})
	require.NoError(t, err)
	assert.Equal(t, "w", *got.SecretString)
	// An unsigned request goes to the default region.
	_, m, _ := s.raw(t, "GetSecretValue", `{"SecretId":"s"}`)
	assert.Equal(t, "e", m["SecretString"])

	t.Run("a scope naming no region is refused", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(`{}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=k/20260101/Not_A_Region/secretsmanager/aws4_request, SignedHeaders=host, Signature=00")
		status, m, _ := do(t, req)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "IncompleteSignatureException", m["__type"])
	})
}

func TestAFullRotationRunsThroughTheTemplateRotator(t *testing.T) {
	const lambda = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
	for _, signed := range []bool{false, true} {
		t.Run(fmt.Sprint("signed=", signed), func(t *testing.T) {
			ctx := context.Background()
			fns := &rotor.FunctionRegistry{}
			s := newServer(t, awsapi.Config{Invoker: fns}, signed)
			svc, err := s.handler.Service("us-east-1")
			require.NoError(t, err)
			fns.Register(lambda, &rotor.TemplateRotator{API: svc})
			c := s.client

			created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("old")})
			require.NoError(t, err)
			rot, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
				SecretId: aws.String("db"), RotationLambdaARN: aws.String(lambda),
				RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)},
			})
			require.NoError(t, err)
			assert.Equal(t, *created.ARN, *rot.ARN)
			require.NotNil(t, rot.VersionId)

			cur, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
			require.NoError(t, err)
			assert.Equal(t, *rot.VersionId, *cur.VersionId)
			assert.NotEqual(t, "old", *cur.SecretString)
			desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
			require.NoError(t, err)
			assert.True(t, *desc.RotationEnabled)
			assert.Equal(t, int64(30), *desc.RotationRules.AutomaticallyAfterDays)
			assert.Equal(t, []string{"AWSPREVIOUS"}, desc.VersionIdsToStages[*created.VersionId])
			assert.Equal(t, []string{"AWSCURRENT"}, desc.VersionIdsToStages[*rot.VersionId])
			require.NotNil(t, desc.LastRotatedDate)
			require.NotNil(t, desc.NextRotationDate)

			again, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db")})
			require.NoError(t, err, "the second rotation uses the stored configuration")
			cur, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
			require.NoError(t, err)
			assert.Equal(t, *again.VersionId, *cur.VersionId)
		})
	}
}

func TestAFailedRotationStepIsNotAnErrorOnTheWire(t *testing.T) {
	const lambda = "arn:aws:lambda:us-east-1:000000000000:function:broken"
	ctx := context.Background()
	fns := &rotor.FunctionRegistry{}
	fns.Register(lambda, rotor.RotatorFunc(func(context.Context, rotor.RotationEvent) error { return fmt.Errorf("database unreachable") }))
	s := newServer(t, awsapi.Config{Invoker: fns}, false)
	_, err := s.client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("old")})
	require.NoError(t, err)
	rot, err := s.client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), RotationLambdaARN: aws.String(lambda), ClientRequestToken: aws.String(token2)})
	require.NoError(t, err, "AWS rotates asynchronously: the call succeeded")
	assert.Equal(t, token2, *rot.VersionId)
	desc, err := s.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
	require.NoError(t, err)
	assert.Equal(t, []string{"AWSPENDING"}, desc.VersionIdsToStages[token2], "the rotation stays pending")
	_, err = s.client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(token3)})
	var invalid *types.InvalidRequestException
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "A previous rotation isn't complete. That rotation will be reattempted.", invalid.ErrorMessage())

	canceled, err := s.client.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String("db")})
	require.NoError(t, err)
	assert.Equal(t, "db", *canceled.Name)
	assert.Equal(t, token2, *canceled.VersionId)
	desc, err = s.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
	require.NoError(t, err)
	assert.False(t, *desc.RotationEnabled)
}

// panickingStore fails every read with a panic, as a buggy Store would.
type panickingStore struct{ rotor.Store }

func (panickingStore) Load(context.Context, string, string) (*rotor.Secret, rotor.Revision, error) {
	panic("store bug")
}

func TestAPanicIsAnInternalServiceError(t *testing.T) {
	s := newServer(t, awsapi.Config{Store: panickingStore{rotor.NewMemoryStore()}}, false)
	status, m, resp := s.raw(t, "GetSecretValue", `{"SecretId":"s"}`)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "InternalServiceError", m["__type"])
	assert.NotEmpty(t, resp.Header.Get("x-amzn-RequestId"))
}

// TestEveryReplyHasItsLength checks that replies of every size, errors
// included, carry a Content-Length and the JSON content type, and are not
// chunked.
func TestEveryReplyHasItsLength(t *testing.T) {
	s := newServer(t, awsapi.Config{}, false)
	for _, size := range []int{1, 900, 1023, 1024, 2047, 2048, 5000, 65536} {
		name := fmt.Sprintf("s%d", size)
		status, _, _ := s.raw(t, "CreateSecret", `{"Name":"`+name+`","SecretString":"`+strings.Repeat("v", size)+`","ClientRequestToken":"`+uuid.NewString()+`"}`)
		require.Equal(t, http.StatusOK, status)
		for _, op := range []struct{ name, body string }{{"GetSecretValue", `{"SecretId":"` + name + `"}`}, {"GetSecretValue", `{"SecretId":"` + name + `x"}`}} {
			req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(op.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "secretsmanager."+op.name)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			var buf bytes.Buffer
			_, err = buf.ReadFrom(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			assert.Empty(t, resp.TransferEncoding, "size %d %s", size, op.body)
			assert.Equal(t, int64(buf.Len()), resp.ContentLength, "size %d %s", size, op.body)
			assert.Equal(t, "application/x-amz-json-1.1", resp.Header.Get("Content-Type"))
		}
	}
}

func TestRotationRulesThatWereSentAreNotReadAsAbsent(t *testing.T) {
	const lambda = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
	ctx := context.Background()
	s := newServer(t, awsapi.Config{}, false)
	_, err := s.client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
	require.NoError(t, err)
	rangeError := func(days int64) string {
		_, err := rotor.ParseSchedule(rotor.RotationRules{AutomaticallyAfterDays: days})
		require.Error(t, err)
		return err.(*rotor.Error).Message
	}
	rotate := func(rules string) string {
		return `{"SecretId":"s","ClientRequestToken":"` + token2 + `","RotationLambdaARN":"` + lambda + `","RotationRules":` + rules + `}`
	}
	tests := []struct {
		name, rules, code, message string
	}{
		{"AutomaticallyAfterDays 0 with a ScheduleExpression is refused as 0 days",
			`{"AutomaticallyAfterDays":0,"ScheduleExpression":"rate(10 days)"}`, "InvalidParameterException", rangeError(0)},
		{"a negative AutomaticallyAfterDays with a ScheduleExpression is refused as that number of days",
			`{"AutomaticallyAfterDays":-3,"ScheduleExpression":"cron(0 0 * * ? *)"}`, "InvalidParameterException", rangeError(-3)},
		{"an empty ScheduleExpression is a ValidationException",
			`{"AutomaticallyAfterDays":7,"ScheduleExpression":""}`, "ValidationException",
			"1 validation error detected: Value '' at 'rotationRules.scheduleExpression' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"an empty Duration is a ValidationException",
			`{"AutomaticallyAfterDays":7,"Duration":""}`, "ValidationException",
			"1 validation error detected: Value '' at 'rotationRules.duration' failed to satisfy constraint: Member must have length greater than or equal to 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m, _ := s.raw(t, "RotateSecret", rotate(tt.rules))
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, map[string]any{"__type": tt.code, "Message": tt.message}, m)
			desc, err := s.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
			require.NoError(t, err)
			assert.Nil(t, desc.RotationEnabled, "nothing saved")
			assert.Nil(t, desc.RotationRules)
		})
	}

	t.Run("the Go SDK's AutomaticallyAfterDays 0 with a ScheduleExpression is refused", func(t *testing.T) {
		_, err := s.client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("s"), RotationLambdaARN: aws.String(lambda),
			RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(0), ScheduleExpression: aws.String("rate(10 days)")}})
		var invalid *types.InvalidParameterException
		require.ErrorAs(t, err, &invalid)
		assert.Equal(t, rangeError(0), invalid.ErrorMessage())
	})
}

// TestABodyIsDecodedExactlyOrRefused checks that what encoding/json would
// bend — a string that is not Unicode, a member name in another case, a
// member twice — is refused with a SerializationException that changes
// nothing, and that what is exact is stored as it was sent.
func TestABodyIsDecodedExactlyOrRefused(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, awsapi.Config{}, false)
	status, _, _ := s.raw(t, "CreateSecret", `{"Name":"s","SecretString":"v","ClientRequestToken":"`+token1+`"}`)
	require.Equal(t, http.StatusOK, status)
	create := func(members string) string {
		return `{"Name":"new","ClientRequestToken":"` + token2 + `",` + members + `}`
	}
	put := func(value string) string {
		return `{"SecretId":"s","ClientRequestToken":"` + token3 + `","SecretString":` + value + `}`
	}
	refused := []struct {
		name, op, body, message string
	}{
		{"a lone high surrogate in SecretString", "PutSecretValue", put(`"v\ud800"`), "unpaired UTF-16 surrogate at byte "},
		{"a lone low surrogate in SecretString", "PutSecretValue", put(`"\udc00v"`), "unpaired UTF-16 surrogate at byte "},
		{"a high surrogate before a character that is not a low one", "PutSecretValue", put(`"\ud800\u0041"`), "unpaired UTF-16 surrogate"},
		{"a high surrogate before another high one", "PutSecretValue", put(`"\ud800\ud800\udc00"`), "unpaired UTF-16 surrogate"},
		{"a surrogate pair in the wrong order", "PutSecretValue", put(`"\udc00\ud800"`), "unpaired UTF-16 surrogate"},
		{"a high surrogate at the end of the string", "PutSecretValue", put(`"\ud83d"`), "unpaired UTF-16 surrogate"},
		{"a surrogate after an escaped backslash", "PutSecretValue", put(`"\\\ud800"`), "unpaired UTF-16 surrogate"},
		{"a byte that is not UTF-8 in SecretString", "PutSecretValue", put("\"v\xff\""), "is not UTF-8 (at byte "},
		{"a truncated UTF-8 sequence in SecretString", "PutSecretValue", put("\"v\xe2\x82\""), "is not UTF-8"},
		{"an encoded surrogate in SecretString", "PutSecretValue", put("\"\xed\xa0\x80\""), "is not UTF-8"},
		{"a lone surrogate in a Description", "CreateSecret", create(`"Description":"\udfff"`), "unpaired UTF-16 surrogate"},
		{"a byte that is not UTF-8 in a tag value", "CreateSecret", create("\"Tags\":[{\"Key\":\"k\",\"Value\":\"\xc0\"}]"), "is not UTF-8"},
		{"a lone surrogate in a member name", "CreateSecret", create(`"\ud800":1`), "unpaired UTF-16 surrogate"},
		{"a member name in lower case", "CreateSecret", create(`"secretstring":"x"`),
			`The member "secretstring" is not a member of the request: member names are case-sensitive; send SecretString.`},
		{"a member name in another case beside the right one", "PutSecretValue", `{"SecretId":"s","ClientRequestToken":"` + token3 + `","SecretString":"a","secretString":"b"}`,
			`The member "secretString" is not a member of the request: member names are case-sensitive; send SecretString.`},
		{"a member name with a Kelvin sign for its K", "CreateSecret", create(`"Tags":[{"\u212aey":"k","Value":"v"}]`),
			`The member "\u212aey" of Tags[0] is not a member of the request: member names are case-sensitive; send Tags[0].Key.`},
		{"a member name with a long s for its s", "PutSecretValue", `{"SecretId":"s","ClientRequestToken":"` + token3 + `","\u017fecretString":"x"}`,
			`send SecretString.`},
		{"a member name with a long s in UTF-8, longer than every name", "PutSecretValue", "{\"SecretId\":\"s\",\"ClientRequeſtToken\":\"" + token3 + "\",\"SecretString\":\"x\"}",
			`send ClientRequestToken.`},
		{"a nested member name in another case", "CreateSecret", create(`"Tags":[{"Key":"k","value":"v"}]`),
			`The member "value" of Tags[0] is not a member of the request: member names are case-sensitive; send Tags[0].Value.`},
		{"a member twice", "PutSecretValue", `{"SecretId":"s","ClientRequestToken":"` + token3 + `","SecretString":"a","SecretString":"b"}`,
			"The member SecretString appears twice in one object: member names must be unique (RFC 7493, section 2.3)."},
		{"a nested member twice", "CreateSecret", create(`"Tags":[{"Key":"a","Key":"b","Value":"v"}]`),
			"The member Tags[0].Key appears twice in one object"},
		{"an unknown member twice", "CreateSecret", create(`"Extra":1,"Extra":2`), "A member name appears twice in one object, at byte "},
		{"a member twice in an unknown member", "CreateSecret", create(`"Extra":{"a":1,"a":2}`), "A member name appears twice in one object"},
	}
	for _, tt := range refused {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			status, m, _ := s.raw(t, tt.op, tt.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "SerializationException", m["__type"])
			assert.Contains(t, m["Message"], tt.message)
			_, err := s.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("new")})
			var notFound *types.ResourceNotFoundException
			assert.ErrorAs(t, err, &notFound, "nothing created")
			got, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
			require.NoError(t, err)
			assert.Equal(t, "v", *got.SecretString, "nothing written")
			assert.Equal(t, token1, *got.VersionId)
		})
	}

	t.Run("a rotation rule in another case is refused", func(t *testing.T) {
		status, m, _ := s.raw(t, "RotateSecret", `{"SecretId":"s","ClientRequestToken":"`+token2+`","RotationRules":{"automaticallyAfterDays":7}}`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, map[string]any{"__type": "SerializationException", "Message": `The member "automaticallyAfterDays" of RotationRules is not a member of the request: member names are case-sensitive; send RotationRules.AutomaticallyAfterDays.`}, m)
	})
	t.Run("a filter member in another case is refused", func(t *testing.T) {
		status, m, _ := s.raw(t, "ListSecrets", `{"Filters":[{"Key":"name","values":["s"]}]}`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "SerializationException", m["__type"])
		assert.Contains(t, m["Message"], "send Filters[0].Values.")
	})
	t.Run("a lower-case secretid is not read as SecretId", func(t *testing.T) {
		status, m, _ := s.raw(t, "DeleteSecret", `{"secretid":"s","ForceDeleteWithoutRecovery":true}`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "SerializationException", m["__type"])
		_, err := s.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
		require.NoError(t, err, "not deleted")
	})

	accepted := []struct {
		name, value, stored string
	}{
		{"a surrogate pair", `"\ud83d\ude00"`, "\U0001F600"},
		{"an escaped backslash before ud800", `"\\ud800"`, `\ud800`},
		{"two escaped backslashes before a pair", `"\\\\\ud83d\ude00"`, `\\` + "\U0001F600"},
		{"U+FFFD sent as an escape", `"\ufffd"`, "\uFFFD"},
		{"U+FFFD sent as UTF-8", "\"\uFFFD\"", "\uFFFD"},
		{"a character beyond the BMP sent as UTF-8", "\"\U0001F600\"", "\U0001F600"},
	}
	for i, tt := range accepted {
		t.Run(tt.name+" is stored as sent", func(t *testing.T) {
			name := fmt.Sprintf("exact%d", i)
			status, m, _ := s.raw(t, "CreateSecret", `{"Name":"`+name+`","ClientRequestToken":"`+uuid.NewString()+`","SecretString":`+tt.value+`}`)
			require.Equal(t, http.StatusOK, status, "%v", m)
			got, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
			require.NoError(t, err)
			assert.Equal(t, tt.stored, *got.SecretString)
		})
	}
	t.Run("an unknown member is ignored", func(t *testing.T) {
		status, m, _ := s.raw(t, "GetSecretValue", `{"SecretId":"s","Extra":{"Nested":[1,2]}}`)
		assert.Equal(t, http.StatusOK, status, "%v", m)
	})
	t.Run("an unknown member with a large array is ignored", func(t *testing.T) {
		status, m, _ := s.raw(t, "GetSecretValue", `{"SecretId":"s","Extra":[`+strings.Repeat(`{"a":1,"b":[1,2]},`, 20000)+`{}]}`)
		assert.Equal(t, http.StatusOK, status, "%v", m)
	})
	t.Run("objects nested deeper than the plain check follows are read one by one", func(t *testing.T) {
		status, m, _ := s.raw(t, "GetSecretValue", `{"SecretId":"s","Extra":`+strings.Repeat(`{"a":`, 20)+`1`+strings.Repeat(`}`, 20)+`}`)
		assert.Equal(t, http.StatusOK, status, "%v", m)
	})
	t.Run("a body too complex to read one by one is refused", func(t *testing.T) {
		status, m, _ := s.raw(t, "GetSecretValue", `{"\u0053ecretId":"s","Extra":[`+strings.Repeat(`1,`, 20000)+`1]}`)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "SerializationException", m["__type"])
		assert.Contains(t, m["Message"], "The request body is too complex to check: it has more than 10000 JSON values")
	})
	t.Run("a member name spelled with escapes is its exact name", func(t *testing.T) {
		status, m, _ := s.raw(t, "GetSecretValue", `{"\u0053ecretId":"s"}`)
		assert.Equal(t, http.StatusOK, status, "%v", m)
		assert.Equal(t, "v", m["SecretString"])
	})
}
