package katsupay

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/httpcore"
)

// Option configures a Client given to NewClient.
type Option struct {
	apply func(*settings) error
}

// settings is what options write.
type settings struct {
	token           string
	apiKey, apiCode string
	httpClient      *http.Client
	logger          *slog.Logger
	policy          httpcore.Policy
}

// WithToken authenticates with a bearer token, sent as
// "Authorization: Bearer <token>". Give the token alone, without "Bearer".
func WithToken(token string) Option {
	return Option{func(s *settings) error {
		if strings.HasPrefix(strings.ToLower(token), "bearer ") {
			return &asset.InputError{Field: "WithToken", Reason: `give the token without the "Bearer " prefix: the client adds it`}
		}
		if token == "" || strings.ContainsAny(token, " \t") || httpcore.CheckASCIIHeaderValue(token) != nil {
			return &asset.InputError{Field: "WithToken", Reason: "the token is empty or holds spaces or control characters"}
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
				return &asset.InputError{Field: "WithServiceKey", Reason: v.name + " is empty; both the key and the code are required"}
			}
			if err := httpcore.CheckASCIIHeaderValue(v.value); err != nil {
				return &asset.InputError{Field: "WithServiceKey", Reason: v.name + " " + err.Error()}
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
	return Option{func(s *settings) error {
		if hc == nil {
			return &asset.InputError{Field: "WithHTTPClient", Reason: "nil *http.Client"}
		}
		s.httpClient = hc
		return nil
	}}
}

// WithMaxRetries sets how many times a request is retried (default 3); zero
// turns retries off. A create is retried only when the deployment surely did
// not act on it: the connection could not be opened, or it answered 429.
func WithMaxRetries(n int) Option {
	return Option{func(s *settings) error {
		if n < 0 || n > 100 {
			return &asset.InputError{Field: "WithMaxRetries", Reason: fmt.Sprintf("%d is outside 0..100", n)}
		}
		s.policy.MaxRetries = n
		return nil
	}}
}

// WithRetryWait bounds the exponential backoff between tries (default 250ms
// to 8s). A server's Retry-After is honoured whatever these say, up to one
// minute; a longer one returns the 429 at once.
func WithRetryWait(min, max time.Duration) Option {
	return Option{func(s *settings) error {
		if min < 0 || max < min {
			return &asset.InputError{Field: "WithRetryWait", Reason: fmt.Sprintf("need 0 <= min <= max, got %s and %s", min, max)}
		}
		s.policy.WaitMin, s.policy.WaitMax = min, max
		return nil
	}}
}

// WithLogger logs each call to l: a try that failed and will be retried
// at warn level (with retry_in, the wait before the next), the call's
// final failure at error level, a refusal (4xx) or a cancellation at info,
// a success at debug (info when it took retries). Each record carries
// method, route (the path with its ids), status (0 when no answer came),
// attempt, request_id, duration, and error when there was one. Credentials
// are never logged (headers are not), nor query strings. Without it the
// client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return Option{func(s *settings) error {
		s.logger = l
		return nil
	}}
}

// WithAttemptTimeout bounds each try, from sending the request to the end
// of the reply (default one minute), so that a deployment that accepts
// connections and never answers cannot hold a call until its context ends.
// A create that timed out may have arrived, so it is not sent again: its
// error matches asset.ErrOutcomeUnknown. Zero leaves only the HTTP
// client's own Timeout.
func WithAttemptTimeout(d time.Duration) Option {
	return Option{func(s *settings) error {
		if d < 0 {
			return &asset.InputError{Field: "WithAttemptTimeout", Reason: "negative duration"}
		}
		s.policy.AttemptTimeout = d
		return nil
	}}
}
