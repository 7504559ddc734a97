package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
)

// fillEpoch is the CreatedDate of the first secret Fill saves.
var fillEpoch = time.Date(2024, time.March, 9, 0, 0, 0, 0, time.UTC)

// Fill saves n secrets in region of st, directly (not through a service),
// from 8 goroutines: secrets named secret-0000000 on, created a millisecond
// apart, whose LastChangedDates run in another order than their
// CreatedDates and whose LastAccessedDates fall on 30 days, so that every
// ListSecrets order differs. Each holds one small AWSCURRENT version. It is
// what a benchmark of a large store starts from; it fails tb on the first
// error.
func Fill(tb testing.TB, st rotor.Store, region string, n int) {
	tb.Helper()
	const workers = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if _, err := st.Save(context.Background(), fillSecret(region, i, n), 0); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("save secret %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		tb.Fatal(first)
	}
}

// fillSecret is the i-th secret of n that Fill saves.
func fillSecret(region string, i, n int) *rotor.Secret {
	name := fmt.Sprintf("secret-%07d", i)
	created := fillEpoch.Add(time.Duration(i) * time.Millisecond)
	// A permutation of the creation order (7919 is prime, so coprime with
	// almost every n; a collision only makes a tie, broken by name).
	changed := fillEpoch.Add(time.Duration(int64(i)*7919%int64(n)) * time.Millisecond).Add(time.Hour)
	id := fmt.Sprintf("a1b2c3d4-0000-4000-8000-%012d", i)
	return &rotor.Secret{
		ARN:              fmt.Sprintf("arn:aws:secretsmanager:%s:000000000000:secret:%s-AbCdEf", region, name),
		Name:             name,
		CreatedDate:      created,
		LastChangedDate:  changed,
		LastAccessedDate: fillEpoch.AddDate(0, 0, i%30),
		Versions:         []*rotor.Version{{ID: id, Value: rotor.StringValue("value"), CreatedDate: created}},
		Stages:           []rotor.Stage{{Label: rotor.StageCurrent, VersionID: id}},
	}
}

// BenchListSecrets measures a ListSecrets page of 100 through a Service of
// region us-east-1 over st, which must hold the n secrets that Fill saves
// there: the first page and a page from the middle (by its NextToken), in
// the default order and sorted by last-changed-date, descending. A page
// must cost the same at any n:
//
//	storetest.Fill(b, st, "us-east-1", 100_000)
//	storetest.BenchListSecrets(b, st, 100_000)
func BenchListSecrets(b *testing.B, st rotor.Store, n int) {
	const region = "us-east-1"
	now := fillEpoch.AddDate(0, 2, 0)
	svc := rotor.New(st, rotor.WithRegion(region), rotor.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for _, sorted := range []bool{false, true} {
		in := rotor.ListSecretsInput{MaxResults: 100}
		label := "unsorted"
		if sorted {
			in.SortBy, in.SortOrder, label = rotor.SortByLastChangedDate, "desc", "sorted"
		}
		first := in
		middle := in
		for listed := 0; listed < n/2; listed += 100 {
			out, err := svc.ListSecrets(ctx, middle)
			if err != nil {
				b.Fatal(err)
			}
			middle.NextToken = out.NextToken
		}
		for _, c := range []struct {
			page string
			in   rotor.ListSecretsInput
		}{{"first", first}, {"middle", middle}} {
			b.Run(label+"/"+c.page, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					out, err := svc.ListSecrets(ctx, c.in)
					if err != nil || len(out.SecretList) != min(100, n) {
						b.Fatal(err, len(out.SecretList))
					}
				}
			})
		}
	}
}
