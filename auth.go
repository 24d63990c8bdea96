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

	"golang.org/x/oauth2"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// ClientCredentials are the OAuth 2.0 client credentials Asset issues.
type ClientCredentials struct {
	ClientID     string
	ClientSecret string
	// BusinessID, when set, scopes the tokens to one business.
	BusinessID string
	// Scopes are requested space-separated, e.g. "invoice:read", "invoice:create".
	Scopes []string
	// Resources are RFC 8707 resource indicators, sent one per "resource" field.
	Resources []string
}

// authenticator yields the Authorization header for a call.
type authenticator interface {
	authorization(ctx context.Context) (string, error)
	// refresh forgets a credential the API refused with 401 and reports
	// whether a new one can be had, so that one more try is worth it.
	refresh(ctx context.Context, refused string) bool
}

type staticToken string

func (t staticToken) authorization(context.Context) (string, error) { return string(t), nil }
func (staticToken) refresh(context.Context, string) bool            { return false }

// tokenSourceAuth uses a caller's oauth2.TokenSource. An
// oauth2.ReuseTokenSource keeps a valid token from being fetched again; a
// token the API refuses is dropped from it, so the source is asked once more.
type tokenSourceAuth struct {
	base    oauth2.TokenSource
	mu      sync.Mutex
	reuse   oauth2.TokenSource
	current string // the last credential handed out
}

func newTokenSourceAuth(ts oauth2.TokenSource) *tokenSourceAuth {
	return &tokenSourceAuth{base: ts, reuse: oauth2.ReuseTokenSource(nil, ts)}
}

func (a *tokenSourceAuth) authorization(context.Context) (string, error) {
	a.mu.Lock()
	ts := a.reuse
	a.mu.Unlock()
	tok, err := ts.Token()
	if err != nil {
		return "", fmt.Errorf("asset: the token source failed: %w", err)
	}
	if tok.AccessToken == "" || httpcore.CheckHeaderValue(tok.AccessToken) != nil {
		return "", fmt.Errorf("asset: the token source returned an empty token or one with control characters: %w", ErrUnauthorized)
	}
	authz := tok.Type() + " " + tok.AccessToken
	a.mu.Lock()
	a.current = authz
	a.mu.Unlock()
	return authz, nil
}

func (a *tokenSourceAuth) refresh(_ context.Context, refused string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	// Only the refused token is dropped: when many calls were refused the
	// same token at once, the first to get here fetches a new one and the
	// others use it.
	if a.current == refused {
		a.reuse, a.current = oauth2.ReuseTokenSource(nil, a.base), ""
	}
	return true
}

// clientCredentialsAuth fetches and caches tokens from POST /v0/auth/token.
type clientCredentialsAuth struct {
	client   *Client
	clientID string // for String, which must not show the form
	form     string
	// lock is a one-slot semaphore rather than a mutex so that a caller
	// waiting for another's fetch still honours its own context.
	lock    chan struct{}
	current string    // "Bearer ..." or ""
	renewAt time.Time // when to fetch a new one, ahead of expiry
}

func newClientCredentialsAuth(c *Client, creds ClientCredentials) *clientCredentialsAuth {
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
	return &clientCredentialsAuth{client: c, clientID: creds.ClientID, form: form.Encode(), lock: make(chan struct{}, 1)}
}

func (a *clientCredentialsAuth) authorization(ctx context.Context) (string, error) {
	select {
	case a.lock <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("asset: waiting for an access token: %w", ctx.Err())
	}
	defer func() { <-a.lock }()
	if a.current != "" && time.Now().Before(a.renewAt) {
		return a.current, nil
	}
	tok, lifetime, err := a.fetch(ctx)
	if err != nil {
		return "", err
	}
	a.current = "Bearer " + tok
	// Renew a quarter of the lifetime early, at most a minute, so that a
	// token never expires between being read here and reaching the server.
	a.renewAt = time.Now().Add(lifetime - min(lifetime/4, time.Minute))
	return a.current, nil
}

func (a *clientCredentialsAuth) refresh(ctx context.Context, refused string) bool {
	select {
	case a.lock <- struct{}{}:
	case <-ctx.Done():
		return false // the caller gives up; the 401 stands
	}
	defer func() { <-a.lock }()
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

func (r tokenResponse) lifetime(now time.Time) time.Duration {
	n, err := r.ExpiresIn.Float64()
	switch {
	case err != nil || n <= 0:
		return time.Hour // the documented default
	case n >= unixTimeThreshold:
		return time.Unix(int64(n), 0).Sub(now)
	}
	return time.Duration(n * float64(time.Second))
}

func (a *clientCredentialsAuth) fetch(ctx context.Context) (string, time.Duration, error) {
	s := a.client.settings
	s.responseInto = nil
	hr := &httpcore.Request{
		Method: http.MethodPost,
		URL:    s.baseURL + tokenPath,
		Header: a.client.baseHeader(&s),
		Body:   []byte(a.form),
		// Asking for a token twice does no harm, so any failure is retried.
		Idempotent: true,
	}
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tr tokenResponse
	if _, err := a.client.roundTrip(ctx, &s, hr, tokenPath, &tr); err != nil {
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

// requestSecrets are the credentials hr carries, for errors to leave out:
// the Authorization header's token and, on the token endpoint, the client
// secret.
func requestSecrets(hr *httpcore.Request) []string {
	var out []string
	if _, tok, ok := strings.Cut(hr.Header.Get("Authorization"), " "); ok && tok != "" {
		out = append(out, tok)
	}
	if strings.HasSuffix(hr.URL, tokenPath) {
		if form, err := url.ParseQuery(string(hr.Body)); err == nil && form.Get("client_secret") != "" {
			out = append(out, form.Get("client_secret"))
		}
	}
	return out
}
