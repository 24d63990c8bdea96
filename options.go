package asset

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// Option configures a Client when given to NewClient, or one call when given
// to a method. An option is refused with an *InputError naming it wherever
// it cannot apply, never ignored: those that only make sense for a whole
// client (base URL, HTTP client, logger, client credentials, rate limit) on
// a call; WithResponseInto and WithProgress on NewClient; and on a call that
// would not use them, WithPrefetch (All only), WithConcurrency and
// WithProgress (CreateMany only). The zero Option does nothing.
type Option struct {
	apply func(*settings) error
}

func (s *settings) apply(opts []Option) error {
	for _, opt := range opts {
		if opt.apply == nil {
			continue // the zero Option does nothing
		}
		if err := opt.apply(s); err != nil {
			return err
		}
	}
	return nil
}

// clientOnly refuses, on a call, an option that configures a whole client.
func clientOnly(s *settings, name string) error {
	if s.perCall {
		return &InputError{Field: name, Reason: "configures a client; give it to NewClient, not to a call"}
	}
	return nil
}

// refuseUnused is the error for the first of the given options that a call
// honouring only takes would ignore; what names the call in the message.
func refuseUnused(given, takes scopedOptions, what string) error {
	unused := given &^ takes
	for _, o := range []struct {
		opt   scopedOptions
		name  string
		where string
	}{
		{scopedPrefetch, "WithPrefetch", "All"},
		{scopedConcurrency, "WithConcurrency", "Invoices.CreateMany"},
		{scopedProgress, "WithProgress", "Invoices.CreateMany"},
		{scopedDrain, "WithDrainTimeout", "Invoices.CreateMany"},
		{scopedDueWindow, "WithDueWindow", "Invoices.FindByNumbers"},
	} {
		if unused&o.opt != 0 {
			return &InputError{Field: o.name, Reason: "only " + o.where + " uses it; " + what + " would ignore it"}
		}
	}
	return nil
}

// WithBaseURL sets the API's address, e.g. SandboxURL. It must be https,
// except plain http on a loopback host (a local fake such as assettest).
func WithBaseURL(baseURL string) Option {
	return Option{func(s *settings) error {
		if err := clientOnly(s, "WithBaseURL"); err != nil {
			return err
		}
		u, err := httpcore.CheckBaseURL(baseURL)
		if err != nil {
			return &InputError{Field: "WithBaseURL", Reason: err.Error()}
		}
		s.baseURL = u.String()
		return nil
	}}
}

// WithToken authenticates with a bearer access token.
func WithToken(token string) Option {
	return Option{func(s *settings) error {
		if token == "" || strings.ContainsAny(token, " \t") || httpcore.CheckASCIIHeaderValue(token) != nil {
			return &InputError{Field: "WithToken", Reason: "the token is empty or holds spaces or control characters"}
		}
		s.auth, s.credentials = staticToken("Bearer "+token), nil
		return nil
	}}
}

// WithTokenSource authenticates with tokens from ts, cached until they
// expire. When the API refuses a token with 401, ts is asked again, and the
// call is sent once more if it gives a different token.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return Option{func(s *settings) error {
		if ts == nil {
			return &InputError{Field: "WithTokenSource", Reason: "the token source is nil"}
		}
		s.auth, s.credentials = newTokenSourceAuth(ts), nil
		return nil
	}}
}

// WithClientCredentials authenticates with the OAuth 2.0 client credentials
// grant at POST /v0/auth/token. Tokens are cached, renewed before they
// expire, and renewed once more if the API refuses one with 401.
func WithClientCredentials(creds ClientCredentials) Option {
	// Copied now, so the caller may reuse its slices.
	c := creds
	c.Scopes = append([]string(nil), creds.Scopes...)
	c.Resources = append([]string(nil), creds.Resources...)
	return Option{func(s *settings) error {
		if err := clientOnly(s, "WithClientCredentials"); err != nil {
			return err
		}
		if c.ClientID == "" || c.ClientSecret == "" {
			return &InputError{Field: "WithClientCredentials", Reason: "ClientID and ClientSecret are required"}
		}
		s.auth, s.credentials = nil, &c
		return nil
	}}
}

