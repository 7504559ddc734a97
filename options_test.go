package rotor_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/require"
)

// One WithRandom option given to several services (one per region, as the
// HTTP handler builds them) serializes their reads of a reader that is not
// safe for concurrent use; the race detector holds it.
func TestOneRandomOptionServesManyServices(t *testing.T) {
	store := rotor.NewMemoryStore()
	random := rotor.WithRandom(newSeededReader(1))
	var wg sync.WaitGroup
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
		svc := rotor.New(store, rotor.WithRegion(region), random)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				_, err := svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: fmt.Sprintf("s%d", i), SecretString: "v"})
				require.NoError(t, err)
			}
		}()
	}
	wg.Wait()
}
