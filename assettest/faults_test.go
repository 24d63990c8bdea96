package assettest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/assettest"
)

// clock is a settable time for WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestRateLimit(t *testing.T) {
	clk := &clock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
	h := newTester(t, assettest.WithRateLimit(3, time.Minute), assettest.WithClock(clk.now))
	path := bizPath(biz, "/invoice")

	for i := 2; i >= 0; i-- {
		rep := h.do("GET", path, nil).requireStatus(t, 200)
		assert.Equal(t, "3", rep.header.Get("X-Ratelimit-Limit"))
		assert.Equal(t, strconv.Itoa(i), rep.header.Get("X-Ratelimit-Remaining"))
		assert.Equal(t, strconv.FormatInt(clk.now().Add(time.Minute).Unix(), 10), rep.header.Get("X-Ratelimit-Reset"))
	}
	clk.advance(15 * time.Second)
	rep := h.do("POST", path, []any{map[string]any{"number": "X"}}).requireStatus(t, 429)
	assert.Equal(t, "45", rep.header.Get("Retry-After"))
	assert.Equal(t, "0", rep.header.Get("X-Ratelimit-Remaining"))
	assert.Equal(t, "Rate limit exceeded: 3 per 1 minute", rep.get("error"))
	assert.True(t, strings.HasPrefix(rep.header.Get("X-Request-Id"), "req_"))
	assert.Empty(t, h.srv.Invoices(biz), "a limited request is not processed")
	assert.Equal(t, 1, h.srv.Stats(assettest.RouteCreateInvoices).RateLimited)

	// Another business has its own budget; unauthenticated requests use none.
	h.do("GET", bizPath("biz_other", "/invoice"), nil, "Authorization", "").requireStatus(t, 401)
	other := h.do("GET", bizPath("biz_other", "/invoice"), nil).requireStatus(t, 200)
	assert.Equal(t, "2", other.header.Get("X-Ratelimit-Remaining"))

	// A new window opens when this one ends.
	clk.advance(45 * time.Second)
	rep = h.do("GET", path, nil).requireStatus(t, 200)
	assert.Equal(t, "2", rep.header.Get("X-Ratelimit-Remaining"))
}

func TestRateLimitDefaultAndOff(t *testing.T) {
	h := newTester(t)
	rep := h.do("GET", bizPath(biz, "/invoice"), nil).requireStatus(t, 200)
	assert.Equal(t, "300", rep.header.Get("X-Ratelimit-Limit"))
	assert.Equal(t, "299", rep.header.Get("X-Ratelimit-Remaining"))

	off := newTester(t, assettest.WithoutRateLimit())
	for range 5 {
		rep := off.do("GET", bizPath(biz, "/invoice"), nil).requireStatus(t, 200)
		assert.Empty(t, rep.header.Get("X-Ratelimit-Limit"))
	}
}

// rawPost sends one request and returns the transport error, if any.
func rawPost(h *tester, path string, body any) (*http.Response, []byte, error) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", h.srv.URL+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+h.srv.Token())
	req.Header.Set("Content-Type", "application/json")
	// A fresh connection each time, so that Go's transport does not retry
	// behind the test's back.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return resp, buf.Bytes(), err
}

