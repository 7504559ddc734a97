// Package rotators holds ready-made rotation functions in Go: the database
// rotators of AWS's Python templates (single user and alternating users, for
// PostgreSQL in package rotators/postgres and MySQL or MariaDB in
// rotators/mysql) and a random-value rotator for a secret that is itself the
// credential (an API key, an HMAC key).
//
// Every rotator is a rotor.Rotator that does its work through a SecretsAPI,
// the five Secrets Manager operations a rotation function calls: rotor's own
// *rotor.Service in-process, or the AWS SDK client through package
// rotators/awssdk. The same rotator therefore runs inside `rotor serve`
// (--rotation-function NAME=KIND), inside a Go program registered with a
// rotor.FunctionRegistry, and on AWS Lambda (cmd/rotor-lambda). Package
// rotators/builtin maps the kind names to rotators.
//
// A database secret is the JSON AWS uses for database credentials:
//
//	{"engine": "postgres", "host": "db.example.com", "port": 5432,
//	 "username": "app", "password": "…", "dbname": "app",
//	 "masterarn": "arn:aws:secretsmanager:…", "ssl": true}
//
// engine, host, username and password are required; port defaults to the
// engine's; masterarn is required by the alternating-users rotators; ssl is
// true (TLS, verified), false (no TLS) or absent (TLS when the server offers
// it). Fields rotor does not know are kept as they are.
//
// Every step is idempotent, as Secrets Manager requires: a crash or a retry
// at any step finishes the same rotation, and the credentials AWSCURRENT
// names keep logging in until finishSecret moves AWSCURRENT. Passwords never
// appear in errors or logs.
package rotators
