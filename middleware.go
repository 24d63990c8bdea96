package asset

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// MiddlewareNext sends a try's request on: to the next middleware, or, from
// the last one, to the transport. It may be called once per try; a second
// call returns an error and sends nothing.
type MiddlewareNext func(req *http.Request) (*http.Response, error)

// Middleware wraps each try of a call: it runs inside the retry loop, once
// per try (after the rate limiter has given the try its slot and before the
// retry policy looks at the answer), and returns the answer the call sees.
// CallInfoFrom and TryInfoFrom on req.Context() tell which call and which
// try it is.
//
// What a middleware sees and may do:
//   - req is the request as the transport will get it, with its query and
//     body, but without the client's credentials: Authorization (and
//     katsupay's service key headers) are added after the last middleware,
//     so that no middleware sees them, and whatever a middleware puts in
//     those headers is replaced.
//   - It may add headers, and pass a changed copy of req to next (use
//     req.Clone or req.WithContext; do not change req itself).
//   - next puts the request on the wire at most once: a middleware cannot
//     send a try twice. For a change (POST, PATCH) the request reaching the
//     transport has no GetBody and no Idempotency-Key, whatever the
//     middleware set, so net/http cannot send it again by itself either.
//   - The try stays bounded by the per-try timeout (WithAttemptTimeout) and
//     by the call's context, and traced to tell whether the request was
//     written, even if a middleware passes next a request on another
//     context.
//   - The response's body is read by the client after the middleware
//     returns; a middleware that reads it must put back one that reads the
//     same. An error a middleware returns without calling next is a try
//     that was not sent, retried as a connection that could not be opened.
//
// Token requests of WithClientCredentials do not pass through middlewares:
// their body is a client secret.
type Middleware func(req *http.Request, next MiddlewareNext) (*http.Response, error)

// CallInfo names a call: its method, its route template and its business.
type CallInfo struct {
	// Method is the HTTP method, e.g. "GET".
	Method string
	// Route is the path template, with each id as {name} and no query,
	// e.g. "/v0/business/{business_id}/invoice/{invoice_id}".
	Route string
	// BusinessID is the business the call is for, "" for none.
	BusinessID string
}

// Name is the call's method and route, e.g. "GET
// /v0/business/{business_id}/invoice/{invoice_id}": the same for every call
// to one endpoint, whatever the ids, so fit to name spans and metrics.
func (c CallInfo) Name() string { return c.Method + " " + c.Route }

// TryInfo is one try of a call, as a middleware sees it.
type TryInfo struct {
	// Attempt counts the call's tries from 1.
	Attempt int
	// Backoff is the pause the retry policy made before this try.
	Backoff time.Duration
	// LimiterWait is how long this try waited for the rate limiter.
	LimiterWait time.Duration
}

// CallInfoFrom is the call a middleware's request belongs to, read from
// req.Context(); false outside a middleware.
func CallInfoFrom(ctx context.Context) (CallInfo, bool) {
	t, ok := httpcore.TryOf(ctx)
	return CallInfo{Method: t.Method, Route: t.Route, BusinessID: t.Key}, ok
}

// TryInfoFrom is the try a middleware's request is, read from
// req.Context(); false outside a middleware.
func TryInfoFrom(ctx context.Context) (TryInfo, bool) {
	t, ok := httpcore.TryOf(ctx)
	return TryInfo{Attempt: t.Attempt, Backoff: t.Backoff, LimiterWait: t.LimiterWait}, ok
}

// Outcome classifies how a call ended, for dashboards and alerts.
type Outcome string

// The outcomes of a call (see OutcomeOf).
const (
	// OutcomeOK is a success.
	OutcomeOK Outcome = "ok"
	// OutcomeRefused is a call the API (or the SDK's checks) refused: an
	// answer below 500 other than 429. Nothing was applied.
	OutcomeRefused Outcome = "refused"
	// OutcomeRateLimited is a 429 after the allowed retries, or a call
	// that gave up waiting for the rate limiter. Nothing was applied.
	OutcomeRateLimited Outcome = "rate_limited"
	// OutcomeUnknown is a change that may have been applied: its error
	// matches ErrOutcomeUnknown.
	OutcomeUnknown Outcome = "outcome_unknown"
	// OutcomeFailed is any other failure: no answer to a read, a 5xx to a
	// read, an answer that does not decode, a cancellation.
	OutcomeFailed Outcome = "failed"
)

// OutcomeOf classifies err, a call's error (nil for a success), by the
// sentinels it matches: it classifies katsupay's errors too.
func OutcomeOf(err error) Outcome {
	var apiErr *APIError
	var inErr *InputError
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, ErrOutcomeUnknown):
		return OutcomeUnknown
	case errors.Is(err, ErrRateLimited):
		return OutcomeRateLimited
	case errors.As(err, &apiErr) && apiErr.StatusCode < 500, errors.As(err, &inErr),
		errors.Is(err, ErrValidation), errors.Is(err, ErrUnauthorized), errors.Is(err, ErrForbidden),
		errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		return OutcomeRefused
	}
	return OutcomeFailed
}

