package assettest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/assetkit/asset-go"
)

// Server is an in-memory Asset API listening on a loopback port. Create it
// with NewServer and Close it when done. All its methods are safe for
// concurrent use, also while requests are being served.
type Server struct {
	// URL is the server's base URL, e.g. "http://127.0.0.1:41235", for
	// asset.WithBaseURL.
	URL string

	srv       *httptest.Server
	transport *http.Transport
	token     string
	clientID  string
	secret    string
	now       func() time.Time
	tokenKey  []byte
	pageSize  int
	tagFields []string // defined in every business, see WithTagFields
	closing   chan struct{}
	closeOnce sync.Once

	// mu guards the API's state.
	mu         sync.Mutex
	businesses map[string]*business
	issued     map[string]issuedToken
	seq        uint64

	// ctl guards the test controls: faults, latency, counters and the rate
	// limiters' windows.
	ctl     sync.Mutex
	latency time.Duration
	faults  map[Route][]*fault
	stats   map[Route]RouteStats
	// limiter counts per business, tenantLimiter per tenant, and
	// tokenLimiter the token endpoint's requests, whose tenant is not known
	// until they are processed. nil when off.
	limiter, tenantLimiter, tokenLimiter *limiter
}

// The API's documented rate limit, the server's default.
const (
	defaultLimit = 300
	defaultPer   = time.Minute
)

// maxBody bounds a request body; 100 invoices of many lines fit easily.
const maxBody = 4 << 20

// Option configures a Server.
type Option struct {
	apply func(*config)
}

type config struct {
	token, clientID, secret string
	limit, tenantLimit      int
	per, tenantPer          time.Duration
	latency                 time.Duration
	tagFields               []string
	now                     func() time.Time
	pageSize                int
}

// WithToken sets the bearer token the server accepts (by default a random
// one, see Token).
func WithToken(token string) Option {
	return Option{func(c *config) {
		if token == "" || strings.ContainsAny(token, " \t\r\n") {
			panic("assettest: WithToken needs a token without spaces")
		}
		c.token = token
	}}
}

// WithClientCredentials sets the client id and secret that POST
// /v0/auth/token accepts (by default a random pair, see ClientCredentials).
func WithClientCredentials(clientID, clientSecret string) Option {
	return Option{func(c *config) {
		if clientID == "" || clientSecret == "" {
			panic("assettest: WithClientCredentials needs a client id and a secret")
		}
		c.clientID, c.secret = clientID, clientSecret
	}}
}

// WithRateLimit lets each business make n requests per period (default: 300
// a minute, as the API). Requests beyond get 429 with Retry-After until the
// window ends. The token endpoint has a window of its own with the same
// limit. The tenant's limit (WithTenantRateLimit) applies on top.
func WithRateLimit(n int, per time.Duration) Option {
	return Option{func(c *config) {
		if n <= 0 || per <= 0 {
			panic(fmt.Sprintf("assettest: WithRateLimit(%d, %s): need a positive count and period", n, per))
		}
		c.limit, c.per = n, per
	}}
}

// WithTenantRateLimit lets the tenant make n requests per period over all
// its businesses together (default: 300 a minute, as the API). The server
// serves one tenant: its Token and every token issued for its
// ClientCredentials draw on the same window. A request needs room in both
// its business's window and the tenant's; raising one limit alone does not
// lift the other.
func WithTenantRateLimit(n int, per time.Duration) Option {
	return Option{func(c *config) {
		if n <= 0 || per <= 0 {
			panic(fmt.Sprintf("assettest: WithTenantRateLimit(%d, %s): need a positive count and period", n, per))
		}
		c.tenantLimit, c.tenantPer = n, per
	}}
}

// WithoutRateLimit turns rate limiting off, per business and per tenant
// alike; responses then carry no x-ratelimit-* headers. A WithRateLimit or
// WithTenantRateLimit given after it turns that limit back on.
func WithoutRateLimit() Option {
	return Option{func(c *config) { c.limit, c.tenantLimit = 0, 0 }}
}

// WithTagFields defines tag fields in every business, as if created in the
// API's settings beforehand: the API refuses a tag whose field does not
// exist. AddTagField defines one in a single business.
func WithTagFields(names ...string) Option {
	return Option{func(c *config) {
		for _, name := range names {
			checkTagField(name)
		}
		c.tagFields = append(c.tagFields, names...)
	}}
}