func TestFaults(t *testing.T) {
	create := func(n string) []any {
		return []any{map[string]any{"number": n, "lines": []any{map[string]any{"amount": 1}}}}
	}
	tests := []struct {
		name        string
		inject      func(*assettest.Server)
		status      int  // 0: a transport error
		badJSON     bool // the body does not decode
		created     int  // invoices in the state afterwards
		applied     int
		faulted     int
		checkHeader func(*testing.T, http.Header)
	}{
		{
			name:    "FailNext 503",
			inject:  func(s *assettest.Server) { s.FailNext(assettest.RouteCreateInvoices, 1, 503) },
			status:  503,
			created: 0, applied: 0, faulted: 1,
		},
		{
			name:    "FailNext 429 has Retry-After",
			inject:  func(s *assettest.Server) { s.FailNext(assettest.RouteCreateInvoices, 1, 429) },
			status:  429,
			created: 0, applied: 0, faulted: 1,
			checkHeader: func(t *testing.T, h http.Header) {
				assert.Equal(t, "1", h.Get("Retry-After"))
				assert.Equal(t, "0", h.Get("X-Ratelimit-Remaining"))
			},
		},
		{
			name: "FailNextWith a proxy's HTML page",
			inject: func(s *assettest.Server) {
				s.FailNextWith(assettest.RouteCreateInvoices, 1, assettest.Failure{
					Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>Bad Gateway</html>"),
				})
			},
			status: 502, badJSON: true,
			created: 0, applied: 0, faulted: 1,
			checkHeader: func(t *testing.T, h http.Header) { assert.Equal(t, "text/html", h.Get("Content-Type")) },
		},
		{
			name: "FailNextWith a 200 that never reached the API",
			inject: func(s *assettest.Server) {
				s.FailNextWith(assettest.RouteCreateInvoices, 1, assettest.Failure{
					Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("captive portal"),
				})
			},
			status: 200, badJSON: true,
			created: 0, applied: 0, faulted: 1,
		},
		{
			name:    "DropNext before apply",
			inject:  func(s *assettest.Server) { s.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropBeforeApply) },
			created: 0, applied: 0, faulted: 1,
		},
		{
			name:    "DropNext after apply",
			inject:  func(s *assettest.Server) { s.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply) },
			created: 1, applied: 1, faulted: 1,
		},
		{
			name:   "MalformedNext",
			inject: func(s *assettest.Server) { s.MalformedNext(assettest.RouteCreateInvoices, 1) },
			status: 201, badJSON: true,
			created: 1, applied: 1, faulted: 1,
		},
		{
			name:    "a fault on another route",
			inject:  func(s *assettest.Server) { s.FailNext(assettest.RouteApplyPayment, 1, 500) },
			status:  201,
			created: 1, applied: 1, faulted: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTester(t)
			tt.inject(h.srv)
			resp, body, err := rawPost(h, bizPath(biz, "/invoice"), create("F-1"))
			if tt.status == 0 {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.status, resp.StatusCode)
				assert.True(t, strings.HasPrefix(resp.Header.Get("X-Request-Id"), "req_"))
				var v any
				assert.Equal(t, tt.badJSON, json.Unmarshal(body, &v) != nil, "body %s", body)
				if tt.checkHeader != nil {
					tt.checkHeader(t, resp.Header)
				}
			}
			assert.Len(t, h.srv.Invoices(biz), tt.created)
			st := h.srv.Stats(assettest.RouteCreateInvoices)
			// A create that made an invoice was both served and applied.
			assert.Equal(t, assettest.RouteStats{Requests: 1, Applied: tt.applied, Served: tt.applied, Faulted: tt.faulted}, st)

			// The fault is used up: the next request is served normally.
			resp, _, err = rawPost(h, bizPath(biz, "/invoice"), create("F-2"))
			require.NoError(t, err)
			assert.Equal(t, 201, resp.StatusCode)
			assert.Equal(t, 2, h.srv.Requests(assettest.RouteCreateInvoices))
			assert.Equal(t, tt.applied+1, h.srv.Applied(assettest.RouteCreateInvoices))
		})
	}
}

func TestFaultQueue(t *testing.T) {
	h := newTester(t)
	path := bizPath(biz, "/invoice")
	h.srv.FailNext(assettest.RouteListInvoices, 2, 500)
	h.srv.FailNext(assettest.RouteListInvoices, 1, 504)
	h.srv.FailNext(assettest.RouteListInvoices, 0, 502) // nothing
	for _, want := range []int{500, 500, 504, 200} {
		h.do("GET", path, nil).requireStatus(t, want)
	}
	h.srv.FailNext(assettest.RouteListInvoices, 5, 500)
	h.srv.ClearFaults()
	h.do("GET", path, nil).requireStatus(t, 200)

	st := h.srv.Stats(assettest.RouteListInvoices)
	assert.Equal(t, assettest.RouteStats{Requests: 5, Served: 2, Faulted: 3}, st, "reads are served, never applied")
	h.srv.ResetStats()
	assert.Zero(t, h.srv.Stats(assettest.RouteListInvoices))

	assert.Panics(t, func() { h.srv.FailNext(assettest.RouteListInvoices, 1, 200) })
	assert.Panics(t, func() { h.srv.FailNextWith(assettest.RouteListInvoices, 1, assettest.Failure{Status: 99}) })
	assert.Panics(t, func() { h.srv.FailNext("GET /nowhere", 1, 500) })
	assert.Panics(t, func() { h.srv.DropNext(assettest.RouteGetInvoice, 1, 0) })
}

