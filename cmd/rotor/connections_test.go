package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIdleAndSlowConnectionsDoNotStarveOtherClients holds many more
// connections than --max-connections allows, some silent and some sending
// their headers a byte at a time, then makes a normal request. The server
// must stay within its limit by closing the connections that wait without a
// request, and answer the normal request before any of the attackers'
// connections would have timed out (readHeaderTimeout): a server that only
// limited connections would make it wait for those timeouts.
func TestIdleAndSlowConnectionsDoNotStarveOtherClients(t *testing.T) {
	const limit, silent, slow = 20, 150, 50
	b := startBinary(t, "--max-connections", "20")
	go drain(b)
	addr := strings.TrimPrefix(b.url, "http://")

	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			_ = c.Close()
		}
	})
	for range silent {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range slow {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		conns = append(conns, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A request line, then a header that never ends.
			if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: rotor\r\nX-Slow: "); err != nil {
				return
			}
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				if _, err := io.WriteString(c, "a"); err != nil {
					return // the server closed it
				}
			}
		}()
	}
	t.Cleanup(func() { close(stop); wg.Wait() })

	// Well under readHeaderTimeout: only a server that makes room answers.
	ctx, cancel := context.WithTimeout(context.Background(), readHeaderTimeout/2)
	defer cancel()
	_, err := sdkOf(b).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("normal"), SecretString: aws.String("v")})
	require.NoError(t, err, "a normal request is answered while attackers hold connections")

	// The server closed all but a limit's worth of the attackers' connections.
	var closed int
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		var buf [1]byte
		if _, err := c.Read(buf[:]); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			closed++
		}
	}
	assert.GreaterOrEqual(t, closed, silent+slow-limit, "at most --max-connections stay open")
}
