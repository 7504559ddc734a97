// Package awsapi serves rotor over the AWS Secrets Manager wire protocol, so
// that unchanged AWS SDKs, the aws command and rotation Lambdas talk to rotor
// as they talk to AWS.
//
// The protocol is AWS JSON 1.1: every operation is POST / with the header
// X-Amz-Target: secretsmanager.<Operation>, a JSON body whose members carry the
// API model's PascalCase names, and a JSON reply. Timestamps travel as epoch
// seconds with a millisecond fraction, SecretBinary as standard base64, and
// errors as {"__type": code, "Message": text} with HTTP 400 (500 for
// InternalServiceError). Every reply carries an x-amzn-RequestId header.
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
// Signature Version 4 (header form) for service secretsmanager; the expected
// signature is computed with the AWS SDK's signer. Without credentials,
// unsigned requests are accepted and a signature, if any, only names the
// region.
package awsapi