// WithLatency makes every request wait d before it is handled, as a remote
// API would; SetLatency changes it later.
func WithLatency(d time.Duration) Option {
	return Option{func(c *config) { c.latency = d }}
}

// WithClock makes the server read the time from now: timestamps on
// invoices and payments, token expiry and rate-limit windows. Tests use it
// to get fixed timestamps or to move past a window without sleeping. now is
// called from the goroutines that handle requests, concurrently with each
// other and with the test, so it must be safe for concurrent use: guard a
// time the test moves with a mutex or an atomic.
func WithClock(now func() time.Time) Option {
	return Option{func(c *config) {
		if now == nil {
			panic("assettest: WithClock(nil)")
		}
		c.now = now
	}}
}

// WithDefaultPageSize sets the page size of a list call that names none.
// The API's docs say 100 on the endpoint's page and 50 on the overview; the
// server's default is 100.
func WithDefaultPageSize(n int) Option {
	return Option{func(c *config) {
		if n < 1 || n > 100 {
			panic(fmt.Sprintf("assettest: WithDefaultPageSize(%d): need 1 to 100", n))
		}
		c.pageSize = n
	}}
}

// NewServer starts a server on a loopback port. It panics if an option is
// given an impossible value, as a test helper does.
func NewServer(opts ...Option) *Server {
	cfg := config{
		token:       "tok_test_" + randomText(24),
		clientID:    "cli_test_" + randomText(16),
		secret:      "sec_test_" + randomText(32),
		limit:       defaultLimit,
		per:         defaultPer,
		tenantLimit: defaultLimit,
		tenantPer:   defaultPer,
		now:         time.Now,
		pageSize:    100,
	}
	for _, opt := range opts {
		if opt.apply != nil {
			opt.apply(&cfg)
		}
	}
	s := &Server{
		token:      cfg.token,
		clientID:   cfg.clientID,
		secret:     cfg.secret,
		now:        cfg.now,
		pageSize:   cfg.pageSize,
		tagFields:  cfg.tagFields,
		tokenKey:   []byte(randomText(32)),
		closing:    make(chan struct{}),
		businesses: map[string]*business{},
		issued:     map[string]issuedToken{},
		latency:    cfg.latency,
		faults:     map[Route][]*fault{},
		stats:      map[Route]RouteStats{},
		// Many goroutines of a test share one client: keep their
		// connections rather than opening one per request.
		transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}
	if cfg.limit > 0 {
		s.limiter = newLimiter(cfg.limit, cfg.per)
		s.tokenLimiter = newLimiter(cfg.limit, cfg.per)
	}
	if cfg.tenantLimit > 0 {
		s.tenantLimiter = newLimiter(cfg.tenantLimit, cfg.tenantPer)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	s.URL = s.srv.URL
	return s
}

// randomText is n unpredictable characters, for secrets and keys.
func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails, per its documentation
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// Token is the bearer token the server accepts.
func (s *Server) Token() string { return s.token }

// ClientCredentials are the credentials POST /v0/auth/token accepts, for
// asset.WithClientCredentials.
func (s *Server) ClientCredentials() asset.ClientCredentials {
	return asset.ClientCredentials{ClientID: s.clientID, ClientSecret: s.secret}
}

// HTTPClient returns an *http.Client for calling the server directly, with
// connections that Close releases.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{
		Transport: s.transport,
		// The SDK does not follow redirects either.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Client returns an SDK client wired to the server: its URL, its token and
// an HTTP client whose connections Close releases. Retry waits are cut to
// 1–20ms so that tests of retries run fast (a Retry-After is still
// honoured). opts are applied after these and override them, e.g.
// asset.WithClientCredentials(srv.ClientCredentials()) to go through the
// token endpoint. It panics if opts are refused.
func (s *Server) Client(opts ...asset.Option) *asset.Client {
	base := []asset.Option{
		asset.WithBaseURL(s.URL),
		asset.WithToken(s.token),
		asset.WithHTTPClient(s.HTTPClient()),
		asset.WithRetryWait(time.Millisecond, 20*time.Millisecond),
	}
	c, err := asset.NewClient(append(base, opts...)...)
	if err != nil {
		panic("assettest: " + err.Error())
	}
	return c
}

// Close shuts the server down: requests waiting on latency are abandoned,
// and it returns once every request in flight has ended. It leaves no
// goroutine behind and may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.srv.Close()
		s.transport.CloseIdleConnections()
	})
}

