package console

import (
	"bytes"
	"embed"
	"encoding/base64"
	"html"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rotorkit/rotor"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Config configures a Console.
type Config struct {
	// API is the Secrets Manager endpoint the console calls for everything
	// it shows and does (an *awsapi.Handler): every call is signed as the
	// signed-in principal and goes through the API's own signature check,
	// authorization, validation and observers (the audit trail). Required.
	API http.Handler
	// Region is the Region shown first. Empty means us-east-1.
	Region string
	// Signed says the API checks signatures (credentials are configured):
	// the console then asks for an access key id and secret access key and
	// signs its calls with them. Without, the console is open: anyone who
	// reaches it acts unsigned, so it answers only requests from loopback
	// addresses to loopback host names.
	Signed bool
	// Principal, when set, names the principal of an access key id, to show
	// who is signed in; ok is false for a key it does not know.
	Principal func(accessKeyID string) (arn string, ok bool)
	// History is where the secrets' events are kept for the timelines and
	// rotation histories; subscribe its Record to every Region's service.
	// Nil means a new one, which sees no events unless subscribed: get it
	// with Console.History.
	History *History
	// Prefix is the path the console is served under, with a trailing
	// slash. Empty means "/console/".
	Prefix string
	// Now is the clock of the schedule strip and the sessions. Nil means
	// time.Now.
	Now func() time.Time
	// Logger receives what goes wrong inside the console, never a value
	// or a key. Nil means slog.Default().
	Logger *slog.Logger
}

// Console serves the web console: the secrets, their versions and labels
// over time, their rotation, and actions on them. It is an http.Handler for
// the paths under Config.Prefix, safe for concurrent use.
type Console struct {
	cfg      Config
	logger   *slog.Logger
	pages    map[string]*template.Template
	sessions *sessions
	assets   http.Handler
}

// New returns a Console for cfg.
func New(cfg Config) *Console {
	if cfg.API == nil {
		panic("console: Config.API is required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/console/"
	}
	if !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.History == nil {
		cfg.History = NewHistory(0, 0)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err)
	}
	c := &Console{cfg: cfg, logger: logger, sessions: &sessions{now: cfg.Now, path: cfg.Prefix, m: make(map[string]*session)},
		assets: http.StripPrefix(cfg.Prefix+"assets/", http.FileServer(http.FS(sub)))}
	c.pages = make(map[string]*template.Template)
	for _, page := range []string{"list", "secret", "login", "message"} {
		c.pages[page] = template.Must(template.New("layout.html").Funcs(c.funcs()).
			ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html"))
	}
	return c
}

// History returns the History the console draws from.
func (c *Console) History() *History { return c.cfg.History }

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Pages may show a value the user asked for: never cached, framed or
	// sniffed, and no script or style from anywhere but here.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	if !c.cfg.Signed && !localRequest(r) {
		c.message(w, r, nil, http.StatusForbidden, "This console is open",
			"No credentials are configured, so the console signs nothing and answers only on loopback (from this machine, to localhost or 127.0.0.1). Configure credentials to use it from elsewhere.")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, c.cfg.Prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if strings.HasPrefix(path, "assets/") {
		c.assets.ServeHTTP(w, r)
		return
	}
	s := c.sessions.get(r)
	if path == "login" {
		c.login(w, r, s)
		return
	}
	if s == nil || (c.cfg.Signed && !s.signedIn()) {
		if c.cfg.Signed {
			http.Redirect(w, r, c.cfg.Prefix+"login", http.StatusSeeOther)
			return
		}
		// An open console still needs a session: it holds the CSRF token.
		s = c.sessions.start(w, r, s, "", "", "")
	}
	switch path {
	case "":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET")
			return
		}
		c.list(w, r, s)
	case "secret":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			c.secret(w, r, s, nil)
		case http.MethodPost:
			c.action(w, r, s)
		default:
			methodNotAllowed(w, "GET, POST")
		}
	case "logout":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		if !validCSRF(s, r.PostFormValue("csrf")) {
			c.message(w, r, s, http.StatusForbidden, "Refused", "The form's token is missing or stale: reload the page and try again.")
			return
		}
		c.sessions.end(w, r, s)
		http.Redirect(w, r, c.cfg.Prefix, http.StatusSeeOther)
	default:
		c.message(w, r, s, http.StatusNotFound, "Not found", "There is no page "+r.URL.Path+".")
	}
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}

// localRequest reports whether r came from a loopback address to a
// loopback host name: an open console refuses anything else, including a
// page of another site that a DNS name pointing at 127.0.0.1 would let in.
func localRequest(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return false
	}
	name := r.Host
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	name = strings.Trim(name, "[]")
	if name == "localhost" {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

// base is what every page's layout shows.
type base struct {
	Title    string
	Prefix   string
	Open     bool
	SignedIn bool
	Who      string
	CSRF     string
	Region   string
	Secure   bool
	ServedAt time.Time
	// Refresh, when set, is the attribute content="2; url=..." of a meta
	// refresh (no script) that reloads the page while a rotation the user
	// follows runs. The address is given, without a fragment: a refresh to
	// the page's own address with one would only scroll.
	Refresh template.HTMLAttr
}

// refreshAttr is the content attribute of a meta refresh to link, an
// address the console made.
func refreshAttr(link string) template.HTMLAttr {
	return template.HTMLAttr(`content="2; url=` + html.EscapeString(link) + `"`)
}

func (c *Console) base(r *http.Request, s *session, title string) base {
	b := base{Title: title, Prefix: c.cfg.Prefix, Open: !c.cfg.Signed, Region: c.cfg.Region, Secure: r.TLS != nil, ServedAt: c.cfg.Now().UTC()}
	if s != nil {
		b.CSRF = s.csrf
		b.SignedIn = s.signedIn()
		b.Who = s.principal
		if b.Who == "" {
			b.Who = s.accessKeyID
		}
	}
	return b
}

// render executes a page into a buffer first, so that a failing template
// sends an error rather than half a page.
func (c *Console) render(w http.ResponseWriter, status int, page string, data any) {
	var buf bytes.Buffer
	if err := c.pages[page].Execute(&buf, data); err != nil {
		c.logger.Error("console: rendering a page failed", "page", page, "error", err.Error())
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	clear(buf.Bytes()) // it may hold the value the user asked for
}

type messagePage struct {
	base
	Heading, Text string
}

func (c *Console) message(w http.ResponseWriter, r *http.Request, s *session, status int, heading, text string) {
	c.render(w, status, "message", messagePage{base: c.base(r, s, heading), Heading: heading, Text: text})
}

func (c *Console) funcs() template.FuncMap {
	return template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05Z")
		},
		"day": func(t time.Time) string { return t.UTC().Format("Mon 2 Jan") },
		"hm":  func(t time.Time) string { return t.UTC().Format("15:04") },
		"short": func(id string) string {
			if len(id) > 8 {
				return id[:8]
			}
			return id
		},
		"join":   strings.Join,
		"base64": base64.StdEncoding.EncodeToString,
		"labelClass": func(l string) string {
			switch l {
			case rotor.StageCurrent:
				return "current"
			case rotor.StagePrevious:
				return "previous"
			case rotor.StagePending:
				return "pending"
			}
			return "custom"
		},
	}
}
