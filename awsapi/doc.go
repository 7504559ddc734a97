// Package awsapi serves rotor over the AWS Secrets Manager wire protocol, so
// that unchanged AWS SDKs, the aws command and rotation Lambdas talk to rotor
// as they talk to AWS.
//
//	http.ListenAndServe("127.0.0.1:8000", awsapi.NewHandler(awsapi.Config{}))
//
// serves a fresh memory store in us-east-1 without authentication; Config
// names the store, the region and account, the credentials and policies, and
// the rotation engine of each region.
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
// CreateSecret, UpdateSecret, PutSecretValue and RotateSecret ("You must
// provide a ClientRequestToken value. We recommend a UUID-type value.", an
// InvalidRequestException, but an InvalidParameterException for
// RotateSecret, as AWS answers).
//
// RotationRules that were sent are never read as absent: an object with no
// member, or with AutomaticallyAfterDays 0 alone, reaches the service as a
// non-nil zero rotor.RotationRules, which it refuses; an
// AutomaticallyAfterDays below 1 sent together with a ScheduleExpression is
// refused with the InvalidParameterException rotor.ParseSchedule gives for
// that number of days, and an empty ScheduleExpression or Duration is a
// ValidationException. Only an absent or null RotationRules keeps the stored
// rules.
//
// One Handler serves every region, as the emulators users know do. A
// request's region is the region of its SigV4 credential scope, else the
// configured default (Config.Region). Secrets are kept apart per region in
// one shared Store, and their ARNs carry it. A region name must have AWS's
// form, as the regionRegex of each partition in the AWS SDKs' endpoint
// metadata has it, with lower-case letters: a partition's prefix (us, eu, ap,
// sa, ca, me, af, il, mx, cn, us-gov, us-iso, us-isob, us-isof, eu-isoe or
// eusc-de), a direction and a number, joined by '-' (us-east-1,
// ap-southeast-4, us-gov-west-1, cn-north-1, us-isob-east-1), at most 32
// characters. A request naming another is refused with an
// IncompleteSignatureException (an InvalidSignatureException when signatures
// are checked) that says the form.
//
// A region costs nothing until a secret is written there. The Handler keeps
// a *rotor.Service (built with Config.NewService, the place of a rotation
// engine) only for a region where the store holds a secret — written by a
// CreateSecret, or found stored when a request names the region after a
// restart — and for the regions passed to Handler.Service; it keeps at most
// MaxRegions, beyond which a CreateSecret in a new region is a
// LimitExceededException. Any other request in a region where no secret is
// stored, a read or a failed write, runs on a service of rotor.New that is
// dropped after it, and keeps nothing.
//
// When credentials are configured, every request must carry a valid AWS
// Signature Version 4 for service secretsmanager, in the Authorization header
// with an X-Amz-Date header, dated within 5 minutes of the server's clock; the
// expected signature is computed with the AWS SDK's signer over exactly the
// headers the client signed and the body received. The signed headers must
// include host, x-amz-date, content-type and x-amz-target, as the AWS SDKs
// sign them, so that a signed request cannot be replayed as another
// operation or media type: a signature that leaves one out is an
// InvalidSignatureException naming it. Presigned URLs and the Date header
// form are not accepted, and an X-Amz-Security-Token is signed but not
// checked: there are no session credentials. Without credentials, unsigned requests are accepted and a
// signature, if any, only names the region.
//
// # Authorization
//
// When Config.Principals is set, every operation is authorized before it
// runs, with package policy, as secretsmanager:<Operation> by the principal
// of the verified signature: its identity policies and the resource policy
// of the secret (parsed once per document text and cached) decide, an
// explicit Deny winning. A refusal is an AccessDeniedException (HTTP 400)
// with AWS's message and changes nothing. The core rotor.Service knows
// nothing of this; the handler reads the secret's record from the Store to
// learn its ARN, tags and policy.
//
// The resource is the ARN of the secret the SecretId names, found as the
// service finds it (name, ARN or partial ARN). A SecretId that names no
// secret is authorized on the ARN it names (a name N becomes
// arn:aws:secretsmanager:REGION:ACCOUNT:secret:N-??????), so a caller no
// policy allows gets AccessDeniedException, not ResourceNotFoundException.
// The refusal names the SecretId as the caller sent it, as AWS does ("User:
// P is not authorized to perform: secretsmanager:Op on resource: SecretId
// because no identity-based policy allows the secretsmanager:Op action"),
// never the ARN found for it, whose random suffix would tell a caller
// without rights that the secret exists; so do the AccessDeniedException
// entries of BatchGetSecretValue.
// CreateSecret is authorized on that same ARN of the new name, which
// "secret:prod/*" and "secret:N-??????" match, and also needs
// secretsmanager:TagResource when it carries tags. ListSecrets,
// GetRandomPassword and BatchGetSecretValue are authorized on "*";
// BatchGetSecretValue also needs ListSecrets when it has Filters, and
// GetSecretValue on each secret: a secret it may not read becomes an
// AccessDeniedException entry of Errors, without being read, while the others
// are returned. ValidateResourcePolicy is authorized on its secret, or on "*"
// without one. RotateSecret also needs lambda:InvokeFunction on the rotation
// function (the one it names, else the stored one), checked against the
// identity policies; refused, nothing is saved. ReplicateSecretToRegions,
// RemoveRegionsFromReplication and StopReplicationToReplica are authorized on
// their secret (the primary; for StopReplicationToReplica the replica, in its
// own Region). A replica is a secret created in its Region on the caller's
// behalf: ReplicateSecretToRegions, and CreateSecret with AddReplicaRegions
// (which also needs secretsmanager:ReplicateSecretToRegions, as AWS asks),
// need secretsmanager:CreateSecret on the name's ARN in each replica Region.
//
// The condition keys of a request are aws:PrincipalArn, aws:CurrentTime
// (the Handler's clock), aws:SecureTransport ("false" over plain HTTP), and
// for a secret secretsmanager:Name, secretsmanager:SecretId (its ARN),
// secretsmanager:ResourceTag/<key> and aws:ResourceTag/<key> (its tags);
// aws:RequestTag/<key> and aws:TagKeys come from the Tags of CreateSecret and
// TagResource, aws:TagKeys from the TagKeys of UntagResource;
// secretsmanager:VersionStage and secretsmanager:VersionId from
// GetSecretValue, secretsmanager:VersionStage from the VersionStages of
// PutSecretValue and the VersionStage of UpdateSecretVersionStage;
// secretsmanager:RotationLambdaARN from the RotationLambdaARN RotateSecret
// is given; secretsmanager:RecoveryWindowInDays from DeleteSecret. ARNs are
// built in the aws partition.
//
// Calls that list secrets (ListSecrets, and BatchGetSecretValue with
// Filters) run at most Config.MaxConcurrentLists at once (16 by default,
// DefaultMaxConcurrentLists), whatever their regions; one more is refused at
// once, after authorization and before it reads the store, with
// ThrottlingException "Rate exceeded" (HTTP 400), which the AWS SDKs and
// the aws command retry with back-off, as they retry AWS's own throttling.
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
// A body is decoded exactly or refused, never bent into another value: these
// too are SerializationExceptions, whose message names the member or the byte
// at fault (never a value):
//
//   - text that is not UTF-8, or a string with a \u escape of half a UTF-16
//     surrogate pair without its other half (\ud800 alone): such a body is
//     not JSON text (RFC 8259, section 8), and a decoder would store U+FFFD
//     instead of what was sent, in SecretString or any other member;
//   - a member name that matches a member of the API model only when case is
//     ignored ("secretid"; "\u212aey", with a Kelvin sign, for Key): member
//     names are case-sensitive, as on AWS;
//   - a member name twice in one object, at any depth (RFC 7493, section 2.3).
//
// Members the API model does not have are ignored. The check costs no
// second parse when every member name is plain (unescaped ASCII, nested at
// most 16 objects deep), as the SDKs send them; any other body is read value
// by value, and refused as too complex beyond 10000 values.
//
// RotateSecret runs the rotation steps before it answers. A step that fails
// is not an error of the call, as on AWS, where the steps run after the
// reply: the reply carries ARN, Name and VersionId, the rotation stays
// pending, and the log records the failed step.
package awsapi
