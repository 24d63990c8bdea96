package asset

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

const (
	testClientID     = "cli_123"
	testClientSecret = "cs_very_secret_value"
)

var testCreds = ClientCredentials{
	ClientID:     testClientID,
	ClientSecret: testClientSecret,
	BusinessID:   testBiz,
	Scopes:       []string{"invoice:read", "invoice:create"},
	Resources:    []string{"https://api.getasset.com/a", "https://api.getasset.com/b"},
}

// authFake is an Asset API that issues tokens "cc_tok_1", "cc_tok_2", ...
// at POST /v0/auth/token and answers every other path with an invoice when
// accept says the Authorization header is good.
type authFake struct {
	srv *httptest.Server

	// Set before the first request.
	expiresIn   func(n int) any           // the token response's expires_in
	token       func(n int) (int, string) // overrides the token endpoint's answer when set
	accept      func(authz string) bool   // nil accepts every token issued
	tokenDelay  time.Duration
	tokenCalls  atomic.Int32
	apiRequests atomic.Int32
	// tokenBusy and tokenBusyMax count token requests being answered at
	// once, and the most there were.
	tokenBusy, tokenBusyMax atomic.Int32

	mu           sync.Mutex
	tokenReqs    []*http.Request
	tokenForms   []url.Values
	apiAuthz     []string
	issuedTokens map[string]bool
}

func newAuthFake(t *testing.T) *authFake {
	t.Helper()
	a := &authFake{issuedTokens: map[string]bool{}}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *authFake) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v0/auth/token" {
		n := int(a.tokenCalls.Add(1))
		busy := a.tokenBusy.Add(1)
		defer a.tokenBusy.Add(-1)
		for m := a.tokenBusyMax.Load(); busy > m && !a.tokenBusyMax.CompareAndSwap(m, busy); m = a.tokenBusyMax.Load() {
		}
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		a.mu.Lock()
		a.tokenReqs = append(a.tokenReqs, &http.Request{Method: r.Method, URL: r.URL, Header: r.Header.Clone()})
		a.tokenForms = append(a.tokenForms, form)
		a.mu.Unlock()
		time.Sleep(a.tokenDelay)
		if a.token != nil {
			status, body := a.token(n)
			replyJSON(w, status, body)
			return
		}
		tok := "cc_tok_" + strconv.Itoa(n)
		a.mu.Lock()
		a.issuedTokens[tok] = true
		a.mu.Unlock()
		resp := map[string]any{"access_token": tok, "token_type": "Bearer"}
		if a.expiresIn != nil {
			resp["expires_in"] = a.expiresIn(n)
		} else {
			resp["expires_in"] = 3600
		}
		b, _ := json.Marshal(resp)
		replyJSON(w, 200, string(b))
		return
	}
	a.apiRequests.Add(1)
	authz := r.Header.Get("Authorization")
	a.mu.Lock()
	a.apiAuthz = append(a.apiAuthz, authz)
	issued := len(authz) > 7 && a.issuedTokens[authz[7:]]
	a.mu.Unlock()
	ok := issued
	if a.accept != nil {
		ok = ok && a.accept(authz)
	}
	if !ok {
		replyJSON(w, 401, `{"detail": "Invalid or expired token"}`)
		return
	}
	if r.Method == http.MethodPost {
		replyJSON(w, 201, mutatingCalls[0].body)
		return
	}
	replyJSON(w, 200, invoiceBody)
}

func (a *authFake) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithClientCredentials(testCreds),
		WithBaseURL(a.srv.URL),
		WithRetryWait(time.Millisecond, 2*time.Millisecond),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func (a *authFake) authorizations() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.apiAuthz...)
}

// authorizationsSent is the Authorization header of each request srv got,
// in order; a request with none or several is shown as such.
func authorizationsSent(srv *testServer) []string {
	var out []string
	for _, s := range srv.Sent() {
		out = append(out, strings.Join(s.Header.Values("Authorization"), " | "))
	}
	return out
}

func TestWithTokenSendsBearer(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle(getCall.route, reply(200, invoiceBody))
	require.NoError(t, getCall.call(context.Background(), c))
	assert.Equal(t, []string{"Bearer " + testToken}, authorizationsSent(srv))
}

