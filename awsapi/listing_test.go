package awsapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/storetest"
)

// TestTheSDKPaginatorPagesThrough2500SecretsInEveryOrder pages with the
// SDK's ListSecrets paginator through 2,500 secrets, sorted every way: every
// secret comes exactly once, in the order asked for.
func TestTheSDKPaginatorPagesThrough2500SecretsInEveryOrder(t *testing.T) {
	const n = 2500
	st := rotor.NewMemoryStore()
	storetest.Fill(t, st, "us-east-1", n)
	s := newServer(t, awsapi.Config{Store: st}, false)
	// Over loopback the SDK's transport now and then closes a connection
	// while a large reply is still arriving (aws/aws-sdk-go-v2#2737: "use
	// of closed network connection" on a 200 sent whole); pages of 100 are
	// large, and a listing is safe to retry.
	client := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: aws.AnonymousCredentials{},
		Retryer: retry.AddWithMaxAttempts(retry.NewStandard(), 10),
	})
	ctx := context.Background()
	for _, c := range []struct {
		by    types.SortByType
		order types.SortOrderType
	}{
		{"", ""},
		{types.SortByTypeName, types.SortOrderTypeDesc},
		{types.SortByTypeCreatedDate, types.SortOrderTypeDesc},
		{types.SortByTypeLastChangedDate, types.SortOrderTypeAsc},
		{types.SortByTypeLastAccessedDate, types.SortOrderTypeDesc},
	} {
		t.Run(fmt.Sprintf("%s %s", c.by, c.order), func(t *testing.T) {
			p := secretsmanager.NewListSecretsPaginator(client, &secretsmanager.ListSecretsInput{
				SortBy: c.by, SortOrder: c.order, MaxResults: aws.Int32(100)})
			var got []types.SecretListEntry
			pages := 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(out.SecretList), 100)
				got = append(got, out.SecretList...)
				pages++
			}
			require.Len(t, got, n)
			assert.Equal(t, n/100, pages)
			seen := make(map[string]bool)
			for _, e := range got {
				assert.False(t, seen[*e.Name], "%s listed twice", *e.Name)
				seen[*e.Name] = true
			}
			order := rotor.ListOrder{By: string(c.by), Desc: c.order == types.SortOrderTypeDesc}
			if order.By == "" {
				order.By = rotor.SortByCreatedDate
			}
			assert.True(t, slices.IsSortedFunc(got, func(a, b types.SecretListEntry) int {
				return order.Compare(position(order, a), position(order, b))
			}), "listed in %+v", order)
		})
	}
}

// position is the place of a listed secret in order, from what the wire
// says of it.
func position(order rotor.ListOrder, e types.SecretListEntry) rotor.ListPosition {
	p := rotor.ListPosition{Name: *e.Name}
	switch order.By {
	case rotor.SortByCreatedDate:
		p.Date = *e.CreatedDate
	case rotor.SortByLastChangedDate:
		p.Date = *e.LastChangedDate
	case rotor.SortByLastAccessedDate:
		p.Date = aws.ToTime(e.LastAccessedDate)
	}
	return p
}
