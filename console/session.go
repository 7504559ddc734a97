package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// cookieName is the session cookie's name.
const cookieName = "rotor_console"

// Session limits.
const (
	// sessionIdle is how long a session lasts without a request.
	sessionIdle = 8 * time.Hour
	// maxSessions bounds the sessions kept; past it the oldest go.
	maxSessions = 10000
)

// session is one browser's: its CSRF token and, once signed in, the keys
// the console signs its calls with. The keys stay on the server; the
// browser holds only the random session id.
type session struct {
	id, csrf                     string
	accessKeyID, secretAccessKey string
	principal                    string
	lastUsed                     time.Time
}

// String never shows the keys.
func (s *session) String() string { return "session(" + s.accessKeyID + ")" }

// GoString is String.
func (s *session) GoString() string { return s.String() }

// signedIn reports whether the session holds keys.
func (s *session) signedIn() bool { return s.accessKeyID != "" }

// sessions are the console's sessions, by id.
type sessions struct {
	now  func() time.Time
	path string // the cookie's Path: the console's
	mu   sync.Mutex
	m    map[string]*session
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: no random bytes: " + err.Error()) // crypto/rand does not fail
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// get returns the live session named by r's cookie, or nil.
func (ss *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[c.Value]
	if s == nil {
		return nil
	}
	if now.Sub(s.lastUsed) > sessionIdle {
		delete(ss.m, s.id)
		return nil
	}
	s.lastUsed = now
	cp := *s
	return &cp
}

// start makes a new session (replacing old, if any, so that signing in
// always gets a fresh id) and sets its cookie.
func (ss *sessions) start(w http.ResponseWriter, r *http.Request, old *session, keyID, secret, principal string) *session {
	s := &session{id: randomToken(), csrf: randomToken(), accessKeyID: keyID, secretAccessKey: secret, principal: principal, lastUsed: ss.now()}
	ss.mu.Lock()
	if old != nil {
		delete(ss.m, old.id)
	}
	if len(ss.m) >= maxSessions {
		ss.dropOldest()
	}
	ss.m[s.id] = s
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: s.id, Path: ss.path,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	cp := *s
	return &cp
}

// end forgets s and clears its cookie.
func (ss *sessions) end(w http.ResponseWriter, r *http.Request, s *session) {
	if s != nil {
		ss.mu.Lock()
		delete(ss.m, s.id)
		ss.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: ss.path, MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

func (ss *sessions) dropOldest() {
	var oldest *session
	for _, s := range ss.m {
		if oldest == nil || s.lastUsed.Before(oldest.lastUsed) {
			oldest = s
		}
	}
	if oldest != nil {
		delete(ss.m, oldest.id)
	}
}

// validCSRF reports whether a form's token is the session's.
func validCSRF(s *session, token string) bool {
	return s != nil && token != "" && subtle.ConstantTimeCompare([]byte(s.csrf), []byte(token)) == 1
}