// WithUserID sends x-user-id, the external id of the person acting, which the
// API records for audit. Given to a call, it overrides the client's. It must
// be printable ASCII: the API reads header values as latin-1.
func WithUserID(userID string) Option {
	return Option{func(s *settings) error {
		if err := httpcore.CheckASCIIHeaderValue(userID); err != nil {
			return &InputError{Field: "WithUserID", Reason: err.Error()}
		}
		s.userID = userID
		return nil
	}}
}

// WithHeader adds a header to every request (or to one call's). It cannot
// set Authorization (use WithToken) or the headers the SDK computes. The
// name must be an HTTP token and the value printable ASCII. Idempotency-Key
// and X-Idempotency-Key are refused: the API has no idempotency key, and
// net/http would take one as leave to send a change twice.
func WithHeader(key, value string) Option {
	return Option{func(s *settings) error {
		if err := httpcore.CheckHeaderName(key); err != nil {
			return &InputError{Field: "WithHeader", Reason: fmt.Sprintf("%q is not a header name: it %v", key, err)}
		}
		canon := http.CanonicalHeaderKey(key)
		switch {
		case canon == "Idempotency-Key" || canon == "X-Idempotency-Key":
			// net/http would take the header as leave to send a change
			// again after a broken connection, and the API has no
			// idempotency key to make that safe.
			return &InputError{Field: "WithHeader", Reason: canon + " is refused: the API has no idempotency key, so it would not " +
				"keep a change from being applied twice; a change whose outcome is unknown says so with ErrOutcomeUnknown"}
		case canon == "X-User-Id":
			return &InputError{Field: "WithHeader", Reason: "use WithUserID for x-user-id"}
		case canon == "Authorization" || canon == "Content-Type" || canon == "Content-Length" || canon == "Host" ||
			canon == "Accept" || canon == "User-Agent":
			return &InputError{Field: "WithHeader", Reason: canon + " is set by the SDK"}
		}
		if err := httpcore.CheckASCIIHeaderValue(value); err != nil {
			return &InputError{Field: "WithHeader", Reason: err.Error()}
		}
		h := s.header.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set(canon, value)
		s.header = h
		return nil
	}}
}

// WithMaxRetries sets how many times a failed request is retried (default
// 3). Zero turns retries off.
func WithMaxRetries(n int) Option {
	return Option{func(s *settings) error { return s.SetMaxRetries(n) }}
}

// WithRetryWait bounds the exponential backoff between tries (default 250ms
// to 8s): every wait is between min and max, the first at most twice min,
// each next drawn from a range twice as high, with random jitter. A
// server's Retry-After is honoured whatever these say, up to
// WithRetryAfterMax.
func WithRetryWait(min, max time.Duration) Option {
	return Option{func(s *settings) error { return s.SetRetryWait(min, max) }}
}

// WithRetryAfterMax caps how long a server-requested wait (Retry-After or
// x-ratelimit-reset) is honoured (default one minute). When the server asks
// for longer, the call returns the 429 *APIError at once, its RetryAfter
// telling how long to wait.
func WithRetryAfterMax(d time.Duration) Option {
	return Option{func(s *settings) error {
		if d < 0 {
			return &InputError{Field: "WithRetryAfterMax", Reason: "negative duration"}
		}
		s.Policy.RetryAfterMax = d
		return nil
	}}
}

// WithAttemptTimeout bounds each try of a request, from sending it to the
// end of the response body (default one minute), so that a server that
// stops answering cannot hang a call whose context has no deadline. A read
// that times out is retried; a change is not, and its error matches
// ErrOutcomeUnknown. Zero leaves only the HTTP client's own Timeout; the
// context's deadline bounds the whole call, retries included.
func WithAttemptTimeout(d time.Duration) Option {
	return Option{func(s *settings) error { return s.SetAttemptTimeout(d) }}
}

// WithRetryNonIdempotent lets POST and PATCH be retried after a 5xx or a
// connection that broke after the request was sent. The API has no
// idempotency key, so this can create an invoice or apply a payment twice:
// use it only for calls whose repetition is harmless to you.
func WithRetryNonIdempotent() Option {
	return Option{func(s *settings) error {
		s.Policy.RetryNonIdempotent = true
		return nil
	}}
}