// CallResult is how a call ended, given to Hooks.CallEnd.
type CallResult struct {
	// Outcome classifies Err (see OutcomeOf).
	Outcome Outcome
	// Err is the call's error, nil on success.
	Err error
	// StatusCode is the last answer's status, 0 when none came.
	StatusCode int
	// Tries is how many times the request was sent.
	Tries int
	// RequestID is the last answer's x-request-id.
	RequestID string
	// RateLimit is what the last answer's x-ratelimit-* headers said;
	// RateLimitOK says it had x-ratelimit-remaining.
	RateLimit   RateLimit
	RateLimitOK bool
	// LimiterWait is the time the call waited for the rate limiter, all
	// its tries together.
	LimiterWait time.Duration
}

// Operation is a method that makes many calls: "CreateMany" or a walk by
// "All" (FindByNumbers walks too).
type Operation struct {
	// Name is "CreateMany" or "All".
	Name string
	// Method, Route and BusinessID are those of the calls it makes.
	Method, Route, BusinessID string
}

// Hooks observe every call of a client (given to NewClient) or one call's,
// for tracing and metrics: package otelasset is built on them. Every hook
// is optional, and may be called from several goroutines at once. A hook
// is given no credential, query string or request body, except in
// CallResult.Err, the error the caller gets, which may quote what the
// server refused (see APIError.Details).
type Hooks struct {
	// Try wraps each try, outside the middlewares of WithMiddleware.
	Try Middleware
	// CallStart is called when a call starts, before its first try; the
	// context it returns (nil: ctx) is the call's from then on, its
	// tries' and the other hooks'.
	CallStart func(ctx context.Context, call CallInfo) context.Context
	// CallEnd is called once the call has ended, with the context the
	// CallStart hooks returned.
	CallEnd func(ctx context.Context, call CallInfo, res CallResult)
	// OperationStart is called when CreateMany or a walk by All starts;
	// its calls are made on the context it returns (nil: ctx).
	OperationStart func(ctx context.Context, op Operation) context.Context
	// OperationEvent reports progress: "page" (a walk's page fetched:
	// page, items, items_total) or "batch" (a CreateMany batch settled:
	// done, total, created, failed).
	OperationEvent func(ctx context.Context, op Operation, name string, attrs ...slog.Attr)
	// OperationEnd is called once the operation has ended, err its error.
	OperationEnd func(ctx context.Context, op Operation, err error)
}

// hookList is the hooks of a call, in the order given.
type hookList []Hooks

// tryChain is the middlewares of a call's tries: the hooks' Try, then
// mws. nil when there are none, which keeps the send loop's plain path.
func tryChain(hooks hookList, mws []Middleware) []httpcore.Middleware {
	var chain []httpcore.Middleware
	add := func(m Middleware) {
		chain = append(chain, func(req *http.Request, next httpcore.Next) (*http.Response, error) {
			return m(req, MiddlewareNext(next))
		})
	}
	for _, h := range hooks {
		if h.Try != nil {
			add(h.Try)
		}
	}
	for _, m := range mws {
		add(m)
	}
	return chain
}

func (hs hookList) callStart(ctx context.Context, call CallInfo) context.Context {
	for _, h := range hs {
		if h.CallStart != nil {
			if c := h.CallStart(ctx, call); c != nil {
				ctx = c
			}
		}
	}
	return ctx
}

func (hs hookList) callEnd(ctx context.Context, call CallInfo, res CallResult) {
	for i := len(hs) - 1; i >= 0; i-- {
		if hs[i].CallEnd != nil {
			hs[i].CallEnd(ctx, call, res)
		}
	}
}

// operation starts op under hs, returning its context, a progress
// reporter and its end.
func (hs hookList) operation(ctx context.Context, op Operation) (context.Context, func(string, ...slog.Attr), func(error)) {
	if len(hs) == 0 || ctx == nil {
		return ctx, func(string, ...slog.Attr) {}, func(error) {}
	}
	for _, h := range hs {
		if h.OperationStart != nil {
			if c := h.OperationStart(ctx, op); c != nil {
				ctx = c
			}
		}
	}
	event := func(name string, attrs ...slog.Attr) {
		for _, h := range hs {
			if h.OperationEvent != nil {
				h.OperationEvent(ctx, op, name, attrs...)
			}
		}
	}
	end := func(err error) {
		for i := len(hs) - 1; i >= 0; i-- {
			if hs[i].OperationEnd != nil {
				hs[i].OperationEnd(ctx, op, err)
			}
		}
	}
	return ctx, event, end
}
