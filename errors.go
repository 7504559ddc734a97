package rotor

import (
	"errors"
	"fmt"
)

// AWS error codes that rotor returns. They are the values of Error.Code and the
// "__type" of an error on the wire.
const (
	CodeResourceNotFound        = "ResourceNotFoundException"
	CodeInvalidParameter        = "InvalidParameterException"
	CodeInvalidRequest          = "InvalidRequestException"
	CodeResourceExists          = "ResourceExistsException"
	CodeLimitExceeded           = "LimitExceededException"
	CodeValidation              = "ValidationException"
	CodeInvalidNextToken        = "InvalidNextTokenException"
	CodeMalformedPolicyDocument = "MalformedPolicyDocumentException"
	CodePublicPolicy            = "PublicPolicyException"
	CodePreconditionNotMet      = "PreconditionNotMetException"
	CodeEncryptionFailure       = "EncryptionFailure"
	CodeDecryptionFailure       = "DecryptionFailure"
	CodeInternalServiceError    = "InternalServiceError"
	CodeAccessDenied            = "AccessDeniedException"
)

// Error is the one error type that the service returns. Code is the AWS error
// code (one of the Code constants) and Message is the text AWS would send with it.
// Err, when set, is the underlying cause (a store failure, a rotation function's
// error); it is reachable with errors.As and errors.Unwrap.
//
// An Error never contains a secret value.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error returns "Code: Message".
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code and either the same
// Message or no Message at all. The exported sentinels have no Message, so
// errors.Is(err, rotor.ErrResourceNotFound) matches every ResourceNotFoundException.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// Sentinels, one per AWS error code, for errors.Is. Whether a retry is safe is
// said on each: "safe" means the call changed nothing and may succeed later.
var (
	// ErrResourceNotFound: the secret, version or label does not exist. Nothing
	// changed; retrying the same call gives the same answer.
	ErrResourceNotFound = &Error{Code: CodeResourceNotFound}
	// ErrInvalidParameter: a parameter has a bad value. Nothing changed; do not
	// retry unchanged.
	ErrInvalidParameter = &Error{Code: CodeInvalidParameter}
	// ErrInvalidRequest: the request is not valid in the secret's current state
	// (scheduled for deletion, rotation in progress, ...). Nothing changed; a
	// retry may succeed once the state changes.
	ErrInvalidRequest = &Error{Code: CodeInvalidRequest}
	// ErrResourceExists: the secret or the ClientRequestToken already exists with
	// other content. Nothing changed; do not retry unchanged.
	ErrResourceExists = &Error{Code: CodeResourceExists}
	// ErrLimitExceeded: a quota (versions, labels, tags) would be exceeded.
	// Nothing changed; a retry may succeed after old versions age out.
	ErrLimitExceeded = &Error{Code: CodeLimitExceeded}
	// ErrValidation: the input breaks a constraint of the API model (a bad
	// name, an out-of-range length). Nothing changed; do not retry unchanged.
	ErrValidation = &Error{Code: CodeValidation}
	// ErrInvalidNextToken: the pagination token is not one rotor issued for
	// this call. Nothing changed.
	ErrInvalidNextToken = &Error{Code: CodeInvalidNextToken}
	// ErrMalformedPolicyDocument: the resource policy is not valid. Nothing changed.
	ErrMalformedPolicyDocument = &Error{Code: CodeMalformedPolicyDocument}
	// ErrPublicPolicy: BlockPublicPolicy refused a policy granting broad access.
	ErrPublicPolicy = &Error{Code: CodePublicPolicy}
	// ErrPreconditionNotMet: a precondition of the request is not met.
	ErrPreconditionNotMet = &Error{Code: CodePreconditionNotMet}
	// ErrEncryptionFailure: the value could not be encrypted (missing or wrong
	// key). Nothing was saved.
	ErrEncryptionFailure = &Error{Code: CodeEncryptionFailure}
	// ErrDecryptionFailure: a stored value could not be decrypted (missing or
	// wrong key). Nothing changed.
	ErrDecryptionFailure = &Error{Code: CodeDecryptionFailure}
	// ErrInternalServiceError: the store failed or kept conflicting. The call
	// may or may not have taken effect; a retry with the same
	// ClientRequestToken is safe.
	ErrInternalServiceError = &Error{Code: CodeInternalServiceError}
	// ErrAccessDenied: the caller, or the service on its behalf, may not do
	// this. Nothing changed.
	ErrAccessDenied = &Error{Code: CodeAccessDenied}
)

func newError(code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Messages AWS sends, word for word.
const (
	msgSecretNotFound       = "Secrets Manager can't find the specified secret."
	msgMarkedForDeletion    = "You can't perform this operation on the secret because it was marked for deletion."
	msgBadName              = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
	msgBothValues           = "You can't specify both a binary secret value and a string secret value in the same secret."
	msgNoValue              = "You must provide either SecretString or SecretBinary."
	msgRotationIncomplete   = "A previous rotation isn't complete. That rotation will be reattempted."
	msgNoLambda             = "No Lambda rotation function ARN is associated with this secret."
	msgCannotInvoke         = "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."
	msgBothRules            = "You cannot specify both rotation frequency and schedule expression together."
	msgStageNotOnVersion    = "You provided a VersionStage that is not associated to the provided VersionId."
	msgScheduledForDeletion = "You can't create this secret because a secret with this name is already scheduled for deletion."
	msgRecoveryWindow       = "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
	msgForceAndWindow       = "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
	msgTokenRequired        = "You must provide a ClientRequestToken value. We recommend a UUID-type value."
)

// ErrTokenRequired is the refusal of a raw request that carries no
// ClientRequestToken on CreateSecret, UpdateSecret, PutSecretValue or
// RotateSecret. The Go API never returns it (it generates a token); the HTTP
// endpoint does, as AWS does.
var ErrTokenRequired = &Error{Code: CodeInvalidRequest, Message: msgTokenRequired}

func errSecretNotFound() *Error { return newError(CodeResourceNotFound, msgSecretNotFound) }

func errMarkedForDeletion() *Error { return newError(CodeInvalidRequest, msgMarkedForDeletion) }

func errTokenInUse(token, arn string) *Error {
	return newError(CodeResourceExists, "You can't use ClientRequestToken %s because that value is already in use for a version of secret %s.", token, arn)
}

// isCode reports whether err is an *Error with the given code.
func isCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
