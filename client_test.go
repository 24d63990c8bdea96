package asset

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/internal/wiretest"
)

// For faults that setup's handlers do not fake (connections cut or refused,
// precise arrival times) the tests run a server of their own; plain http is
// allowed on loopback.

// seenRequest is what a recServer saw of one request.
type seenRequest struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
	At                     time.Time
}

// recServer records every request and answers with the test's handler,
// which is told the request's number, counting from 1.
type recServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seenRequest
}

func newRecServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *recServer {
	t.Helper()
	s := &recServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seenRequest{
			Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: body, At: time.Now(),
		})
		n := len(s.reqs)
		s.mu.Unlock()
		answer(w, r, n)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *recServer) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.reqs...)
}

func (s *recServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// client is a client of s with the default *http.Client and fast retries.
func (s *recServer) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithToken(testToken),
		WithBaseURL(s.URL),
		WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// hangUp closes the connection once the whole request has been read, so the
// client cannot know whether it was processed.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

// replyJSON writes status and body with a JSON content type. It closes the
// connection so that the next request comes on a fresh one: net/http
// silently resends a GET whose reused connection was cut, which would make
// the server's request counts depend on connection reuse.
func replyJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// refusedURL is the address of a loopback port that refuses every
// connection while t runs, so nothing can have been sent; no server another
// test starts meanwhile is given the port.
func refusedURL(t *testing.T) string {
	t.Helper()
	return wiretest.RefusedURL(t)
}

// assertNoSecrets fails when err's text holds a credential.
func assertNoSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range append(secrets, testToken) {
		assert.NotContains(t, err.Error(), s, "the error text leaks a credential")
	}
}

const invoiceBody = `{"data": {"id": "` + testInv + `", "business_id": "` + testBiz + `", "number": "INV-1", "status": "open"}}`

func TestNewClientNeedsCredentials(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]Option{
		"none":          nil,
		"base url only": {WithBaseURL(SandboxURL)},
		"zero options":  {{}, {}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "credentials", ie.Field)
			assert.ErrorIs(t, err, ErrValidation)
		})
	}
}

func TestNewClientBaseURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url string
		ok  bool
	}{
		{SandboxURL, true},
		{ProductionURL, true},
		{"https://proxy.example/asset/", true},
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"http://api.getasset.com", false},
		{"http://192.168.1.10:8080", false},
		{"http://localhost.example", false},
		{"api.getasset.com", false},
		{"ftp://api.getasset.com", false},
		{"https://api.getasset.com?debug=1", false},
		{"https://user:pass@api.getasset.com", false},
		{"", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(WithToken(testToken), WithBaseURL(tc.url))
			if tc.ok {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "WithBaseURL", ie.Field)
			assert.NotContains(t, err.Error(), "pass")
		})
	}
}

// toServer sends every request to a testServer, whatever scheme and host
// its URL names, and keeps the URLs it was given: a client of another base
// URL, the default one included, is tested on loopback with it.
type toServer struct {
	srv  *testServer
	base *http.Transport

	mu   sync.Mutex
	urls []string
}

func newToServer(t *testing.T, srv *testServer) *toServer {
	ts := &toServer{srv: srv, base: &http.Transport{}}
	t.Cleanup(ts.base.CloseIdleConnections)
	return ts
}

func (ts *toServer) RoundTrip(r *http.Request) (*http.Response, error) {
	ts.mu.Lock()
	ts.urls = append(ts.urls, r.URL.String())
	ts.mu.Unlock()
	u, err := url.Parse(ts.srv.URL)
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, ""
	return ts.base.RoundTrip(r)
}

// sentTo is the URLs the client asked for, in order.
func (ts *toServer) sentTo() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.urls...)
}