// AddTransaction records money received by a business, for payments to draw
// on, and returns its txn_ id. It panics if businessID is not a biz_ id (the
// API refuses every request for it), or if amount is not positive or has
// more than two decimal places.
func (s *Server) AddTransaction(businessID string, amount asset.Decimal) string {
	checkBusiness("AddTransaction", businessID)
	checkMoney("AddTransaction", amount)
	id := newID("txn_")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.business(businessID).txns[id] = &transaction{amount: amount, applied: asset.DecimalFromInt(0)}
	return id
}

// TransactionRemaining is what payments may still draw from a transaction;
// false if the business has no such transaction.
func (s *Server) TransactionRemaining(businessID, transactionID string) (asset.Decimal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[businessID]; b != nil {
		if t := b.txns[transactionID]; t != nil {
			return t.remaining(), true
		}
	}
	return asset.Decimal{}, false
}

// AddCredit adds amount to a customer's credit pool, which a payment
// without a transaction_id draws on for an invoice of that customer.
// customerID is the invoice's customer_id (for an invoice created with a
// customer_external_id, the cus_ id it was given). Credit accumulates over
// calls. It panics as AddTransaction does, or if customerID is empty.
func (s *Server) AddCredit(businessID, customerID string, amount asset.Decimal) {
	checkBusiness("AddCredit", businessID)
	if customerID == "" {
		panic("assettest: AddCredit needs a customer id")
	}
	checkMoney("AddCredit", amount)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.business(businessID)
	if left, ok := b.credit[customerID]; ok {
		amount = left.Add(amount)
	}
	b.credit[customerID] = amount
}

// CreditRemaining is what is left of a customer's credit pool; false if no
// credit was ever added for the customer in the business.
func (s *Server) CreditRemaining(businessID, customerID string) (asset.Decimal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[businessID]; b != nil {
		if left, ok := b.credit[customerID]; ok {
			return left, true
		}
	}
	return asset.Decimal{}, false
}

// AddTagField defines a tag field in a business, as if created in the
// API's settings: invoices may then carry a tag of that name. Defining one
// twice is harmless. It panics if businessID is not a biz_ id or name is
// empty.
func (s *Server) AddTagField(businessID, name string) {
	checkBusiness("AddTagField", businessID)
	checkTagField(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.business(businessID).tagFields[name] = true
}

func checkBusiness(fn, businessID string) {
	if !prefixed(businessID, "biz_") {
		panic("assettest: " + fn + " needs a biz_ id, got " + strconv.Quote(businessID) + ": the API refuses every request for it")
	}
}

func checkTagField(name string) {
	if name == "" {
		panic("assettest: a tag field needs a name")
	}
}

// checkMoney holds the helpers to the rule requests are held to, so that
// every balance stays in whole cents and can be paid exactly.
func checkMoney(fn string, amount asset.Decimal) {
	if !amount.IsSet() || amount.Sign() <= 0 {
		panic("assettest: " + fn + " needs a positive amount, got " + strconv.Quote(amount.String()))
	}
	if !inCents(amount) {
		panic("assettest: " + fn + " needs an amount of at most 2 decimal places, got " + amount.String())
	}
}

// Invoices returns a business's invoices in creation order, straight from
// the server's state and exactly as the SDK would decode them: to check
// that a test created nothing twice, or what a failed call left behind.
func (s *Server) Invoices(businessID string) []asset.Invoice {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.businesses[businessID]
	if b == nil {
		return nil
	}
	out := make([]asset.Invoice, len(b.invoices))
	for i, inv := range b.invoices {
		out[i] = inv.public()
	}
	return out
}

// Invoice returns one invoice from the server's state; false if the
// business has no such invoice.
func (s *Server) Invoice(businessID, invoiceID string) (asset.Invoice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.businesses[businessID]; b != nil {
		if inv := b.byID[invoiceID]; inv != nil {
			return inv.public(), true
		}
	}
	return asset.Invoice{}, false
}

// business returns a business's state, creating it; s.mu must be held.
func (s *Server) business(id string) *business {
	b := s.businesses[id]
	if b == nil {
		b = newBusiness(s.tagFields)
		s.businesses[id] = b
	}
	return b
}

// response is a handler's answer, held back until the pipeline knows
// whether to send, garble or drop it.
type response struct {
	status int
	header http.Header
	body   []byte
	// changed is set when the request changed the server's state, for
	// RouteStats.Applied.
	changed bool
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("assettest: encoding a response: " + err.Error())
	}
	return b
}

