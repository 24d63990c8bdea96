package assettest

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
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
