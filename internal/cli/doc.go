// Package cli is the command line of rotor: `rotor <operation> [flags]` for
// every Secrets Manager operation, with the aws CLI's operation names, flags,
// input syntax, output and exit statuses, so that a user who knows
// `aws secretsmanager` knows rotor.
//
// [Run] takes a command line and an [API] (a *rotor.Service for local use,
// or a [Remote], which calls an endpoint through the AWS SDK for Go v2) and
// returns the exit status. [ParseGlobals] reads the global options
// (--endpoint-url, --region, --profile, and the caller's own, see
// [GlobalOption]) for a caller that must pick the API first. Run does what
// `aws secretsmanager <operation>` does:
//
//   - Flags are the input members in the aws CLI's spelling (--secret-id,
//     --rotation-rules, ...); boolean members have a --no- form.
//   - Structures and lists take JSON or the shorthand syntax
//     (AutomaticallyAfterDays=10,Duration=2h; Key=a,Value=b Key=c,Value=d;
//     Key=name,Values=a,b), see [ParseShorthand]. Values may be file://PATH
//     (text) or fileb://PATH (bytes); blobs are otherwise base64, as in aws
//     CLI v2.
//   - --cli-input-json and --cli-input-yaml read the whole input (flags on the
//     command line override its members); --generate-cli-skeleton [input |
//     yaml-input | output] prints the skeletons the aws CLI prints (for most
//     operations the aws CLI refuses its own sample output, "Parameter
//     validation failed", exit 252, and so does rotor).
//   - Output is the aws CLI's JSON (4-space indentation, the service model's
//     member order, dates as ISO 8601 with microseconds and offset), or
//     --output yaml or text; --query filters it with JMESPath. list-secrets
//     fetches every page unless --no-paginate, with --starting-token,
//     --page-size and --max-items.
//   - A service error prints "An error occurred (Code) when calling the Op
//     operation: message" on stderr and exits 254; bad usage exits 252; any
//     other failure exits 255.
//
// The reference is Debian's awscli package (aws CLI 2.9.19), whose model has
// no BatchGetSecretValue; that operation comes from a newer botocore model.
// Members that rotor does not implement (replication) are accepted empty, as
// in a skeleton, and refused otherwise. --output table is not supported.
//
// The operations, their members, documentation and constraints come from the
// Secrets Manager service model of botocore (Apache License 2.0), embedded as
// model.json; testdata/genmodel.py writes it from the installed aws CLI.
package cli
