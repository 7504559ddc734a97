// Package awsapi serves rotor over the AWS Secrets Manager wire protocol, so
// that unchanged AWS SDKs, the aws command and rotation Lambdas talk to rotor
// as they talk to AWS.
//
// The protocol is AWS JSON 1.1: every operation is POST / with the header
// X-Amz-Target: secretsmanager.<Operation>, a JSON body whose members carry the
// API model's PascalCase names, and a JSON reply. Timestamps travel as epoch
// seconds with a millisecond fraction, SecretBinary as standard base64, and
// errors as {"__type": code, "Message": text} with HTTP 400 (500 for
// InternalServiceError, 403 for MissingAuthenticationTokenException). Every
// reply carries an x-amzn-RequestId header (a UUID).
//
// The Handler is a thin codec over *rotor.Service: it decodes, calls the
// operation and encodes; the rules live in the service. It only decides what
// the Go API cannot see: whether a member was sent at all (an explicit empty
// SecretString is a ValidationException, not an absent value) and whether a
// raw request carries the ClientRequestToken that AWS demands of
// CreateSecret, UpdateSecret, PutSecretValue and RotateSecret.
//
// One Handler serves every region, as the emulators users know do. A
// request's region is the region of its SigV4 credential scope, else the
// configured default; each region gets its own *rotor.Service over one shared
// Store, created on first use, so secrets are kept apart per region and their
// ARNs carry it.
//
// When credentials are configured, every request must carry a valid AWS
// Signature Version 4 for service secretsmanager, in the Authorization header
// with an X-Amz-Date header (both signed, with host), dated within 5 minutes
// of the server's clock; the expected signature is computed with the AWS
// SDK's signer over exactly the headers the client signed and the body
// received. Presigned URLs and the Date header form are not accepted, and an
// X-Amz-Security-Token is signed but not checked: there are no session
// credentials. Without credentials, unsigned requests are accepted and a
// signature, if any, only names the region.
//
// Request bodies are limited to Config.MaxBodyBytes (1 MiB by default).
// Malformed requests are answered with 4xx errors and run nothing: a body
// that is not JSON or has a member of the wrong type is a
// SerializationException, an unknown X-Amz-Target an
// UnknownOperationException, a Content-Type other than
// application/x-amz-json-1.1 (or application/json) an
// UnsupportedMediaTypeException (415), a body over the limit a
// RequestEntityTooLargeException (413).
//
// RotateSecret runs the rotation steps before it answers. A step that fails
// is not an error of the call, as on AWS, where the steps run after the
// reply: the reply carries ARN, Name and VersionId, the rotation stays
// pending, and the log records the failed step.
package awsapi
