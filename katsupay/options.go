package katsupay

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/clientopt"
	"github.com/assetkit/asset-go/internal/httpcore"
)

// Option configures a Client given to NewClient.
type Option struct {
	apply func(*settings) error
}

// settings is what options write: what asset's options write too, and the
// credentials.
type settings struct {
	clientopt.Common
	token           string
	apiKey, apiCode string
	middleware      []asset.Middleware
	hooks           []asset.Hooks
}

// WithToken authenticates with a bearer token, sent as
// "Authorization: Bearer <token>". Give the token alone, without "Bearer".
func WithToken(token string) Option {
	return Option{func(s *settings) error {
		if strings.HasPrefix(strings.ToLower(token), "bearer ") {
			return inputError("WithToken", `give the token without the "Bearer " prefix: the client adds it`)
		}
		if token == "" || strings.ContainsAny(token, " \t") || httpcore.CheckASCIIHeaderValue(token) != nil {
			return inputError("WithToken", "the token is empty or holds spaces or control characters")
		}
		s.token = token
		return nil
	}}
}

// WithServiceKey authenticates with a Katsu service key, sent in the
// service-api-key and service-api-code headers. Katsu's sibling endpoints
// take it together with a bearer token (WithToken).
func WithServiceKey(apiKey, apiCode string) Option {
	return Option{func(s *settings) error {
		for _, v := range []struct{ name, value string }{{"apiKey", apiKey}, {"apiCode", apiCode}} {
			if v.value == "" {
				return inputError("WithServiceKey", v.name+" is empty; both the key and the code are required")
			}
			if err := httpcore.CheckASCIIHeaderValue(v.value); err != nil {
				return inputError("WithServiceKey", v.name+" "+err.Error())
			}
		}
		s.apiKey, s.apiCode = apiKey, apiCode
		return nil
	}}
}

// WithHTTPClient sends requests through hc, e.g. for a proxy, custom TLS or
// instrumentation. Its Timeout, if any, bounds each try. The default client
// does not follow redirects, so that credentials stay with the deployment.
func WithHTTPClient(hc *http.Client) Option {
	return Option{func(s *settings) error { return s.SetHTTPClient(hc) }}
}

// WithMaxRetries sets how many times a request is retried (default 3); zero
// turns retries off. A create is retried only when the deployment surely did
// not act on it: the connection could not be opened, or it answered 429.
func WithMaxRetries(n int) Option {
	return Option{func(s *settings) error { return s.SetMaxRetries(n) }}
}

// WithRetryWait bounds the exponential backoff between tries (default 250ms
// to 8s): every wait is between min and max, the first at most twice min,
// each next drawn from a range twice as high, with random jitter. A
// server's Retry-After is honoured whatever these say, up to one minute; a
// longer one returns the 429 at once.
func WithRetryWait(min, max time.Duration) Option {
	return Option{func(s *settings) error { return s.SetRetryWait(min, max) }}
}

// WithLogger logs each call to l: a try that failed and will be retried
// at warn level (with retry_in, the wait before the next), the call's
// final failure at error level, a refusal (4xx) or a cancellation at info,
// a success at debug (info when it took retries). Each record carries
// method, route (the path with its ids), status (0 when no answer came),
// attempt, request_id, duration, and error when there was one. Credentials
// are never logged (headers are not), nor query strings. Messages start
// with "katsupay: ". Without it the client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return Option{func(s *settings) error {
		s.Logger = l
		return nil
	}}
}

// WithAttemptTimeout bounds each try, from sending the request to the end
// of the reply (default one minute), so that a deployment that accepts
// connections and never answers cannot hold a call until its context ends.
// A create that timed out may have arrived, so it is not sent again: its
// error matches ErrOutcomeUnknown. Zero leaves only the HTTP
// client's own Timeout.
func WithAttemptTimeout(d time.Duration) Option {
	return Option{func(s *settings) error { return s.SetAttemptTimeout(d) }}
}
