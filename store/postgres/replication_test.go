package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// saveLog is a Store that records every save it acknowledged: the
// secret's Region, its revision, the generation it holds and a digest of
// what replication copies.
type saveLog struct {
	rotor.Store
	mu    sync.Mutex
	saves []savedRecord
}

type savedRecord struct {
	region string
	rev    rotor.Revision
	gen    uint64
	digest string
}

func (l *saveLog) Save(ctx context.Context, sec *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	rev, err := l.Store.Save(ctx, sec, expect)
	if err == nil {
		l.mu.Lock()
		l.saves = append(l.saves, savedRecord{region: sec.Region(), rev: rev, gen: sec.Generation, digest: digest(sec)})
		l.mu.Unlock()
	}
	return rev, err
}

// digest is what a replica must hold of its primary: the versions with
// their values and labels, the description and the tags.
func digest(sec *rotor.Secret) string {
	var b strings.Builder
	for _, v := range sec.Versions {
		fmt.Fprintf(&b, "%s=%x%v;", v.ID, v.Value.Text(), sec.StagesOf(v.ID))
	}
	fmt.Fprintf(&b, "|%q|%v", sec.Description, sec.Tags)
	return b.String()
}

// TestTwoServersReplicateInCommitOrder writes one primary through two
// servers on one database, at once, and follows every record the
// replicators saved: in each replica Region the generations only move
// forward, and each save holds exactly what the primary held at that
// generation. The replicas end equal to the primary.
func TestTwoServersReplicateInCommitOrder(t *testing.T) {
	ctx := context.Background()
	stores := openShared(t, 2)
	logs := []*saveLog{{Store: stores[0]}, {Store: stores[1]}}
	var services []*rotor.Service
	for _, l := range logs {
		services = append(services, rotor.New(l, rotor.WithRegion("us-east-1"), rotor.WithAccountID("123456789012")))
	}
	replicas := []string{"eu-west-1", "ap-southeast-2"}
	_, err := services[0].CreateSecret(ctx, rotor.CreateSecretInput{Name: "shared/db", SecretString: "v0",
		AddReplicaRegions: []rotor.ReplicaRegion{{Region: replicas[0]}, {Region: replicas[1], KmsKeyId: "alias/ap"}}})
	require.NoError(t, err)

	const writers, calls = 6, 24 // 72 puts: under the 100 versions a secret may hold
	var wg sync.WaitGroup
	errs := make(chan error, writers*calls)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := services[w%2]
			for i := 0; i < calls; i++ {
				var err error
				switch i % 4 {
				case 0, 1:
					_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "shared/db",
						SecretString: fmt.Sprintf("writer %d call %d", w, i)})
				case 2:
					_, err = svc.TagResource(ctx, rotor.TagResourceInput{SecretId: "shared/db",
						Tags: []rotor.Tag{{Key: fmt.Sprintf("w%d", w), Value: fmt.Sprint(i)}}})
				case 3:
					desc := fmt.Sprintf("writer %d call %d", w, i)
					_, err = svc.UpdateSecret(ctx, rotor.UpdateSecretInput{SecretId: "shared/db", Description: &desc})
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d call %d: %w", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	var all []savedRecord
	for _, l := range logs {
		all = append(all, l.saves...)
	}
	// What the primary held at each generation; a generation names one
	// content, whatever bookkeeping was saved beside it.
	primary := map[uint64]string{}
	for _, s := range all {
		if s.region != "us-east-1" {
			continue
		}
		if d, ok := primary[s.gen]; ok {
			require.Equal(t, d, s.digest, "two contents under generation %d of the primary", s.gen)
		}
		primary[s.gen] = s.digest
	}
	require.Len(t, primary, 1+writers*calls, "one generation per acknowledged write and the create")
	for _, region := range replicas {
		var saves []savedRecord
		for _, s := range all {
			if s.region == region {
				saves = append(saves, s)
			}
		}
		sort.Slice(saves, func(i, j int) bool { return saves[i].rev < saves[j].rev })
		require.NotEmpty(t, saves, region)
		for i, s := range saves {
			if i > 0 {
				assert.Greater(t, s.gen, saves[i-1].gen, "%s: revision %d went from generation %d to %d", region, s.rev, saves[i-1].gen, s.gen)
				assert.Greater(t, s.rev, saves[i-1].rev, "%s: two saves acknowledged at revision %d", region, s.rev)
			}
			assert.Equal(t, primary[s.gen], s.digest, "%s: revision %d is not the primary's generation %d", region, s.rev, s.gen)
		}
	}

	// At rest, every replica holds the primary's last state, and says so.
	last, _, err := stores[1].Load(ctx, "us-east-1", "shared/db")
	require.NoError(t, err)
	for _, region := range replicas {
		got, _, err := stores[0].Load(ctx, region, "shared/db")
		require.NoError(t, err)
		assert.Equal(t, last.Generation, got.Generation, region)
		assert.Equal(t, digest(last), digest(got), region)
		assert.Equal(t, "us-east-1", got.PrimaryRegion)
	}
	d, err := services[1].DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "shared/db"})
	require.NoError(t, err)
	var status []string
	for _, r := range d.ReplicationStatus {
		status = append(status, r.Region+"="+string(r.Status))
	}
	assert.True(t, slices.Equal([]string{"eu-west-1=InSync", "ap-southeast-2=InSync"}, status), "%v", status)
}