func TestNewClientDefaultsToProduction(t *testing.T) {
	t.Parallel()
	_, srv := setup(t)
	srv.Handle(getCall.route, reply(200, invoiceBody))
	rt := newToServer(t, srv)
	c, err := NewClient(WithToken(testToken), WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	inv, err := c.Invoices.Get(context.Background(), testBiz, testInv)
	require.NoError(t, err)
	assert.Equal(t, testInv, inv.ID)
	assert.Equal(t, []string{ProductionURL + pathInvoice}, rt.sentTo())
}

func TestBaseURLPathPrefixKept(t *testing.T) {
	t.Parallel()
	_, srv := setup(t)
	srv.Handle("GET /asset"+pathInvoice, reply(200, invoiceBody))
	rt := newToServer(t, srv)
	c, err := NewClient(WithToken(testToken), WithHTTPClient(&http.Client{Transport: rt}), WithBaseURL("https://proxy.example/asset/"))
	require.NoError(t, err)
	_, err = c.Invoices.Get(context.Background(), testBiz, testInv)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://proxy.example/asset" + pathInvoice}, rt.sentTo())
}

func TestUserAgentAndAcceptHeaders(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle(getCall.route, reply(200, invoiceBody))
	_, err := c.Invoices.Get(context.Background(), testBiz, testInv)
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	ua := sent[0].Header.Get("User-Agent")
	assert.Equal(t, "asset-go/"+Version+" ("+runtime.Version()+")", ua)
	assert.Regexp(t, regexp.MustCompile(`^asset-go/\d+\.\d+\.\d+\S* \([^()]+\)$`), ua)
	assert.Equal(t, "application/json", sent[0].Header.Get("Accept"))
	assert.Equal(t, "Bearer "+testToken, sent[0].Header.Get("Authorization"))
}

func TestUserIDPerClientAndPerCall(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		client []Option
		call   []Option
		want   string
	}{
		{"none", nil, nil, ""},
		{"client", []Option{WithUserID("usr_client")}, nil, "usr_client"},
		{"call", nil, []Option{WithUserID("usr_call")}, "usr_call"},
		{"call overrides client", []Option{WithUserID("usr_client")}, []Option{WithUserID("usr_call")}, "usr_call"},
		{"call clears client", []Option{WithUserID("usr_client")}, []Option{WithUserID("")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tc.client...)
			srv.Handle(getCall.route, reply(200, invoiceBody))
			_, err := c.Invoices.Get(context.Background(), testBiz, testInv, tc.call...)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, tc.want, sent[0].Header.Get("X-User-Id"))
			_, present := sent[0].Header["X-User-Id"]
			assert.Equal(t, tc.want != "", present, "an empty user id is not sent at all")
		})
	}
}

func TestUserIDOnCallDoesNotLeakIntoClient(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithUserID("usr_client"), WithHeader("X-Trace", "client"))
	srv.Handle(getCall.route, reply(200, invoiceBody))
	_, err := c.Invoices.Get(context.Background(), testBiz, testInv, WithUserID("usr_call"), WithHeader("X-Trace", "call"))
	require.NoError(t, err)
	_, err = c.Invoices.Get(context.Background(), testBiz, testInv)
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 2)
	assert.Equal(t, "usr_call", sent[0].Header.Get("X-User-Id"))
	assert.Equal(t, "call", sent[0].Header.Get("X-Trace"))
	assert.Equal(t, "usr_client", sent[1].Header.Get("X-User-Id"), "a call's options must not change the client")
	assert.Equal(t, "client", sent[1].Header.Get("X-Trace"))
}

func TestNilContextRefused(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	var ctx context.Context
	_, err := c.Invoices.Get(ctx, testBiz, testInv)
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "ctx", ie.Field)
	assert.Zero(t, srv.Requests())
}

func TestResponseInto(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	reset := time.Now().Add(30 * time.Second).Unix()
	srv.Handle(getCall.route, replyHeaders(200, map[string]string{
		"X-Request-Id":          "req_42",
		"X-Ratelimit-Limit":     "300",
		"X-Ratelimit-Remaining": "299",
		"X-Ratelimit-Reset":     strconv.FormatInt(reset, 10),
	}, invoiceBody))
	var resp Response
	_, err := c.Invoices.Get(context.Background(), testBiz, testInv, WithResponseInto(&resp))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "req_42", resp.RequestID)
	assert.Equal(t, "req_42", resp.Header.Get("X-Request-Id"))
	assert.Equal(t, RateLimit{Limit: 300, Remaining: 299, Reset: time.Unix(reset, 0)}, resp.RateLimit)
	assert.Equal(t, 1, resp.Attempts)
}

func TestNetworkErrorWhenNothingAnswers(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithToken(testToken), WithBaseURL(refusedURL(t)), WithRetryWait(time.Millisecond, time.Millisecond), WithMaxRetries(1))
	require.NoError(t, err)
	_, err = c.Invoices.Get(context.Background(), testBiz, testInv)
	var ne *NetworkError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, http.MethodGet, ne.Method)
	assert.Equal(t, "/v0/business/"+testBiz+"/invoice/"+testInv, ne.Path)
	assert.Equal(t, 2, ne.Attempts)
	assert.False(t, ne.MayHaveApplied)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	var opErr *net.OpError
	assert.True(t, errors.As(err, &opErr), "the cause is reachable: %v", err)
	assertNoSecrets(t, err)
}