func TestWithTokenSource(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ts_tok_1"})))
	srv.Handle(getCall.route, reply(200, invoiceBody))
	require.NoError(t, getCall.call(context.Background(), c))
	require.NoError(t, getCall.call(context.Background(), c))
	assert.Equal(t, []string{"Bearer ts_tok_1", "Bearer ts_tok_1"}, authorizationsSent(srv))
}

// countingSource hands out numbered tokens that live an hour.
type countingSource struct {
	calls atomic.Int32
	err   error
	empty bool
}

func (s *countingSource) Token() (*oauth2.Token, error) {
	n := s.calls.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	if s.empty {
		return &oauth2.Token{}, nil
	}
	return &oauth2.Token{AccessToken: "ts_tok_" + strconv.Itoa(int(n)), TokenType: "bearer", Expiry: time.Now().Add(time.Hour)}, nil
}

func TestWithTokenSourceReusesValidToken(t *testing.T) {
	t.Parallel()
	src := &countingSource{}
	c, srv := setup(t, WithTokenSource(src))
	srv.Handle(getCall.route, reply(200, invoiceBody))
	for range 3 {
		require.NoError(t, getCall.call(context.Background(), c))
	}
	assert.EqualValues(t, 1, src.calls.Load())
	assert.Equal(t, []string{"Bearer ts_tok_1", "Bearer ts_tok_1", "Bearer ts_tok_1"}, authorizationsSent(srv))
}

func TestWithTokenSourceFailures(t *testing.T) {
	t.Parallel()
	srcErr := errors.New("vault unreachable")
	cases := []struct {
		name string
		src  *countingSource
		is   error
	}{
		{"error", &countingSource{err: srcErr}, srcErr},
		{"empty token", &countingSource{empty: true}, ErrUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, WithTokenSource(tc.src))
			err := getCall.call(context.Background(), c)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), "token source")
			assertNoSecrets(t, err)
			assert.Zero(t, srv.Requests(), "nothing is sent without a token")
			err = mutatingCalls[0].call(context.Background(), c)
			assert.ErrorIs(t, err, tc.is)
			assert.Zero(t, srv.Requests())
		})
	}
}

func TestWithTokenSource401AsksTheSourceAgain(t *testing.T) {
	t.Parallel()
	t.Run("a fresh token is tried once", func(t *testing.T) {
		t.Parallel()
		src := &countingSource{}
		c, srv := setup(t, WithTokenSource(src))
		srv.Handle(getCall.route, replies(t,
			reply(401, `{"detail": "Token revoked"}`),
			reply(200, invoiceBody),
		))
		require.NoError(t, getCall.call(context.Background(), c))
		assert.Equal(t, []string{"Bearer ts_tok_1", "Bearer ts_tok_2"}, authorizationsSent(srv))
		assert.EqualValues(t, 2, src.calls.Load(), "the refused token was dropped from the cache")
	})
	t.Run("only once", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, WithTokenSource(&countingSource{}))
		srv.Handle(getCall.route, reply(401, `{"detail": "Not authenticated"}`))
		err := getCall.call(context.Background(), c)
		assert.ErrorIs(t, err, ErrUnauthorized)
		assert.Equal(t, 2, srv.Requests())
		assertNoSecrets(t, err, "ts_tok_1", "ts_tok_2")
	})
	t.Run("the same token is not sent again", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "static_tok"})))
		srv.Handle(getCall.route, reply(401, `{"detail": "Not authenticated"}`))
		err := getCall.call(context.Background(), c)
		assert.ErrorIs(t, err, ErrUnauthorized)
		assert.Equal(t, 1, srv.Requests(), "a source that gives the refused token again earns no second request")
		assertNoSecrets(t, err, "static_tok")
	})
}

func TestWithToken401NotRetried(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle(getCall.route, reply(401, `{"detail": "Not authenticated"}`))
	err := getCall.call(context.Background(), c)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 1, srv.Requests())
	assertNoSecrets(t, err)
}

