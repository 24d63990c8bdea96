package httpcore

import (
	"context"
	"net/http"
)

// Limiter paces requests: Wait before each try, Observe after it. key is
// the business the request is for, "" for calls without one (the token
// endpoint). asset.RateLimiter has the same methods.
type Limiter interface {
	Wait(ctx context.Context, key string) error
	// Observe gets the answer's header and status; a try that got no
	// answer is observed with a nil header and status 0.
	Observe(key string, h http.Header, status int)
}

// LimiterError is a rate limiter's refusal to let a request go, other than
// its context ending: nothing was sent.
type LimiterError struct{ Err error }

func (e *LimiterError) Error() string { return "rate limiter: " + e.Err.Error() }

// Unwrap returns the limiter's error.
func (e *LimiterError) Unwrap() error { return e.Err }

// limitWait waits for l's slot; a context's end is returned as is, as for
// any other wait of the call.
func limitWait(ctx context.Context, l Limiter, key string) error {
	err := l.Wait(ctx, key)
	if err == nil || ctx.Err() != nil && err == ctx.Err() {
		return err
	}
	return &LimiterError{Err: err}
}

// observe tells l how a try ended.
func observe(l Limiter, key string, resp *http.Response) {
	if resp == nil {
		l.Observe(key, nil, 0)
		return
	}
	l.Observe(key, resp.Header, resp.StatusCode)
}
