package asset

import (
	"context"
	"fmt"
	"sync"

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
	refresh(refused string) bool
}

type staticToken string

func (t staticToken) authorization(context.Context) (string, error) { return string(t), nil }
func (staticToken) refresh(string) bool                             { return false }

// tokenSourceAuth uses a caller's oauth2.TokenSource. A valid token is kept,
// so the source is not asked again while it lasts; a token the API refuses
// is dropped, so the source is asked once more.
//
// Token takes no context and may block (a vault that does not answer), so
// it runs on a goroutine of its own: a call waits for it only as long as
// its context allows, and the calls that come while it runs share it
// rather than each starting one. A Token call that never returns holds
// that one goroutine and no more.
type tokenSourceAuth struct {
	src oauth2.TokenSource

	mu      sync.Mutex
	tok     *oauth2.Token // the last token handed out, nil once refused
	current string        // its Authorization value
	flight  *sourceCall   // the Token call under way, if any
}

// sourceCall is one Token call; its results are set before done is closed.
type sourceCall struct {
	done  chan struct{}
	authz string
	err   error
}

func newTokenSourceAuth(ts oauth2.TokenSource) *tokenSourceAuth {
	return &tokenSourceAuth{src: ts}
}

func (a *tokenSourceAuth) authorization(ctx context.Context) (string, error) {
	a.mu.Lock()
	if a.tok != nil && a.tok.Valid() {
		authz := a.current
		a.mu.Unlock()
		return authz, nil
	}
	call := a.flight
	if call == nil {
		call = &sourceCall{done: make(chan struct{})}
		a.flight = call
		go a.run(call)
	}
	a.mu.Unlock()
	select {
	case <-call.done:
		return call.authz, call.err
	case <-ctx.Done():
		return "", fmt.Errorf("asset: waiting for the token source: %w", ctx.Err())
	}
}

func (a *tokenSourceAuth) run(call *sourceCall) {
	defer close(call.done)
	tok, err := askTokenSource(a.src)
	switch {
	case err != nil:
		err = fmt.Errorf("asset: the token source failed: %w", err)
	case tok == nil || tok.AccessToken == "" || httpcore.CheckHeaderValue(tok.AccessToken) != nil:
		err = fmt.Errorf("asset: the token source returned an empty token or one with control characters: %w", ErrUnauthorized)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.flight = nil
	if err != nil {
		call.err = err
		return
	}
	a.tok, a.current = tok, tok.Type()+" "+tok.AccessToken
	call.authz = a.current
}

// askTokenSource calls ts.Token, turning a panic into an error: on a
// goroutine of its own, a panic could not be recovered by the caller.
func askTokenSource(ts oauth2.TokenSource) (tok *oauth2.Token, err error) {
	defer func() {
		if p := recover(); p != nil {
			tok, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return ts.Token()
}

func (a *tokenSourceAuth) refresh(refused string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	// Only the refused token is dropped: when many calls were refused the
	// same token at once, the first to get here has the source asked again
	// and the others use what it brings.
	if a.current == refused {
		a.tok, a.current = nil, ""
	}
	return true
}
