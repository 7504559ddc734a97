package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// The server's timeouts. A Secrets Manager request is a few headers and a
// body of at most a few hundred kilobytes, sent at once by the SDKs: a
// client that takes longer is broken or is holding the connection on
// purpose.
const (
	// readHeaderTimeout bounds the TLS handshake and the request's headers.
	readHeaderTimeout = 5 * time.Second
	// readTimeout bounds the whole request, body included.
	readTimeout = 15 * time.Second
	// idleTimeout closes a keep-alive connection that sends no request.
	idleTimeout = 60 * time.Second
	// maxHeaderBytes bounds the headers of a request.
	maxHeaderBytes = 64 << 10
	// defaultMaxConnections is --max-connections' default.
	defaultMaxConnections = 1024
	// reservedFiles are the file descriptors kept for everything but the
	// clients: the store, its keys, the Lambda and PostgreSQL connections.
	reservedFiles = 64
)

// connGuard keeps a server within its connection limit without letting
// idle connections starve the others. netutil.LimitListener bounds the
// connections; once they reach the limit, connGuard closes the connection
// that has waited longest without a request in progress (one that has sent
// nothing yet, or a keep-alive connection between requests), so that the
// next client is accepted at once. A request in progress is never cut: its
// timeouts bound it.
type connGuard struct {
	max    int
	logger *slog.Logger

	mu       sync.Mutex
	conns    map[net.Conn]*guardedConn
	seq      uint64
	closed   int       // connections closed to make room since the last warning
	lastWarn time.Time // when that warning was logged
}

// guardedConn is what connGuard knows of one connection.
type guardedConn struct {
	waiting bool   // no request in progress: new, or idle between requests
	since   uint64 // order in which connections started to wait
}

func newConnGuard(max int, logger *slog.Logger) *connGuard {
	return &connGuard{max: max, logger: logger, conns: make(map[net.Conn]*guardedConn)}
}

// listener bounds ln to the guard's limit.
func (g *connGuard) listener(ln net.Listener) net.Listener { return netutil.LimitListener(ln, g.max) }

// track is the http.Server's ConnState hook.
func (g *connGuard) track(c net.Conn, state http.ConnState) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch state {
	case http.StateNew:
		g.seq++
		g.conns[c] = &guardedConn{waiting: true, since: g.seq}
		if len(g.conns) >= g.max {
			g.makeRoomLocked(c)
		}
	case http.StateIdle:
		if gc := g.conns[c]; gc != nil {
			g.seq++
			gc.waiting, gc.since = true, g.seq
		}
	case http.StateActive:
		if gc := g.conns[c]; gc != nil {
			gc.waiting = false
		}
	case http.StateClosed, http.StateHijacked:
		delete(g.conns, c)
	}
}

// makeRoomLocked closes the connection that has waited longest without a
// request, other than the one just accepted.
func (g *connGuard) makeRoomLocked(accepted net.Conn) {
	var (
		victim net.Conn
		oldest uint64
	)
	for c, gc := range g.conns {
		if c != accepted && gc.waiting && (victim == nil || gc.since < oldest) {
			victim, oldest = c, gc.since
		}
	}
	if victim == nil {
		return // every other connection has a request in progress
	}
	delete(g.conns, victim)
	// A TLS close writes an alert, which may wait on the peer: not under
	// the lock.
	go victim.Close()
	g.closed++
	if now := time.Now(); now.Sub(g.lastWarn) >= time.Minute {
		g.logger.Warn("connection limit reached: closing the connections that wait longest without a request",
			"max_connections", g.max, "closed", g.closed)
		g.closed, g.lastWarn = 0, now
	}
}

// checkMaxConnections refuses a limit that the process's open-file limit
// cannot hold, which would fail accepts and the store's own files instead.
func checkMaxConnections(n int) error {
	if n < 1 {
		return fmt.Errorf("--max-connections %d: want at least 1", n)
	}
	if limit, ok := openFileLimit(); ok && uint64(n)+reservedFiles > limit {
		return fmt.Errorf("--max-connections %d: the open-file limit of this process is %d, which must leave %d for the store and outgoing connections; lower --max-connections or raise the limit (ulimit -n)",
			n, limit, reservedFiles)
	}
	return nil
}

// certReloader serves the certificate of --tls-cert and --tls-key, read
// again when either file changes, so that a renewed certificate is served
// without a restart. A renewal that does not load is logged and the
// previous certificate kept.
type certReloader struct {
	certFile, keyFile string
	logger            *slog.Logger

	mu        sync.Mutex
	cert      *tls.Certificate
	stamp     string // modification times and sizes of both files
	checkedAt time.Time
}

// certCheckInterval is how often a handshake looks at the files again.
const certCheckInterval = 10 * time.Second

func newCertReloader(certFile, keyFile string, logger *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, logger: logger}
	stamp, err := r.fileStamp()
	if err != nil {
		return nil, err
	}
	if err := r.load(stamp); err != nil {
		return nil, err
	}
	return r, nil
}

// fileStamp identifies the files' current contents; it also refuses a key
// file that others may read.
func (r *certReloader) fileStamp() (string, error) {
	var stamp string
	for _, f := range []struct{ flag, path string }{{"--tls-cert", r.certFile}, {"--tls-key", r.keyFile}} {
		info, err := os.Stat(f.path)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.flag, err)
		}
		if perm := info.Mode().Perm(); f.flag == "--tls-key" && perm&0o077 != 0 {
			return "", fmt.Errorf("%s: %s has mode %#o: others may read it; make it 0600", f.flag, f.path, perm)
		}
		stamp += fmt.Sprintf("%d/%d;", info.ModTime().UnixNano(), info.Size())
	}
	return stamp, nil
}

func (r *certReloader) load(stamp string) error {
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		// The error names the files and the problem, never the key.
		return fmt.Errorf("--tls-cert and --tls-key: %w", err)
	}
	r.cert, r.stamp = &cert, stamp
	return nil
}

// getCertificate is tls.Config.GetCertificate.
func (r *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.checkedAt) >= certCheckInterval {
		r.checkedAt = now
		stamp, err := r.fileStamp()
		if err == nil && stamp != r.stamp {
			err = r.load(stamp)
			if err == nil {
				r.logger.Info("loaded the renewed TLS certificate", "tls_cert", r.certFile)
			}
		}
		if err != nil {
			r.logger.Error("keeping the TLS certificate loaded before", "error", err)
		}
	}
	return r.cert, nil
}

// tlsConfig is the server's TLS configuration: TLS 1.2 and later, Go's
// cipher suites, the certificate of r.
func (r *certReloader) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.getCertificate}
}
