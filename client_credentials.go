package asset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// clientCredentialsAuth fetches and caches tokens from POST /v0/auth/token.
// At most one token request is under way at a time: the calls that need a
// token while one is being fetched wait for it, each as long as its own
// context allows, and all use the token it brings, even one that is not to
// be kept (see tokenResponse.lifetime).
type clientCredentialsAuth struct {
	sender   *httpcore.Sender
	settings settings // the client's: base URL, headers, retries, body limit
	clientID string   // for String, which must not show the form
	form     string
	secret   string // the client secret, for errors to leave out

	mu      sync.Mutex
	current string      // "Bearer ..." or ""
	renewAt time.Time   // when to fetch a new one, ahead of expiry
	flight  *tokenFetch // the token request under way, if any
}

// tokenFetch is one token request. It runs on a context of its own, which
// keeps the deadline of the call that started it (so that no retry wait is
// begun that would outlast it) but not its cancellation: it is cancelled
// once no call waits for it any more. A fetch cut short by that deadline
// is started again by the waiters that still have time.
type tokenFetch struct {
	done   chan struct{}
	cancel context.CancelFunc
	// Guarded by clientCredentialsAuth.mu.
	waiters   int
	abandoned bool
	// Set before done is closed.
	authz string
	err   error
	cut   bool // err is the fetch's own context ending
}

// newClientCredentialsAuth fetches tokens through sender, as a client with
// settings s sends its calls.
func newClientCredentialsAuth(sender *httpcore.Sender, s settings, creds ClientCredentials) *clientCredentialsAuth {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {creds.ClientID},
		"client_secret": {creds.ClientSecret},
	}
	if creds.BusinessID != "" {
		form.Set("business_id", creds.BusinessID)
	}
	if len(creds.Scopes) > 0 {
		form.Set("scope", strings.Join(creds.Scopes, " "))
	}
	for _, r := range creds.Resources {
		form.Add("resource", r)
	}
	s.responseInto = nil
	return &clientCredentialsAuth{sender: sender, settings: s, clientID: creds.ClientID, form: form.Encode(), secret: creds.ClientSecret}
}

func (a *clientCredentialsAuth) authorization(ctx context.Context) (string, error) {
	for {
		a.mu.Lock()
		if a.current != "" && time.Now().Before(a.renewAt) {
			authz := a.current
			a.mu.Unlock()
			return authz, nil
		}
		f := a.flight
		if f == nil {
			fctx, cancel := fetchContext(ctx)
			f = &tokenFetch{done: make(chan struct{}), cancel: cancel}
			a.flight = f
			go a.run(fctx, f)
		}
		// A fetch every caller gave up on is being cancelled: wait for it
		// to end, then start another, so that only one is ever under way.
		joined := !f.abandoned
		if joined {
			f.waiters++
		}
		a.mu.Unlock()

		select {
		case <-f.done:
			if !joined || f.cut && ctx.Err() == nil {
				continue
			}
			return f.authz, f.err
		case <-ctx.Done():
			if joined {
				a.leave(f)
			}
			return "", fmt.Errorf("asset: waiting for an access token: %w", ctx.Err())
		}
	}
}

// fetchContext is the context of a fetch started by the call with ctx: its
// values and deadline, not its cancellation (see tokenFetch).
func fetchContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(context.WithoutCancel(ctx), deadline)
	}
	return context.WithCancel(context.WithoutCancel(ctx))
}

// leave is a waiter giving up on f; the last one cancels it.
func (a *clientCredentialsAuth) leave(f *tokenFetch) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		f.abandoned = true
		f.cancel()
	}
}

func (a *clientCredentialsAuth) run(ctx context.Context, f *tokenFetch) {
	defer close(f.done)
	defer f.cancel()
	tok, lifetime, err := a.fetch(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.flight = nil
	if err != nil {
		f.err, f.cut = err, ctx.Err() != nil
		return
	}
	a.current = "Bearer " + tok
	// Renew a quarter of the lifetime early, at most a minute, so that a
	// token never expires between being read here and reaching the server.
	a.renewAt = time.Now().Add(lifetime - min(lifetime/4, time.Minute))
	f.authz = a.current
}

func (a *clientCredentialsAuth) refresh(refused string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.current == refused {
		a.current = ""
	}
	return true
}

// tokenResponse is the token endpoint's answer. expires_in is documented
// both as a lifetime in seconds (3600) and as a unix time (1777657168).
type tokenResponse struct {
	AccessToken string      `json:"access_token"`
	ExpiresIn   json.Number `json:"expires_in"`
	TokenType   string      `json:"token_type"`
}

// unixTimeThreshold tells the two readings of expires_in apart: no token
// lives 30 years, and no unix time since 2001 is this small.
const unixTimeThreshold = 1_000_000_000

// maxTokenLifetime bounds how long a token is kept, whatever the server
// says: fetching one a day costs nothing.
const maxTokenLifetime = 24 * time.Hour

// lifetime is how long the token may be kept, read from expires_in:
//   - missing: an hour, the documented default;
//   - below unixTimeThreshold: seconds, fractions included;
//   - from there: a unix time, and the lifetime is what is left of it;
//   - zero, negative, or a unix time already past: nothing. The token is
//     what the server gave for the calls waiting for it, and they use it;
//     the next call fetches another;
//   - more than maxTokenLifetime (1e300, 9.3e18: "never expires"):
//     maxTokenLifetime.
func (r tokenResponse) lifetime(now time.Time) time.Duration {
	if r.ExpiresIn == "" {
		return time.Hour
	}
	// The decoder let through only a JSON number; one out of float64's
	// range still reads as ±Inf or 0.
	n, _ := r.ExpiresIn.Float64()
	if n >= unixTimeThreshold {
		n -= float64(now.Unix()) + float64(now.Nanosecond())/1e9
	}
	switch {
	case !(n > 0):
		return 0
	case n >= maxTokenLifetime.Seconds():
		return maxTokenLifetime
	}
	return time.Duration(n * float64(time.Second))
}

func (a *clientCredentialsAuth) fetch(ctx context.Context) (string, time.Duration, error) {
	s := &a.settings
	hr := &httpcore.Request{
		Method: http.MethodPost,
		URL:    s.baseURL + tokenPath,
		Header: baseHeader(s),
		Body:   []byte(a.form),
		// Asking for a token twice does no harm, so any failure is retried.
		Idempotent: true,
		Secrets:    []string{a.secret},
	}
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tr tokenResponse
	if _, err := exchange(ctx, a.sender, s, hr, tokenPath, &tr); err != nil {
		// A success body is a fresh access token, whatever else is wrong
		// with it: none of it may reach a log.
		if decErr := (*DecodeError)(nil); errors.As(err, &decErr) {
			decErr.Body = nil
		}
		return "", 0, fmt.Errorf("asset: fetching an access token: %w", err)
	}
	if tr.AccessToken == "" || httpcore.CheckHeaderValue(tr.AccessToken) != nil {
		return "", 0, fmt.Errorf("asset: the token endpoint returned no usable access_token: %w", ErrUnauthorized)
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return "", 0, fmt.Errorf("asset: the token endpoint returned a %q token, not a bearer token", tr.TokenType)
	}
	return tr.AccessToken, tr.lifetime(time.Now()), nil
}

const tokenPath = "/v0/auth/token"