func jsonResponse(status int, v any) response { return response{status: status, body: mustJSON(v)} }

// detail is FastAPI's error body for an HTTPException.
func detail(status int, msg string) response {
	return jsonResponse(status, struct {
		Detail string `json:"detail"`
	}{msg})
}

// invalid is FastAPI's 422 body for a request that fails validation.
func invalid(errs ...fieldError) *response {
	r := jsonResponse(http.StatusUnprocessableEntity, struct {
		Detail []fieldError `json:"detail"`
	}{errs})
	return &r
}

// match is a request's route and path parameters.
type match struct {
	route             Route
	business, invoice string
}

// route maps a request to its route, or to the 404 or 405 FastAPI answers.
func route(r *http.Request) (match, *response) {
	var parts []string
	for _, p := range strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/") {
		u, err := url.PathUnescape(p)
		if err != nil || u == "" {
			// Starlette's path parameters never match an empty segment.
			res := detail(http.StatusNotFound, "Not Found")
			return match{}, &res
		}
		parts = append(parts, u)
	}
	var m match
	var methods map[string]Route
	switch {
	case len(parts) == 3 && parts[0] == "v0" && parts[1] == "auth" && parts[2] == "token":
		methods = map[string]Route{http.MethodPost: RouteToken}
	case len(parts) >= 4 && parts[0] == "v0" && parts[1] == "business":
		m.business = parts[2]
		switch {
		case len(parts) == 4 && parts[3] == "invoice":
			methods = map[string]Route{http.MethodGet: RouteListInvoices, http.MethodPost: RouteCreateInvoices}
		case len(parts) == 5 && parts[3] == "invoice":
			m.invoice = parts[4]
			methods = map[string]Route{http.MethodGet: RouteGetInvoice, http.MethodPatch: RouteUpdateInvoice}
		case len(parts) == 6 && parts[3] == "invoice" && parts[5] == "write-off":
			m.invoice = parts[4]
			methods = map[string]Route{http.MethodPost: RouteWriteOff}
		case len(parts) == 4 && parts[3] == "invoice-payment":
			methods = map[string]Route{http.MethodPost: RouteApplyPayment}
		}
	}
	if methods == nil {
		res := detail(http.StatusNotFound, "Not Found")
		return m, &res
	}
	rt, ok := methods[r.Method]
	if !ok {
		res := detail(http.StatusMethodNotAllowed, "Method Not Allowed")
		var allow []string
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPatch} {
			if _, ok := methods[method]; ok {
				allow = append(allow, method)
			}
		}
		res.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
		return m, &res
	}
	m.route = rt
	return m, nil
}

// handle is the pipeline every request goes through, in the order a real
// deployment would meet them: routing, the network and proxy (latency and
// injected faults), authentication, the rate limiter, the endpoint.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", newID("req_"))
	m, res := route(r)
	if res != nil {
		s.write(w, s.peekLimit(m), *res)
		return
	}
	s.count(m.route, func(st *RouteStats) { st.Requests++ })

	// The body is read first: only then does net/http watch the connection
	// and cancel the request's context when the client goes away, which is
	// what ends a wait for a client that gave up.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.write(w, s.peekLimit(m), detail(http.StatusRequestEntityTooLarge, "Request body is larger than 4 MiB"))
		return
	case err != nil:
		drop(w) // the client went away
		return
	}

	f := s.nextFault(m.route)
	s.ctl.Lock()
	delay := s.latency
	s.ctl.Unlock()
	if f.kind == faultDelay {
		delay += f.delay
	}
	if !s.wait(r.Context(), delay) {
		drop(w) // returning alone would send an empty 200
		return
	}
	switch {
	case f.kind == faultFail:
		s.count(m.route, func(st *RouteStats) { st.Faulted++ })
		s.write(w, s.peekLimit(m), s.failureResponse(f.failure))
		return
	case f.kind == faultDrop && f.drop == DropBeforeApply:
		s.count(m.route, func(st *RouteStats) { st.Faulted++ })
		drop(w)
		return
	}

	if res := s.authenticate(r, m); res != nil {
		s.write(w, s.peekLimit(m), *res)
		return
	}
	allowed, limit, now := s.takeLimit(m)
	if !allowed {
		s.count(m.route, func(st *RouteStats) { st.RateLimited++ })
		res := jsonResponse(http.StatusTooManyRequests, map[string]string{"error": limitMessage(limit.limit, limit.per)})
		res.header = http.Header{"Retry-After": {strconv.FormatInt(retryAfter(now, limit.reset), 10)}}
		s.write(w, limit, res)
		return
	}

	out := s.serve(r, m, body)
	s.count(m.route, func(st *RouteStats) {
		if out.status < 300 {
			st.Served++
		}
		if out.changed {
			st.Applied++
		}
	})
	switch f.kind {
	case faultDrop:
		s.count(m.route, func(st *RouteStats) { st.Faulted++ })
		drop(w)
		return
	case faultMalformed:
		s.count(m.route, func(st *RouteStats) { st.Faulted++ })
		out.body = out.body[:len(out.body)/2]
	}
	s.write(w, limit, out)
}