// WithResponseInto stores the call's HTTP response metadata (status, headers,
// request id, rate limit) in resp, on success and on API errors alike;
// when no answer came, resp says only how many tries were made. It is
// an option of one call: on NewClient, concurrent calls would all write to
// the same Response. Given to All, it holds the last page's response once
// the loop has ended; the next page is fetched while the loop runs, so do
// not read it inside the loop.
func WithResponseInto(resp *Response) Option {
	return Option{func(s *settings) error {
		if !s.perCall {
			return &InputError{Field: "WithResponseInto", Reason: "belongs to one call; give it to the call, not to NewClient"}
		}
		if resp == nil {
			return &InputError{Field: "WithResponseInto", Reason: "nil *Response"}
		}
		s.responseInto = resp
		return nil
	}}
}

// WithHTTPClient sends requests through hc, e.g. for a proxy, custom TLS or
// instrumentation. Its Timeout, if shorter than WithAttemptTimeout, bounds
// each try. Redirects are never followed, whatever hc's CheckRedirect says:
// a redirected POST could be sent twice or turned into a GET, and headers
// would follow to another host; the 3xx comes back as an *APIError.
func WithHTTPClient(hc *http.Client) Option {
	return Option{func(s *settings) error {
		if err := clientOnly(s, "WithHTTPClient"); err != nil {
			return err
		}
		return s.SetHTTPClient(hc)
	}}
}

// WithLogger logs each call to l: a try that failed and will be retried
// at warn level (with retry_in, the wait before the next), the call's
// final failure at error level, a refusal (4xx) or a cancellation at info,
// a success at debug (info when it took retries). Each record carries
// method, route (the path with its ids), status (0 when no answer came),
// attempt, request_id, duration, and error when there was one. Credentials
// are never logged (headers are not), nor query strings. Without it the
// SDK logs nothing.
func WithLogger(l *slog.Logger) Option {
	return Option{func(s *settings) error {
		if err := clientOnly(s, "WithLogger"); err != nil {
			return err
		}
		s.Logger = l
		return nil
	}}
}

// WithMaxResponseBytes bounds how large a success response may be (default
// 32 MiB); a larger one fails with a *DecodeError instead of exhausting
// memory.
func WithMaxResponseBytes(n int64) Option {
	return Option{func(s *settings) error {
		if n <= 0 {
			return &InputError{Field: "WithMaxResponseBytes", Reason: "must be positive"}
		}
		s.maxBody = n
		return nil
	}}
}

// WithRateLimit keeps the client, across all its goroutines, to at most n
// requests per interval (retries included) for each business and n for
// all its businesses together, as the API counts, spaced evenly. It also
// paces each business by the x-ratelimit-remaining and x-ratelimit-reset
// headers the API sends: when the server says a window is spent, calls wait
// for the next one instead of drawing 429s, yet never longer than
// WithRetryAfterMax on the word of one answer. A call whose context
// deadline comes before its slot fails at once with an error matching
// ErrRateLimited, having sent nothing. The API allows 300 requests a minute
// per business and per tenant: WithRateLimit(300, time.Minute). It paces
// one Client: processes or clients that share credentials share the API's
// budget too, and need a shared limiter (WithRateLimiter, redislimit).
func WithRateLimit(n int, per time.Duration) Option {
	return Option{func(s *settings) error {
		if err := clientOnly(s, "WithRateLimit"); err != nil {
			return err
		}
		if n <= 0 || per <= 0 {
			return &InputError{Field: "WithRateLimit", Reason: fmt.Sprintf("need n > 0 and per > 0, got %d per %s", n, per)}
		}
		s.limit = limitChoice{n: n, per: per}
		return nil
	}}
}

