package onsite

import "context"

type contextKey int

const (
	userContextKey contextKey = iota
	requestIDContextKey
)

// NewContextWithRequestID returns a copy of ctx that carries the ID of the
// request it serves, so that logs of work done for it (grading, storage)
// can name it.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDContextKey, id)
}

// RequestIDFromContext returns the request's ID, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDContextKey).(string)
	return id
}

// NewContextWithUser returns a copy of ctx that carries the signed-in user.
func NewContextWithUser(ctx context.Context, user *User) context.Context {
	return context.WithValue(ctx, userContextKey, user)
}

// UserFromContext returns the signed-in user, or nil for an anonymous request.
func UserFromContext(ctx context.Context) *User {
	user, _ := ctx.Value(userContextKey).(*User)
	return user
}

// UserIDFromContext returns the signed-in user's ID, or 0 when anonymous.
func UserIDFromContext(ctx context.Context) int64 {
	if user := UserFromContext(ctx); user != nil {
		return user.ID
	}
	return 0
}