// With no deadline on the context, a server that never answers must still
// not hang the call.
func TestAttemptTimeoutEndsSilentServer(t *testing.T) {
	// Not parallel: each try must reach the server well within its 30ms.
	quit := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-quit:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(quit)
	c, err := NewClient(WithToken(testToken), WithBaseURL(srv.URL), WithRetryWait(time.Millisecond, time.Millisecond), WithMaxRetries(1))
	require.NoError(t, err)
	cases := []struct {
		name      string
		call      func(ctx context.Context, opts ...Option) error
		attempts  int
		mayHaveAp bool
	}{
		{"get", func(ctx context.Context, opts ...Option) error {
			_, err := c.Invoices.Get(ctx, testBiz, testInv, opts...)
			return err
		}, 2, false},
		{"apply", func(ctx context.Context, opts ...Option) error {
			_, err := c.Payments.Apply(ctx, testBiz, InvoicePaymentCreate{InvoiceID: testInv, TransactionID: "txn_1"}, opts...)
			return err
		}, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The deadline only keeps the test from hanging if the try's
			// own timeout does not hold; the call must end long before.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := tc.call(ctx, WithAttemptTimeout(30*time.Millisecond))
			require.NoError(t, ctx.Err(), "the try's timeout did not end the call")
			var ne *NetworkError
			require.ErrorAs(t, err, &ne)
			assert.Equal(t, tc.attempts, ne.Attempts)
			assert.Equal(t, tc.mayHaveAp, ne.MayHaveApplied)
			assert.Equal(t, tc.mayHaveAp, errors.Is(err, ErrOutcomeUnknown))
			var timeout net.Error
			require.ErrorAs(t, err, &timeout)
			assert.True(t, timeout.Timeout())
			assert.ErrorIs(t, err, context.DeadlineExceeded, "the try's own deadline, as the changelog says")
		})
	}
}

// A call whose tries timed out says so, with the timeout and the option
// that set it, rather than "context deadline exceeded" for a context that
// had no deadline; a deadline of the caller's own is not blamed on it.
func TestTimeoutErrorSaysWhichTimeout(t *testing.T) {
	// Not parallel: each try must reach the server well within its 20ms or 30ms.
	quit := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-quit:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(quit)
	get := func(ctx context.Context, c *Client) error {
		_, err := c.Invoices.Get(ctx, testBiz, testInv)
		return err
	}
	apply := func(ctx context.Context, c *Client) error {
		_, err := c.Payments.Apply(ctx, testBiz, InvoicePaymentCreate{InvoiceID: testInv, TransactionID: "txn_1"})
		return err
	}
	tests := []struct {
		name     string
		opts     []Option
		deadline time.Duration // of the caller's context; 0: none
		call     func(context.Context, *Client) error
		says     string
		saysNot  string
	}{
		{"read, every try", []Option{WithAttemptTimeout(30 * time.Millisecond)}, 0, get,
			"each of 2 tries timed out after 30ms, the per-try timeout (WithAttemptTimeout)", ""},
		{"change, its one try", []Option{WithAttemptTimeout(30 * time.Millisecond)}, 0, apply,
			"the try timed out after 30ms, the per-try timeout (WithAttemptTimeout)", ""},
		{"the HTTP client's Timeout is the shorter", []Option{WithHTTPClient(&http.Client{Timeout: 20 * time.Millisecond})}, 0, get,
			"each of 2 tries timed out after 20ms, the per-try timeout (the Timeout of the *http.Client given to WithHTTPClient)", ""},
		{"the caller's deadline", []Option{WithAttemptTimeout(time.Minute)}, 50 * time.Millisecond, get,
			"context deadline exceeded", "per-try"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]Option{WithToken(testToken), WithBaseURL(srv.URL), WithRetryWait(time.Millisecond, time.Millisecond), WithMaxRetries(1)}, tt.opts...)
			c, err := NewClient(opts...)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if tt.deadline > 0 {
				ctx, cancel = context.WithTimeout(context.Background(), tt.deadline)
			}
			defer cancel()
			err = tt.call(ctx, c)
			var ne *NetworkError
			require.ErrorAs(t, err, &ne)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), tt.says)
			if tt.saysNot != "" {
				assert.NotContains(t, err.Error(), tt.saysNot)
			}
		})
	}
}

// A call whose context is already done sends nothing, and says so: it is
// not a change whose outcome is unknown.
func TestCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, call := range append([]apiCall{getCall}, mutatingCalls...) {
		err := call.call(ctx, c)
		require.ErrorIs(t, err, context.Canceled, call.name)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, call.name)
	}
	assert.Zero(t, srv.Requests())
}

// A body cut short and retried must not leave its bytes in the error body of
// the next try.
func TestErrorBodyAfterCutSuccessBody(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", "1000")
			_, _ = io.WriteString(w, `{"data": {"id": "inv_1", "number": "INV-1",`)
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"detail": "Invoice not found"}`)
	}))
	defer srv.Close()
	c, err := NewClient(WithToken(testToken), WithBaseURL(srv.URL), WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Invoices.Get(context.Background(), testBiz, testInv)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, `{"detail": "Invoice not found"}`, string(apiErr.Body))
	assert.Equal(t, "Invoice not found", apiErr.Message)
}

func TestMaxResponseBytesWithoutLimit(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithMaxResponseBytes(math.MaxInt64))
	srv.Handle(getCall.route, reply(200, invoiceBody))
	require.NoError(t, getCall.call(context.Background(), c))
	assert.Equal(t, 1, srv.Hits(getCall.route))
}