// WithRateLimiter paces every request of the client, retries and token
// requests included, with l instead of the in-process limiter; use it to
// share one budget between processes (see the redislimit module). It
// replaces WithRateLimit, and l is used as given: it does not read the
// client's WithRetryAfterMax.
func WithRateLimiter(l RateLimiter) Option {
	return Option{func(s *settings) error {
		if err := clientOnly(s, "WithRateLimiter"); err != nil {
			return err
		}
		if l == nil {
			return &InputError{Field: "WithRateLimiter", Reason: "is nil"}
		}
		s.limit = limitChoice{custom: l}
		return nil
	}}
}

// maxPrefetch bounds WithPrefetch: more pages in memory than this buys no
// speed, since the caller handles one page at a time.
const maxPrefetch = 10

// WithPrefetch sets how many pages All fetches ahead of the loop: while the
// loop handles one page, the next ones are requested and decoded in the
// background. The default is 1; 0 fetches each page only when the loop
// needs it, without a goroutine. Breaking out of the loop cancels the page
// in flight and starts no other. Given to NewClient, it is the default of
// every All; given to a call other than All, it is refused with an
// *InputError.
func WithPrefetch(pages int) Option {
	return Option{func(s *settings) error {
		if pages < 0 || pages > maxPrefetch {
			return &InputError{Field: "WithPrefetch", Reason: fmt.Sprintf("%d is outside 0..%d", pages, maxPrefetch)}
		}
		if s.perCall {
			s.scoped |= scopedPrefetch
		}
		s.prefetch = pages
		return nil
	}}
}

// WithMiddleware runs mw around each try of every call (given to NewClient)
// or of one call. The first is the outermost; a call's middlewares run
// inside the client's.
func WithMiddleware(mw ...Middleware) Option {
	return Option{func(s *settings) error {
		for _, m := range mw {
			if m == nil {
				return &InputError{Field: "WithMiddleware", Reason: "nil middleware"}
			}
		}
		s.middleware = append(s.middleware[:len(s.middleware):len(s.middleware)], mw...)
		return nil
	}}
}

// WithHooks installs h: on NewClient for every call, on a call for that
// call (after the client's).
func WithHooks(h Hooks) Option {
	return Option{func(s *settings) error {
		s.hooks = append(s.hooks[:len(s.hooks):len(s.hooks)], h)
		return nil
	}}
}

// WithConcurrency sets how many batches CreateMany sends at once (default
// 4). Every try of every batch still waits for the client's rate limit
// (WithRateLimit), so more batches at once hide the time answers take to
// travel, never exceed the limit. On NewClient it is the default of every
// CreateMany; other calls refuse it.
func WithConcurrency(n int) Option {
	return Option{func(s *settings) error {
		if n < 1 {
			return &InputError{Field: "WithConcurrency", Reason: fmt.Sprintf("%d is below 1", n)}
		}
		s.concurrency = n
		return nil
	}}
}

// WithProgress makes CreateMany call fn each time a batch finishes and,
// when the context ended the call early, once more for the invoices it
// never sent, so that the last call's Done is Total. Calls come one at a
// time, never concurrently, from the goroutines sending the batches: a
// slow fn slows the sending. It is an option of one call, refused on
// NewClient; other calls refuse it.
func WithProgress(fn func(Progress)) Option {
	return Option{func(s *settings) error {
		if !s.perCall {
			return &InputError{Field: "WithProgress", Reason: "belongs to one call; give it to CreateMany, not to NewClient"}
		}
		if fn == nil {
			return &InputError{Field: "WithProgress", Reason: "nil function"}
		}
		s.progress = fn
		return nil
	}}
}

// WithDrainTimeout bounds how long CreateMany, once its context has ended,
// still waits for the batches it had sent: for their answers and for the
// lookups that settle what an answer left unknown (default: the attempt
// timeout, see WithAttemptTimeout). Waiting is what keeps an invoice the
// server created from being reported as unknown. On NewClient it is the
// default of every CreateMany; other calls refuse it.
func WithDrainTimeout(d time.Duration) Option {
	return Option{func(s *settings) error {
		if d <= 0 {
			return &InputError{Field: "WithDrainTimeout", Reason: fmt.Sprintf("%s is not positive", d)}
		}
		s.drainTimeout = d
		if s.perCall {
			s.scoped |= scopedDrain
		}
		return nil
	}}
}