func TestClientCredentialsTokenRequest(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	c := a.client(t)
	require.NoError(t, getCall.call(context.Background(), c))
	require.EqualValues(t, 1, a.tokenCalls.Load())

	a.mu.Lock()
	req, form := a.tokenReqs[0], a.tokenForms[0]
	a.mu.Unlock()
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
	assert.Empty(t, req.Header.Get("Authorization"), "the token request carries no bearer token")
	assert.Contains(t, req.Header.Get("User-Agent"), "asset-go/")
	assert.Empty(t, req.URL.RawQuery, "the secret travels in the body, never in the URL")
	assert.Equal(t, url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {testClientID},
		"client_secret": {testClientSecret},
		"business_id":   {testBiz},
		"scope":         {"invoice:read invoice:create"},
		"resource":      {"https://api.getasset.com/a", "https://api.getasset.com/b"},
	}, form)
	assert.Equal(t, []string{"Bearer cc_tok_1"}, a.authorizations())
}

func TestClientCredentialsMinimalForm(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	c, err := NewClient(WithClientCredentials(ClientCredentials{ClientID: "c", ClientSecret: "s"}), WithBaseURL(a.srv.URL))
	require.NoError(t, err)
	require.NoError(t, getCall.call(context.Background(), c))
	a.mu.Lock()
	defer a.mu.Unlock()
	assert.Equal(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}, "client_secret": {"s"}}, a.tokenForms[0],
		"unset optional fields are left out")
}

func TestClientCredentialsCopied(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	creds := testCreds
	creds.Scopes = []string{"invoice:read"}
	c, err := NewClient(WithClientCredentials(creds), WithBaseURL(a.srv.URL))
	require.NoError(t, err)
	creds.Scopes[0] = "everything:admin"
	require.NoError(t, getCall.call(context.Background(), c))
	a.mu.Lock()
	defer a.mu.Unlock()
	assert.Equal(t, "invoice:read", a.tokenForms[0].Get("scope"))
}

func TestClientCredentialsCopiedWhenOptionIsMade(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	creds := testCreds
	creds.Scopes = []string{"invoice:read"}
	opt := WithClientCredentials(creds)
	creds.Scopes[0] = "everything:admin" // before NewClient runs the option
	c, err := NewClient(opt, WithBaseURL(a.srv.URL))
	require.NoError(t, err)
	require.NoError(t, getCall.call(context.Background(), c))
	a.mu.Lock()
	defer a.mu.Unlock()
	assert.Equal(t, "invoice:read", a.tokenForms[0].Get("scope"))
}

func TestWithTokenSourceRefusesUnsendableToken(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok\r\nX-Evil: 1"})))
	err := getCall.call(context.Background(), c)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Zero(t, srv.Requests(), "a token that cannot be a header value is not sent, nor retried")
	assert.NotContains(t, err.Error(), "X-Evil")
}

func TestClientCredentialsTokenCached(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	c := a.client(t)
	for range 3 {
		require.NoError(t, getCall.call(context.Background(), c))
	}
	require.NoError(t, mutatingCalls[0].call(context.Background(), c))
	assert.EqualValues(t, 1, a.tokenCalls.Load())
	assert.Equal(t, []string{"Bearer cc_tok_1", "Bearer cc_tok_1", "Bearer cc_tok_1", "Bearer cc_tok_1"}, a.authorizations())
}

func TestClientCredentialsRenewedBeforeExpiry(t *testing.T) {
	// Not parallel: the calls must keep to the token's 300ms and 400ms marks.
	a := newAuthFake(t)
	// 400ms tokens are renewed a quarter early, after 300ms.
	a.expiresIn = func(int) any { return json.Number("0.4") }
	// Refusing an expired token would hide a renewal that comes too late.
	var mu sync.Mutex
	issuedAt := map[string]time.Time{}
	a.accept = func(authz string) bool {
		mu.Lock()
		defer mu.Unlock()
		at, ok := issuedAt[authz]
		if !ok {
			issuedAt[authz] = time.Now()
			return true
		}
		return time.Since(at) < 400*time.Millisecond
	}
	c := a.client(t)
	require.NoError(t, getCall.call(context.Background(), c))
	// The renewal time was set before the first call returned.
	fetched := time.Now()
	require.NoError(t, getCall.call(context.Background(), c))
	if time.Since(fetched) < 250*time.Millisecond {
		assert.EqualValues(t, 1, a.tokenCalls.Load(), "a fresh token is reused")
	}
	time.Sleep(305*time.Millisecond - time.Since(fetched))
	require.NoError(t, getCall.call(context.Background(), c))
	assert.GreaterOrEqual(t, a.tokenCalls.Load(), int32(2), "the token is renewed once three quarters of its life are over")
	authz := a.authorizations()
	assert.Equal(t, "Bearer cc_tok_1", authz[0])
	assert.NotEqual(t, "Bearer cc_tok_1", authz[len(authz)-1])
	assert.EqualValues(t, 3, a.apiRequests.Load(), "no call was refused")
}

