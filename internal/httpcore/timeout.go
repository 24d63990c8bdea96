package httpcore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// tryTimer bounds each try of a call by its per-try timeout, and counts
// the tries that ended at it, so that the call's error can say so.
type tryTimer struct {
	// ctx is the last try's context when a per-try timeout bounds it,
	// timeout that bound, byClient whether it is the HTTP client's Timeout
	// rather than the policy's AttemptTimeout.
	ctx      context.Context
	timeout  time.Duration
	byClient bool
	// timedOut counts the tries that ended at the per-try timeout; last
	// says the last one did.
	timedOut int
	last     bool
}

// start bounds a try on ctx by the shorter of a client's Timeout and a
// policy's AttemptTimeout, zero meaning none for either.
func (t *tryTimer) start(ctx context.Context, clientTimeout, attemptTimeout time.Duration) (context.Context, context.CancelFunc) {
	t.ctx = nil
	d := tryTimeout(clientTimeout, attemptTimeout)
	if d <= 0 {
		return ctx, func() {}
	}
	tctx, cancel := context.WithTimeout(ctx, d)
	t.ctx, t.timeout, t.byClient = tctx, d, d != attemptTimeout
	return tctx, cancel
}

// tryTimeout is the shorter of a client's Timeout and a policy's
// AttemptTimeout, zero meaning none for either.
func tryTimeout(clientTimeout, attemptTimeout time.Duration) time.Duration {
	if attemptTimeout > 0 && (clientTimeout == 0 || attemptTimeout < clientTimeout) {
		return attemptTimeout
	}
	return clientTimeout
}

// note records whether the try that failed with err ended at its per-try
// timeout, while ctx, the call's, was still running.
func (t *tryTimer) note(ctx context.Context, err error) {
	t.last = err != nil && ctx.Err() == nil && t.ctx != nil && errors.Is(t.ctx.Err(), context.DeadlineExceeded)
	if t.last {
		t.timedOut++
	}
}

// explain is err, the call's, as a *TryTimeoutError when its last try
// ended at the per-try timeout.
func (t *tryTimer) explain(err error, tries int) error {
	if !t.last {
		return err
	}
	return &TryTimeoutError{Tries: tries, TimedOut: t.timedOut, Timeout: t.timeout, ByHTTPClient: t.byClient, Err: err}
}

// TryTimeoutError is a call whose last try ended at the per-try timeout,
// though the caller's context had not ended: the context error alone
// ("context deadline exceeded") would blame a deadline the caller never
// set. It unwraps to the try's error.
type TryTimeoutError struct {
	// Tries is how many tries the call made, TimedOut how many of them
	// ended at the timeout.
	Tries, TimedOut int
	// Timeout is the per-try timeout.
	Timeout time.Duration
	// ByHTTPClient says the timeout is the HTTP client's Timeout, shorter
	// than the AttemptTimeout.
	ByHTTPClient bool
	// Err is the last try's error.
	Err error
}

func (e *TryTimeoutError) Error() string {
	setBy := "WithAttemptTimeout"
	if e.ByHTTPClient {
		setBy = "the Timeout of the *http.Client given to WithHTTPClient"
	}
	var which string
	switch {
	case e.Tries <= 1:
		which = "the try"
	case e.TimedOut == e.Tries:
		which = fmt.Sprintf("each of %d tries", e.Tries)
	default:
		which = fmt.Sprintf("the last of %d tries", e.Tries)
	}
	return fmt.Sprintf("%s timed out after %s, the per-try timeout (%s): %v", which, e.Timeout, setBy, e.Err)
}

func (e *TryTimeoutError) Unwrap() error { return e.Err }
