package awsapi

import (
	"context"
	"net/http"
)

// listSlotsKey is the context key of the Handler's listing slots
// (Config.MaxConcurrentLists), set for the operations that may list.
type listSlotsKey struct{}

// errThrottled refuses a listing call when every slot is taken, as AWS
// refuses a call over its rate: the SDKs retry ThrottlingException.
var errThrottled = &apiError{http.StatusBadRequest, "ThrottlingException", "Rate exceeded"}

// takeListSlot takes one of the listing slots the handler put in ctx, or
// fails with errThrottled when none is free. The caller must call release
// once the listing is done. Without slots in ctx (no bound) it takes
// nothing.
func takeListSlot(ctx context.Context) (release func(), err error) {
	slots, _ := ctx.Value(listSlotsKey{}).(chan struct{})
	if slots == nil {
		return func() {}, nil
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	default:
		return nil, errThrottled
	}
}