func TestTokenLifetime(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_777_650_000, 0)
	cases := []struct {
		expiresIn string
		want      time.Duration
	}{
		{"3600", time.Hour},
		{"60", time.Minute},
		{"1.5", 1500 * time.Millisecond},
		{strconv.FormatInt(now.Add(7168*time.Second).Unix(), 10), 7168 * time.Second},
		{"1777657168", 7168 * time.Second}, // the documented example
		{"", time.Hour},
		{"0", 0},
		{"-5", 0},
		{"0.000001", time.Microsecond},
		{strconv.FormatInt(now.Add(-time.Minute).Unix(), 10), 0},
		{"90000", maxTokenLifetime},
		{"1e300", maxTokenLifetime},
		{"9.3e18", maxTokenLifetime},
		{"-1e300", 0},
	}
	for _, tc := range cases {
		t.Run(tc.expiresIn, func(t *testing.T) {
			t.Parallel()
			r := tokenResponse{ExpiresIn: json.Number(tc.expiresIn)}
			assert.Equal(t, tc.want, r.lifetime(now))
		})
	}
}

// expires_in is read as seconds below 1,000,000,000 and as a unix time
// from there on: the two values either side of the line read differently,
// whichever reading would have been the longer.
func TestTokenLifetimeUnixTimeThreshold(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		now       time.Time
		expiresIn string
		want      time.Duration
	}{
		// Read as seconds, both would be kept the longest allowed.
		{"last second, seconds", time.Unix(999_996_400, 0), "999999999", maxTokenLifetime},
		{"last fraction below, seconds", time.Unix(999_996_400, 0), "999999999.999", maxTokenLifetime},
		{"the threshold, a unix time an hour ahead", time.Unix(999_996_400, 0), "1000000000", time.Hour},
		{"the threshold as a float, a unix time", time.Unix(999_996_400, 0), "1000000000.0", time.Hour},
		{"the threshold in exponent form, a unix time", time.Unix(999_996_400, 0), "1e9", time.Hour},
		// Today, a unix time of 1,000,000,000 is long past: nothing to keep.
		{"the threshold, a unix time long past", time.Unix(1_777_650_000, 0), "1000000000", 0},
		{"last second, seconds, today", time.Unix(1_777_650_000, 0), "999999999", maxTokenLifetime},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tokenResponse{ExpiresIn: json.Number(tc.expiresIn)}
			assert.Equal(t, tc.want, r.lifetime(tc.now), "expires_in %s at %s", tc.expiresIn, tc.now.UTC())
		})
	}
}

func TestClientCredentialsExpiresInShapes(t *testing.T) {
	t.Parallel()
	cases := map[string]any{
		"seconds":           3600,
		"seconds as string": "3600",
		"unix timestamp":    time.Now().Add(2 * time.Hour).Unix(),
		"missing":           nil,
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := newAuthFake(t)
			a.expiresIn = func(int) any { return v }
			c := a.client(t)
			for range 3 {
				require.NoError(t, getCall.call(context.Background(), c))
			}
			assert.EqualValues(t, 1, a.tokenCalls.Load(), "a token good for hours is reused")
		})
	}
}

