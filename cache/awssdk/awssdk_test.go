package awssdk_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/cache"
	"github.com/rotorkit/rotor/cache/awssdk"
	"github.com/rotorkit/rotor/rotortest"
)

var _ cache.API = (*awssdk.API)(nil)

// counting is the SDK client, counting its calls.
type counting struct {
	*secretsmanager.Client
	gets, describes atomic.Int64
}

func (c *counting) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.gets.Add(1)
	return c.Client.GetSecretValue(ctx, in, opts...)
}

func (c *counting) DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	c.describes.Add(1)
	return c.Client.DescribeSecret(ctx, in, opts...)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rotation is a rotation Lambda's handler over the SDK: createSecret puts
// "rotated-N", finishSecret moves AWSCURRENT to it.
func rotation(client *secretsmanager.Client) func(ctx context.Context, ev rotor.RotationEvent) error {
	var n atomic.Int64
	return func(ctx context.Context, ev rotor.RotationEvent) error {
		switch ev.Step {
		case rotor.StepCreateSecret:
			_, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
				SecretId: &ev.SecretId, VersionId: &ev.ClientRequestToken, VersionStage: aws.String("AWSPENDING")})
			var notFound *types.ResourceNotFoundException
			if !errors.As(err, &notFound) {
				return err
			}
			_, err = client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
				SecretId: &ev.SecretId, ClientRequestToken: &ev.ClientRequestToken,
				SecretString: aws.String("rotated-" + strconv.FormatInt(n.Add(1), 10)), VersionStages: []string{"AWSPENDING"}})
			return err
		case rotor.StepFinishSecret:
			d, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &ev.SecretId})
			if err != nil {
				return err
			}
			for id, stages := range d.VersionIdsToStages {
				if slices.Contains(stages, "AWSCURRENT") && id != ev.ClientRequestToken {
					_, err = client.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
						SecretId: &ev.SecretId, VersionStage: aws.String("AWSCURRENT"),
						MoveToVersionId: &ev.ClientRequestToken, RemoveFromVersionId: aws.String(id)})
					return err
				}
			}
		}
		return nil
	}
}

// Through the SDK, against rotor's wire protocol, a rotation is served
// within one check interval of finishSecret, and the check costs one
// DescribeSecret.
func TestARotationIsServedWithinOneCheckInterval(t *testing.T) {
	tests := []struct {
		name string
		opts []rotortest.Option
	}{
		{"steps run inside RotateSecret", nil},
		{"steps run after RotateSecret answered, as on AWS", []rotortest.Option{rotortest.WithAsyncRotation()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			srv := rotortest.NewServer(t, tt.opts...)
			client := secretsmanager.NewFromConfig(srv.Config)
			const lambda = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
			srv.Functions.Register(lambda, rotor.RotatorFunc(rotation(client)))
			_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String("first")})
			require.NoError(t, err)

			clk := &clock{t: time.Now()}
			calls := &counting{Client: client}
			c := cache.New(awssdk.New(calls), cache.WithClock(clk.Now), cache.WithCheckInterval(time.Minute))
			defer c.Close()
			v, err := c.Get(ctx, "app/db")
			require.NoError(t, err)
			assert.Equal(t, "first", v.Value.Text())

			out, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("app/db"), RotationLambdaARN: aws.String(lambda)})
			require.NoError(t, err)
			require.NoError(t, srv.WaitRotation(ctx, "app/db", *out.VersionId)) // finishSecret has run
			gets, describes := calls.gets.Load(), calls.describes.Load()

			clk.Advance(time.Minute)
			v, err = c.Get(ctx, "app/db")
			require.NoError(t, err)
			assert.Equal(t, "rotated-1", v.Value.Text())
			assert.Equal(t, *out.VersionId, v.VersionID)
			assert.Equal(t, describes+1, calls.describes.Load(), "DescribeSecret calls for the check")
			assert.Equal(t, gets+1, calls.gets.Load(), "GetSecretValue calls for the new version")

			clk.Advance(time.Minute)
			_, err = c.Get(ctx, "app/db")
			require.NoError(t, err)
			assert.Equal(t, gets+1, calls.gets.Load(), "the value was read again although its version had not moved")

			previous, err := c.GetStage(ctx, "app/db", "AWSPREVIOUS")
			require.NoError(t, err)
			assert.Equal(t, "first", previous.Value.Text())
		})
	}
}

// The service's errors come back as *rotor.Error with the AWS code, and the
// SDK's own error stays reachable.
func TestErrorsCarryTheAWSCode(t *testing.T) {
	ctx := context.Background()
	srv := rotortest.NewServer(t)
	client := secretsmanager.NewFromConfig(srv.Config)
	_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String("first")})
	require.NoError(t, err)
	_, err = client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/db")})
	require.NoError(t, err)
	api := awssdk.New(client)

	tests := []struct {
		name string
		call func() error
		want error
		sdk  any
	}{
		{"a missing secret", func() error {
			_, err := api.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "app/none"})
			return err
		}, rotor.ErrResourceNotFound, new(*types.ResourceNotFoundException)},
		{"a secret scheduled for deletion", func() error {
			_, err := api.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "app/db"})
			return err
		}, rotor.ErrInvalidRequest, new(*types.InvalidRequestException)},
		{"describing a missing secret", func() error {
			_, err := api.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "app/none"})
			return err
		}, rotor.ErrResourceNotFound, new(*types.ResourceNotFoundException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assert.ErrorIs(t, err, tt.want)
			assert.ErrorAs(t, err, tt.sdk)
		})
	}

	d, err := api.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "app/db"})
	require.NoError(t, err)
	assert.False(t, d.DeletedDate.IsZero(), "DeletedDate")
	assert.Len(t, d.VersionIdsToStages, 1)
}
