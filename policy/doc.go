// Package policy parses and evaluates IAM JSON policy documents the way AWS
// does for Secrets Manager, so that rotor can decide who may call what.
//
// It is pure: no I/O, no clock, no HTTP. A caller parses each document once
// with [Parse], saying whether it is an identity-based policy (attached to a
// user or role) or a resource-based policy (attached to a secret), and then
// asks [Evaluate] about each [Request]. The [Decision] says whether the call
// is allowed, why, and by which statement, and [Decision.Message] gives the
// AccessDeniedException text AWS would send.
//
// # Evaluation
//
// Evaluate follows AWS's documented logic for a request within one account:
// an explicit Deny in any applicable policy wins; otherwise an Allow from an
// identity-based policy or from the resource-based policy (whose Principal
// must name the caller) is enough; otherwise the request is implicitly
// denied. Action and NotAction accept '*' and '?' and ignore case; Resource
// and NotResource accept '*' and '?' segment by segment of the ARN and respect
// case (arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*).
//
// Conditions support the String, Numeric, Date, Bool, Arn and Null operator
// families, with IfExists and ForAnyValue:/ForAllValues:, on the keys
// aws:PrincipalArn, aws:CurrentTime, aws:SecureTransport, aws:TagKeys,
// aws:ResourceTag/<key>, aws:RequestTag/<key>,
// secretsmanager:ResourceTag/<key>, secretsmanager:Name,
// secretsmanager:SecretId, secretsmanager:VersionStage,
// secretsmanager:VersionId, secretsmanager:RotationLambdaARN and
// secretsmanager:RecoveryWindowInDays. Key names ignore case; operator names
// do not.
//
// # Strictness
//
// A policy that rotor cannot evaluate exactly is refused at Parse, never
// half-understood: an unknown element, operator or condition key, a value of
// the wrong type or a repeated JSON key is an [*Error] naming the problem.
// [Validate] reports the same problems, and public access, as the findings of
// ValidateResourcePolicy; [Policy.IsPublic] is the test behind
// BlockPublicPolicy.
package policy