func TestClientCredentials401RefreshesOnce(t *testing.T) {
	t.Parallel()
	for _, ac := range []apiCall{getCall, mutatingCalls[0]} {
		t.Run(ac.method, func(t *testing.T) {
			t.Parallel()
			a := newAuthFake(t)
			// The first token is revoked as soon as it is issued.
			a.accept = func(authz string) bool { return authz != "Bearer cc_tok_1" }
			c := a.client(t)
			var resp Response
			require.NoError(t, ac.call(context.Background(), c, WithResponseInto(&resp)))
			assert.EqualValues(t, 2, a.tokenCalls.Load(), "one new token")
			assert.EqualValues(t, 2, a.apiRequests.Load(), "one more try")
			assert.Equal(t, []string{"Bearer cc_tok_1", "Bearer cc_tok_2"}, a.authorizations())
			assert.Equal(t, ac.ok, resp.StatusCode)
			assert.Equal(t, 2, resp.Attempts, "the request was sent twice, the refused try included")

			// The new token is kept for the calls that follow.
			require.NoError(t, ac.call(context.Background(), c))
			assert.EqualValues(t, 2, a.tokenCalls.Load())
		})
	}
}

func TestClientCredentialsSecond401Returned(t *testing.T) {
	t.Parallel()
	for _, ac := range []apiCall{getCall, mutatingCalls[0]} {
		t.Run(ac.method, func(t *testing.T) {
			t.Parallel()
			a := newAuthFake(t)
			a.accept = func(string) bool { return false }
			c := a.client(t)
			err := ac.call(context.Background(), c)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 401, apiErr.StatusCode)
			assert.ErrorIs(t, err, ErrUnauthorized)
			assert.EqualValues(t, 2, a.tokenCalls.Load())
			assert.EqualValues(t, 2, a.apiRequests.Load(), "retried exactly once")
			assertNoSecrets(t, err, testClientSecret, "cc_tok_1", "cc_tok_2")
		})
	}
}

func TestClientCredentialsTokenEndpointFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		body     string
		is       error
		attempts int32
	}{
		{"invalid client", 401, `{"error": "invalid_client"}`, ErrUnauthorized, 1},
		{"bad request", 400, `{"detail": "grant_type not supported"}`, ErrValidation, 1},
		{"forbidden", 403, `{"detail": "business not allowed"}`, ErrForbidden, 1},
		{"server error retried", 500, `{"detail": "down"}`, ErrServer, 4},
		{"no access token", 200, `{"token_type": "Bearer", "expires_in": 3600}`, ErrUnauthorized, 1},
		{"html", 200, `<html>login</html>`, ErrInvalidReply, 1},
		{"not bearer", 200, `{"access_token": "cc_tok_mac", "token_type": "mac"}`, nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAuthFake(t)
			a.token = func(int) (int, string) { return tc.status, tc.body }
			c := a.client(t)
			err := getCall.call(context.Background(), c)
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), "token")
			assert.EqualValues(t, tc.attempts, a.tokenCalls.Load())
			assert.Zero(t, a.apiRequests.Load(), "no call is sent without a token")
			assertNoSecrets(t, err, testClientSecret, "cc_tok_mac")
		})
	}
}

func TestClientCredentialsTokenEndpointUnreachable(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithClientCredentials(testCreds), WithBaseURL(refusedURL(t)), WithRetryWait(time.Millisecond, time.Millisecond), WithMaxRetries(1))
	require.NoError(t, err)
	err = getCall.call(context.Background(), c)
	var ne *NetworkError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, tokenPath, ne.Path)
	assert.Equal(t, 2, ne.Attempts)
	assert.Contains(t, err.Error(), "fetching an access token")
	assertNoSecrets(t, err, testClientSecret)
}

func TestClientCredentialsConcurrentCallersFetchOnce(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	a.tokenDelay = 50 * time.Millisecond
	c := a.client(t)
	const callers = 16
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- getCall.call(context.Background(), c)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, a.tokenCalls.Load())
	assert.EqualValues(t, callers, a.apiRequests.Load())
	for _, authz := range a.authorizations() {
		assert.Equal(t, "Bearer cc_tok_1", authz)
	}
}

func TestClientCredentialsWaitHonoursContext(t *testing.T) {
	// Not parallel: it times the wait.
	a := newAuthFake(t)
	a.tokenDelay = 300 * time.Millisecond
	c := a.client(t)
	go func() { _ = getCall.call(context.Background(), c) }()
	for a.tokenCalls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// A second caller waits for the first one's fetch, but only as long as
	// its own context allows.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := getCall.call(ctx, c)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 250*time.Millisecond)
	assertNoSecrets(t, err, testClientSecret)
}