// serve runs the endpoint of a route.
func (s *Server) serve(r *http.Request, m match, body []byte) response {
	if m.route == RouteToken {
		return s.issueToken(r, body)
	}
	var v validator
	if !prefixed(m.business, "biz_") {
		v.fail([]any{"path", "business_id"}, "value_error", "Value error, business_id must look like biz_...")
	}
	if m.invoice != "" && !prefixed(m.invoice, "inv_") {
		v.fail([]any{"path", "invoice_id"}, "value_error", "Value error, invoice_id must look like inv_...")
	}
	if !v.ok() {
		return *invalid(v.errs...)
	}
	if len(body) > 0 && !isJSON(r.Header.Get("Content-Type")) {
		// FastAPI reads a body of another type as no body at all.
		body = nil
	}
	switch m.route {
	case RouteCreateInvoices:
		return s.createInvoices(m.business, body)
	case RouteListInvoices:
		return s.listInvoices(m.business, r.URL.Query())
	case RouteGetInvoice:
		return s.getInvoice(m.business, m.invoice)
	case RouteUpdateInvoice:
		return s.updateInvoice(m.business, m.invoice, body)
	case RouteWriteOff:
		return s.writeOff(m.business, m.invoice, body)
	case RouteApplyPayment:
		return s.applyPayment(m.business, body)
	}
	return detail(http.StatusNotFound, "Not Found")
}

func isJSON(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// wait sleeps d, and reports false if the client left or the server is
// closing meanwhile: the request is then abandoned unapplied.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}

// takeLimit counts a request against its business's window and the
// tenant's (or the token endpoint's), and reports whether it may go
// through, the state the headers report and the time it was taken at. A
// request refused by one window uses none of the other's.
func (s *Server) takeLimit(m match) (bool, limitState, time.Time) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	now := s.now()
	windows := []struct {
		l   *limiter
		key string
	}{{s.limiter, m.business}, {s.tenantLimiter, s.clientID}}
	if m.route == RouteToken {
		windows = windows[:1]
		windows[0].l, windows[0].key = s.tokenLimiter, ""
	}
	var spent, tightest limitState
	for _, w := range windows {
		st := w.l.state(w.key, now)
		if st.on && st.remaining <= 0 && (!spent.on || st.reset.After(spent.reset)) {
			// The client may only go on once every spent window ended.
			spent = st
		}
	}
	if spent.on {
		return false, spent, now
	}
	for _, w := range windows {
		tightest = tighter(tightest, w.l.take(w.key, now))
	}
	return true, tightest, now
}

// peekLimit is the state reported on a response refused before the
// request was counted: the tighter of its business's and the tenant's
// windows, as on a counted request, or the token endpoint's.
func (s *Server) peekLimit(m match) limitState {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	now := s.now()
	if m.route == RouteToken {
		return s.tokenLimiter.state("", now)
	}
	return tighter(s.limiter.state(m.business, now), s.tenantLimiter.state(s.clientID, now))
}

func (s *Server) write(w http.ResponseWriter, limit limitState, res response) {
	h := w.Header()
	if limit.on {
		h.Set("X-Ratelimit-Limit", strconv.Itoa(limit.limit))
		h.Set("X-Ratelimit-Remaining", strconv.Itoa(limit.remaining))
		h.Set("X-Ratelimit-Reset", strconv.FormatInt(ceilUnix(limit.reset), 10))
	}
	h.Set("Content-Type", "application/json")
	for k, v := range res.header {
		h[k] = v
	}
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

// drop closes the connection without a response.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("assettest: the connection cannot be hijacked to drop it")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		// Reset rather than close politely, as a failing network does.
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
