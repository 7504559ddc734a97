package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/awsapi"
)

// lockedBuffer is a bytes.Buffer that a server may write while a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServeBoundsConcurrentListingsAsMaxConcurrentListsSays(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"the default", nil, "max_concurrent_lists=" + strconv.Itoa(awsapi.DefaultMaxConcurrentLists)},
		{"a bound given", []string{"--max-concurrent-lists", "3"}, "max_concurrent_lists=3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var logs lockedBuffer
			done := make(chan error, 1)
			go func() {
				done <- serve(ctx, append([]string{"--addr", "127.0.0.1:0", "--store", "memory"}, tc.args...), &logs)
			}()
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(logs.String(), "listening") && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			require.NoError(t, <-done)
			assert.Contains(t, logs.String(), tc.want)
		})
	}
}