func TestDelays(t *testing.T) {
	h := newTester(t)
	path := bizPath(biz, "/invoice")

	h.srv.DelayNext(assettest.RouteCreateInvoices, 1, 50*time.Millisecond)
	start := time.Now()
	h.do("POST", path, []any{map[string]any{"number": "D-1"}}).requireStatus(t, 201)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	// A client that gives up during the wait leaves nothing applied, even
	// once the wait is over.
	h.srv.DelayNext(assettest.RouteCreateInvoices, 1, 300*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", h.srv.URL+path, strings.NewReader(`[{"number": "D-2"}]`))
	req.Header.Set("Authorization", "Bearer "+h.srv.Token())
	_, err := h.hc.Do(req)
	require.Error(t, err)
	time.Sleep(400 * time.Millisecond)
	assert.Len(t, h.srv.Invoices(biz), 1)
	assert.Equal(t, 1, h.srv.Applied(assettest.RouteCreateInvoices))
	assert.Equal(t, 2, h.srv.Requests(assettest.RouteCreateInvoices))

	h.srv.SetLatency(30 * time.Millisecond)
	start = time.Now()
	h.do("GET", path, nil).requireStatus(t, 200)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	h.srv.SetLatency(0)
}

func TestCloseAbandonsWaitingRequests(t *testing.T) {
	srv := assettest.NewServer(assettest.WithLatency(time.Hour))
	done := make(chan error, 1)
	go func() {
		_, err := srv.HTTPClient().Get(srv.URL + bizPath(biz, "/invoice"))
		done <- err
	}()
	for srv.Requests(assettest.RouteListInvoices) == 0 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a request sleeping on latency")
	}
	require.Error(t, <-done)
	srv.Close() // a second Close is harmless
}

func TestTokenEndpoint(t *testing.T) {
	h := newTester(t, assettest.WithClientCredentials("cli_1", "s3cret"))
	creds := h.srv.ClientCredentials()
	assert.Equal(t, "cli_1", creds.ClientID)
	token := func(form url.Values) reply {
		return h.do("POST", "/v0/auth/token", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	}
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {"cli_1"}, "client_secret": {"s3cret"}}

	rep := token(good).requireStatus(t, 200)
	assert.Equal(t, "Bearer", rep.get("token_type"))
	assert.Equal(t, "3600", num(rep.get("expires_in")))
	tok := str(rep.get("access_token"))
	require.NotEmpty(t, tok)
	h.do("GET", bizPath(biz, "/invoice"), nil, "Authorization", "Bearer "+tok).requireStatus(t, 200)

	bad := url.Values{"grant_type": {"client_credentials"}, "client_id": {"cli_1"}, "client_secret": {"nope"}}
	assert.Equal(t, "Invalid client credentials", token(bad).requireStatus(t, 401).get("detail"))
	token(url.Values{"client_id": {"cli_1"}, "client_secret": {"s3cret"}}).requireDetailAt(t, "missing", "body", "grant_type")
	token(url.Values{"grant_type": {"password"}, "client_id": {"cli_1"}, "client_secret": {"s3cret"}}).requireDetailAt(t, "literal_error", "body", "grant_type")
	h.do("POST", "/v0/auth/token", map[string]any{"grant_type": "client_credentials"}).requireDetailAt(t, "missing", "body", "client_id")

	// A token scoped to one business is refused on another's routes.
	scoped := url.Values{"business_id": {biz}, "expires_in": {"60"}}
	for k, v := range good {
		scoped[k] = v
	}
	rep = token(scoped).requireStatus(t, 200)
	assert.Equal(t, "60", num(rep.get("expires_in")))
	stok := str(rep.get("access_token"))
	h.do("GET", bizPath(biz, "/invoice"), nil, "Authorization", "Bearer "+stok).requireStatus(t, 200)
	h.do("GET", bizPath("biz_other", "/invoice"), nil, "Authorization", "Bearer "+stok).requireStatus(t, 403)

	h.srv.RevokeTokens()
	h.do("GET", bizPath(biz, "/invoice"), nil, "Authorization", "Bearer "+tok).requireStatus(t, 401)
	h.do("GET", bizPath(biz, "/invoice"), nil).requireStatus(t, 200)
	assert.Equal(t, 6, h.srv.Requests(assettest.RouteToken))
}

