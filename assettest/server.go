package assettest

import (
	"crypto/rand"
	"net"
	"net/http"
	"net/http/httptest"
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

	// change runs the changes of a server that keeps a state file one at a
	// time, in the order its journal records them, and keeps reads out of
	// a change being applied; it guards draw and broken. journal is nil
	// when the state is in memory only.
	change  sync.RWMutex
	draw    *draw
	journal *journal
	broken  error

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
// given an impossible value, as a test helper does, and if it cannot start
// (see Start).
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic("assettest: " + err.Error())
	}
	return s
}

// Start is NewServer returning an error when the server cannot start: the
// address of WithAddress is taken, or the file of WithState cannot be read,
// is not a state file, or does not replay to what it answered. It still
// panics if an option is given an impossible value.
func Start(opts ...Option) (*Server, error) {
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
	if cfg.state != "" {
		if err := s.restore(cfg.state); err != nil {
			return nil, err
		}
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	if cfg.addr != "" {
		ln, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			if s.journal != nil {
				_ = s.journal.close()
			}
			return nil, err
		}
		_ = s.srv.Listener.Close()
		s.srv.Listener = ln
	}
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
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
		s.change.Lock()
		defer s.change.Unlock()
		if s.journal != nil && s.broken == nil {
			_ = s.journal.close()
			s.broken = errClosed
		}
	})
}
