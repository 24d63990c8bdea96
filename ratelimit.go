package asset

import (
	"context"
	"net/http"
	"time"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// RateLimiter paces a client's requests. Every request of the client,
// retries and token requests included, calls Wait before it is sent and
// Observe after its answer. key is the business the request is for, "" for
// calls that have none (the token endpoint). The API counts 300 requests a
// minute per business and 300 per tenant (all the businesses of one set of
// credentials): a limiter should let a request go only when both have
// room.
//
// WithRateLimit builds the in-process one; the redislimit module shares
// one budget between every process that uses the same Redis. An error
// from Wait fails the call with nothing sent, the error wrapped.
type RateLimiter interface {
	// Wait blocks until a request for key may be sent, or ctx ends.
	Wait(ctx context.Context, key string) error
	// Observe gets an answer's header and status; a try that got no
	// answer (a connection error) is observed with a nil header and
	// status 0. The call waits for it: it should return quickly.
	Observe(key string, h http.Header, status int)
}

// limitChoice is what the options chose: n per interval in-process, or a
// limiter of the user's.
type limitChoice struct {
	n      int
	per    time.Duration
	custom RateLimiter
}

// build makes the client's limiter; the in-process one believes a pause a
// server asks for for at most maxWait (WithRetryAfterMax).
func (c limitChoice) build(maxWait time.Duration) httpcore.Limiter {
	switch {
	case c.custom != nil:
		return c.custom
	case c.n > 0:
		return httpcore.NewPacer(c.n, c.per, maxWait)
	}
	return nil
}
