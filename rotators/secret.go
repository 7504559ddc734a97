package rotators

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Engines rotor's database rotators know, as the secret's engine field names
// them. MySQL secrets may also say "mariadb", as RDS secrets of MariaDB do.
const (
	EnginePostgres = "postgres"
	EngineMySQL    = "mysql"
	EngineMariaDB  = "mariadb"
)

// knownEngines are the engine names of AWS's database secrets.
var knownEngines = []string{EnginePostgres, EngineMySQL, EngineMariaDB, "oracle", "sqlserver", "redshift", "db2", "mongo", "docdb", "aurora-postgresql", "aurora-mysql"}

// DatabaseSecret is a parsed database secret. Its String, GoString and
// LogValue leave the password out, so printing or logging one never shows
// it.
type DatabaseSecret struct {
	Engine    string
	Host      string
	Port      int
	Username  string
	Password  string
	DBName    string
	MasterARN string
	// SSL is nil when the secret has no ssl field: try TLS, fall back to
	// a plain connection.
	SSL *bool

	// fields is the whole JSON object, so that Marshal keeps the fields
	// rotor does not know.
	fields map[string]json.RawMessage
}

// FormatError is a secret that is not a database secret rotor can rotate.
// Field names the JSON field at fault; the message never holds a password.
type FormatError struct {
	Field  string
	Reason string
}

// Error returns `secret field "F": reason` (or the reason alone).
func (e *FormatError) Error() string {
	if e.Field == "" {
		return "not a database secret: " + e.Reason
	}
	return fmt.Sprintf("database secret field %q: %s", e.Field, e.Reason)
}

// ParseDatabaseSecret reads value, a database secret in AWS's JSON format,
// for an engine among engines (a secret's engine must be one of them; none
// means any). Errors are *FormatError.
func ParseDatabaseSecret(value string, engines ...string) (DatabaseSecret, error) {
	var s DatabaseSecret
	dec := json.NewDecoder(strings.NewReader(value))
	dec.UseNumber()
	if err := dec.Decode(&s.fields); err != nil || s.fields == nil {
		return s, &FormatError{Reason: "the value is not a JSON object"}
	}
	if dec.More() {
		return s, &FormatError{Reason: "text after the JSON object"}
	}
	var err error
	if s.Engine, err = s.str("engine", true); err != nil {
		return s, err
	}
	if len(engines) > 0 && !contains(engines, s.Engine) {
		got := "an engine rotor does not know"
		if contains(knownEngines, s.Engine) {
			got = fmt.Sprintf("%q", s.Engine) // only known names are shown: the field could hold anything
		}
		return s, &FormatError{Field: "engine", Reason: fmt.Sprintf("%s, not one of %s: this rotator does not rotate that engine", got, strings.Join(engines, ", "))}
	}
	if s.Host, err = s.str("host", true); err != nil {
		return s, err
	}
	if s.Username, err = s.str("username", true); err != nil {
		return s, err
	}
	if s.Password, err = s.str("password", true); err != nil {
		return s, err
	}
	if s.DBName, err = s.str("dbname", false); err != nil {
		return s, err
	}
	if s.MasterARN, err = s.str("masterarn", false); err != nil {
		return s, err
	}
	if s.Port, err = s.port(); err != nil {
		return s, err
	}
	if s.SSL, err = s.ssl(); err != nil {
		return s, err
	}
	return s, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *DatabaseSecret) str(field string, required bool) (string, error) {
	raw, ok := s.fields[field]
	if !ok || string(raw) == "null" {
		if required {
			return "", &FormatError{Field: field, Reason: "missing"}
		}
		return "", nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", &FormatError{Field: field, Reason: "not a string"}
	}
	if required && v == "" {
		return "", &FormatError{Field: field, Reason: "empty"}
	}
	return v, nil
}

// port reads the port, a number or a string of digits (both appear in
// secrets AWS's consoles write).
func (s *DatabaseSecret) port() (int, error) {
	raw, ok := s.fields["port"]
	if !ok || string(raw) == "null" {
		return 0, nil
	}
	text := string(raw)
	var str string
	if json.Unmarshal(raw, &str) == nil {
		text = str
	}
	p, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || p < 1 || p > 65535 {
		return 0, &FormatError{Field: "port", Reason: "not a port number from 1 to 65535"}
	}
	return p, nil
}

// ssl reads the ssl field: a boolean, or "true"/"false" as a string.
func (s *DatabaseSecret) ssl() (*bool, error) {
	raw, ok := s.fields["ssl"]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return &b, nil
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		if b, err := strconv.ParseBool(strings.TrimSpace(str)); err == nil {
			return &b, nil
		}
	}
	return nil, &FormatError{Field: "ssl", Reason: "not true or false"}
}

// WithUser returns a copy of s that names username and password instead.
func (s DatabaseSecret) WithUser(username, password string) DatabaseSecret {
	s.Username, s.Password = username, password
	return s
}

// Marshal returns s as a JSON object: the fields it was parsed from, with
// the known ones (engine, host, port, username, password, dbname,
// masterarn, ssl) as s has them now; an empty optional one is left out.
func (s DatabaseSecret) Marshal() (string, error) {
	out := make(map[string]any, len(s.fields)+8)
	for k, v := range s.fields {
		out[k] = v
	}
	set := func(k string, v any, keep bool) {
		if keep {
			out[k] = v
		} else {
			delete(out, k)
		}
	}
	set("engine", s.Engine, true)
	set("host", s.Host, true)
	set("username", s.Username, true)
	set("password", s.Password, true)
	set("port", s.Port, s.Port != 0)
	set("dbname", s.DBName, s.DBName != "")
	set("masterarn", s.MasterARN, s.MasterARN != "")
	set("ssl", s.SSL, s.SSL != nil)
	b, err := marshalText(out)
	return string(b), err
}

// Addr returns host:port, with defaultPort when the secret names none.
func (s DatabaseSecret) Addr(defaultPort int) string {
	port := s.Port
	if port == 0 {
		port = defaultPort
	}
	host := s.Host
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]" // an IPv6 address
	}
	return host + ":" + strconv.Itoa(port)
}

// String describes s without its password.
func (s DatabaseSecret) String() string {
	addr := s.Host
	if s.Port != 0 {
		addr = s.Addr(0)
	}
	return fmt.Sprintf("%s://%s@%s/%s", s.Engine, s.Username, addr, s.DBName)
}

// GoString is String: %#v never shows the password either.
func (s DatabaseSecret) GoString() string { return s.String() }

// LogValue implements slog.LogValuer without the password.
func (s DatabaseSecret) LogValue() slog.Value {
	return slog.GroupValue(slog.String("engine", s.Engine), slog.String("host", s.Host),
		slog.Int("port", s.Port), slog.String("username", s.Username), slog.String("dbname", s.DBName))
}