func TestClientCredentialsConcurrent401(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	a.accept = func(authz string) bool { return authz != "Bearer cc_tok_1" }
	c := a.client(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, getCall.call(context.Background(), c))
		}()
	}
	wg.Wait()
	// Only the first caller refused with token 1 forgets it; the others find
	// it already replaced and use the replacement.
	assert.EqualValues(t, 2, a.tokenCalls.Load())
}

func TestClientCredentialsPerCallOptionsKeepAuth(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	c := a.client(t)
	require.NoError(t, getCall.call(context.Background(), c, WithUserID("usr_1"), WithMaxRetries(0)))
	require.NoError(t, getCall.call(context.Background(), c))
	assert.EqualValues(t, 1, a.tokenCalls.Load(), "a call's options share the client's token cache")
}

func TestSecretsNeverInAnyAuthError(t *testing.T) {
	t.Parallel()
	// A mixed bag of failures, all checked for the secret and the tokens.
	a := newAuthFake(t)
	var n atomic.Int32
	a.token = func(int) (int, string) {
		if n.Add(1) == 1 {
			return 422, `{"detail": [{"loc": ["body", "client_secret"], "msg": "invalid"}]}`
		}
		return 200, `{"access_token": "cc_tok_x", "expires_in": 3600}`
	}
	c := a.client(t)
	err := getCall.call(context.Background(), c)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrValidation)
	assertNoSecrets(t, err, testClientSecret)
	err = getCall.call(context.Background(), c)
	assert.ErrorIs(t, err, ErrUnauthorized, "cc_tok_x was never issued by the fake's API side")
	assertNoSecrets(t, err, testClientSecret, "cc_tok_x")
}

// Many calls refused the same token at once: the first drops it, the
// others must not drop the fresh one it fetched.
func TestTokenSourceRefreshDropsOnlyTheRefusedToken(t *testing.T) {
	t.Parallel()
	src := &countingSource{}
	a := newTokenSourceAuth(src)
	ctx := context.Background()
	first, err := a.authorization(ctx)
	require.NoError(t, err)
	require.True(t, a.refresh(first))
	second, err := a.authorization(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, first, second)
	a.refresh(first) // a late 401 for the old token
	third, err := a.authorization(ctx)
	require.NoError(t, err)
	assert.Equal(t, second, third, "the fresh token was kept")
	assert.EqualValues(t, 2, src.calls.Load())
}

// blockingSource is a token source whose Token blocks until unblock is
// called (at the latest when the test ends), as one reading a vault that
// does not answer.
type blockingSource struct {
	calls   atomic.Int32
	release chan struct{}
	once    sync.Once
}

func newBlockingSource(t *testing.T) *blockingSource {
	s := &blockingSource{release: make(chan struct{})}
	t.Cleanup(s.unblock)
	return s
}

func (s *blockingSource) unblock() { s.once.Do(func() { close(s.release) }) }

func (s *blockingSource) Token() (*oauth2.Token, error) {
	s.calls.Add(1)
	<-s.release
	return &oauth2.Token{AccessToken: "ts_tok_late", Expiry: time.Now().Add(time.Hour)}, nil
}

// startCalls runs n calls, each with its own 200ms deadline.
func startCalls(n int, call func(ctx context.Context) error) <-chan error {
	errs := make(chan error, n)
	for range n {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			errs <- call(ctx)
		}()
	}
	return errs
}

// collect waits for n results, failing the test if they are not all in
// by limit, far beyond the calls' deadlines.
func collect(t *testing.T, errs <-chan error, n int, limit time.Duration) []error {
	t.Helper()
	timeout := time.After(limit)
	out := make([]error, 0, n)
	for range n {
		select {
		case err := <-errs:
			out = append(out, err)
		case <-timeout:
			t.Fatalf("%d of %d calls are still blocked after %s", n-len(out), n, limit)
		}
	}
	return out
}

