package httpcore

import (
	"net/http"
	"time"
)

// Request is one logical call; Send may put it on the wire several times.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Idempotent says that repeating the request cannot change its outcome,
	// so it may be retried after failures that may have reached the server.
	Idempotent bool
	// MaxBody bounds the body of a success answer (2xx) that Send reads;
	// zero reads none of it. Any other answer's body is read up to
	// errorBodySlack past MaxErrorBody, for KeptBody to cut.
	MaxBody int64
	// Key is what the rate limiter budgets the request under: its
	// business id, "" for calls without one.
	Key string
	// Route is the request's path template, its ids as {name} and without
	// its query, e.g. "/v0/business/{business_id}/invoice", for
	// middlewares (TryOf).
	Route string
	// Middleware wraps each try, the first the outermost.
	Middleware []Middleware
	// Credentials name the headers that carry credentials: middlewares
	// see the request without them, and they are added back after the
	// last.
	Credentials []string
	// Secrets are the credentials the request carries (a token, a client
	// secret), for the errors built from its answer to leave out.
	Secrets []string
}

// Outcome tells how a Send went beyond its response.
type Outcome struct {
	// Attempts is how many times the request was put on the wire.
	Attempts int
	// MaybeApplied is true when some attempt may have been processed by the
	// server: the transport wrote the request before its connection broke,
	// or it was answered with a 5xx. Attempts that never wrote the request
	// (no connection, a proxy that is down), and answers such as 429 that
	// refuse the request, do not count. A transport that reports nothing of
	// what it did (see sendTrace) is assumed to have written the request
	// unless its error proves otherwise.
	MaybeApplied bool
	// LimiterWait is the time spent waiting for the rate limiter, every
	// try's wait together.
	LimiterWait time.Duration
}