func TestTokenExpiry(t *testing.T) {
	clk := &clock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
	h := newTester(t, assettest.WithClock(clk.now))
	c := h.srv.ClientCredentials()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
	rep := h.do("POST", "/v0/auth/token", form.Encode(), "Content-Type", "application/x-www-form-urlencoded").requireStatus(t, 200)
	auth := "Bearer " + str(rep.get("access_token"))
	h.do("GET", bizPath(biz, "/invoice"), nil, "Authorization", auth).requireStatus(t, 200)
	clk.advance(time.Hour)
	h.do("GET", bizPath(biz, "/invoice"), nil, "Authorization", auth).requireStatus(t, 401)
}

// TestRateLimitHeadersOnEveryAnswer holds the API's promise that every
// response carries the window a client should pace itself by: answers
// refused before they were counted (unauthenticated, not found, injected)
// report the tighter of the business's and the tenant's windows, and every
// 429 carries all three x-ratelimit-* headers.
func TestRateLimitHeadersOnEveryAnswer(t *testing.T) {
	clk := &clock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
	start := clk.now()
	h := newTester(t, assettest.WithRateLimit(10, time.Minute), assettest.WithTenantRateLimit(2, time.Hour), assettest.WithClock(clk.now))
	// Two businesses spend the tenant's window.
	h.do("GET", bizPath("biz_a", "/invoice"), nil).requireStatus(t, 200)
	h.do("GET", bizPath("biz_b", "/invoice"), nil).requireStatus(t, 200)
	tests := []struct {
		name    string
		inject  func(*assettest.Server)
		method  string
		path    string
		headers []string
		status  int
	}{
		{name: "unauthenticated", method: "GET", path: bizPath("biz_c", "/invoice"), headers: []string{"Authorization", ""}, status: 401},
		{name: "no such route", method: "GET", path: bizPath("biz_c", "/nowhere"), status: 404},
		{name: "method not allowed", method: "DELETE", path: bizPath("biz_c", "/invoice"), status: 405},
		{name: "injected failure", method: "GET", path: bizPath("biz_c", "/invoice"), status: 503,
			inject: func(s *assettest.Server) { s.FailNext(assettest.RouteListInvoices, 1, 503) }},
		{name: "limited", method: "GET", path: bizPath("biz_c", "/invoice"), status: 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.inject != nil {
				tt.inject(h.srv)
			}
			rep := h.do(tt.method, tt.path, nil, tt.headers...).requireStatus(t, tt.status)
			assert.Equal(t, "2", rep.header.Get("X-Ratelimit-Limit"), "the tenant's window is the tighter")
			assert.Equal(t, "0", rep.header.Get("X-Ratelimit-Remaining"))
			assert.Equal(t, strconv.FormatInt(start.Add(time.Hour).Unix(), 10), rep.header.Get("X-Ratelimit-Reset"))
		})
	}

	// An injected 429 mimics the API's even with the limiter off.
	off := newTester(t, assettest.WithoutRateLimit(), assettest.WithClock(clk.now))
	off.srv.FailNext(assettest.RouteListInvoices, 1, 429)
	rep := off.do("GET", bizPath(biz, "/invoice"), nil).requireStatus(t, 429)
	assert.Equal(t, "300", rep.header.Get("X-Ratelimit-Limit"))
	assert.Equal(t, "0", rep.header.Get("X-Ratelimit-Remaining"))
	assert.Equal(t, strconv.FormatInt(clk.now().Add(time.Second).Unix(), 10), rep.header.Get("X-Ratelimit-Reset"))
	assert.Equal(t, "1", rep.header.Get("Retry-After"))
	assert.Equal(t, "Rate limit exceeded: 300 per 1 minute", rep.get("error"))
}