// Token has no context, so the call waits for it only as long as its own
// context allows; callers that come while it is blocked share that one
// Token call rather than each starting one.
func TestWithTokenSourceBlockedHonoursDeadline(t *testing.T) {
	t.Parallel()
	src := newBlockingSource(t)
	c, srv := setup(t, WithTokenSource(src))
	const callers = 8
	errs := startCalls(callers, func(ctx context.Context) error { return getCall.call(ctx, c) })
	for _, err := range collect(t, errs, callers, 5*time.Second) {
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "token source")
	}
	assert.EqualValues(t, 1, src.calls.Load(), "one Token call at a time, shared")
	assert.Zero(t, srv.Requests())
}

// Once the blocked Token returns, its token serves the calls that follow.
func TestWithTokenSourceLateTokenKept(t *testing.T) {
	t.Parallel()
	src := newBlockingSource(t)
	a := newTokenSourceAuth(src)
	errs := startCalls(1, func(ctx context.Context) error {
		_, err := a.authorization(ctx)
		return err
	})
	require.ErrorIs(t, collect(t, errs, 1, 5*time.Second)[0], context.DeadlineExceeded)
	src.unblock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	authz, err := a.authorization(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Bearer ts_tok_late", authz)
	assert.EqualValues(t, 1, src.calls.Load())
}

// A token source that panics fails the call instead of the program.
func TestWithTokenSourcePanicIsAnError(t *testing.T) {
	t.Parallel()
	a := newTokenSourceAuth(panickingSource{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := a.authorization(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "vault exploded")
}

type panickingSource struct{}

func (panickingSource) Token() (*oauth2.Token, error) { panic("vault exploded") }

// expires_in as servers write it at the edges: a token said to expire at
// once, or already expired, serves the calls that waited for it and is not
// kept; one said to live for ever is kept, and renewed within a day.
func TestClientCredentialsExpiresInEdges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		expiresIn any
		fetches   int32 // for three calls in a row
	}{
		{"zero", 0, 3},
		{"negative", -5, 3},
		{"a microsecond", json.Number("0.000001"), 3},
		{"unix time already past", time.Now().Add(-time.Hour).Unix(), 3},
		{"1,000,000,000: a unix time long past", 1_000_000_000, 3},
		{"999,999,999: seconds", 999_999_999, 1},
		{"1e300", json.Number("1e300"), 1},
		{"9.3e18", json.Number("9.3e18"), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAuthFake(t)
			a.expiresIn = func(int) any { return tc.expiresIn }
			c := a.client(t)
			for range 3 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				require.NoError(t, getCall.call(ctx, c))
				cancel()
			}
			assert.Equal(t, tc.fetches, a.tokenCalls.Load())
		})
	}
}

// Calls that need a token while one is being fetched wait for that fetch
// rather than each fetching their own in turn, even when the token it
// brings is not to be kept.
func TestClientCredentialsWaitersShareOneFetch(t *testing.T) {
	t.Parallel()
	a := newAuthFake(t)
	a.expiresIn = func(int) any { return json.Number("0.000001") }
	a.tokenDelay = 50 * time.Millisecond
	c := a.client(t)
	const callers = 100
	errs := make(chan error, callers)
	for range callers {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			errs <- getCall.call(ctx, c)
		}()
	}
	for _, err := range collect(t, errs, callers, 10*time.Second) {
		assert.NoError(t, err)
	}
	assert.EqualValues(t, 1, a.tokenBusyMax.Load(), "one token request at a time")
	assert.Less(t, a.tokenCalls.Load(), int32(callers))
}

// A token request keeps the deadline of the call that started it; cut
// short by it, it is started again for a caller that still has time.
func TestClientCredentialsFetchCutByItsDeadlineIsStartedAgain(t *testing.T) {
	// Not parallel: the first token request must reach the server within its call's 50ms.
	a := newAuthFake(t)
	a.tokenDelay = 300 * time.Millisecond
	c := a.client(t)
	first := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		first <- getCall.call(ctx, c)
	}()
	for a.tokenCalls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, getCall.call(ctx, c))
	assert.ErrorIs(t, collect(t, first, 1, 5*time.Second)[0], context.DeadlineExceeded)
	assert.EqualValues(t, 2, a.tokenCalls.Load())
}
