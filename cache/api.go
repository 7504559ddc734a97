package cache

import (
	"context"

	"github.com/rotorkit/rotor"
)

// API is what a Cache reads through: the two Secrets Manager operations it
// needs. *rotor.Service implements it; package cache/awssdk adapts the AWS
// SDK for Go v2 client to it. Errors should be *rotor.Error values carrying
// the AWS error code (the awssdk adapter converts the SDK's), because the
// code decides whether a failure drops an entry or lets the last good value
// be served (see the package documentation). Methods may be called from
// several goroutines at once.
type API interface {
	GetSecretValue(ctx context.Context, in rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error)
	DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error)
}

// Notifier is an optional interface of an API that reports every committed
// change, as *rotor.Service does: New subscribes to it, and the Cache drops a
// secret's entries when an event names the secret. Subscribe must call fn
// after the change is committed and before the operation that made it
// returns, or the Cache's promise (no old value after the change) does not
// hold.
type Notifier interface {
	Subscribe(fn func(rotor.Event))
}

// Version is one version of a secret as the Cache holds it. Value never
// prints itself (fmt and slog show "[REDACTED]"); Text and Bytes read it.
type Version struct {
	ARN       string
	Name      string
	VersionID string
	Value     rotor.Value
}
