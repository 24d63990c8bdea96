package soak

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/internal/httpcore"
)

var (
	soakFor     = flag.Duration("soak", 3*time.Second, "how long the soak's workers run")
	soakSeed    = flag.Uint64("soak.seed", 0, "the soak's seed; 0 draws one from the clock")
	soakWorkers = flag.Int("soak.workers", 8, "goroutines of random work against assettest")
	soakHistory = flag.String("soak.history", "", "a file to write the history of every call to, one a line")
)

// overrunBound is how long a call may outlive its context's deadline: the
// time to notice it, unwind and close a connection, on a loaded machine
// with the race detector. CreateMany may also take its drain timeout.
const overrunBound = 500 * time.Millisecond

// businesses are shared by the workers, so that walks and rate windows
// see everyone's work; each worker's invoices, customer and credit are its
// own, which keeps its model exact whatever the interleaving.
var businesses = []string{"biz_soakAlpha", "biz_soakBravo", "biz_soakCharlie"}

// tagField is the tag updates set: a new value each time, so that every
// update changes the invoice and counts as applied.
const tagField = "soak"

// soak is one run: the fake, the clients, the history and the faults.
type soak struct {
	t      *testing.T
	seed   uint64
	srv    *assettest.Server
	stopAt time.Time
	hist   history
	conns  connCounter
	faults faultCounts
	inj    injector

	// clients are what workers call through, one picked per call: one with
	// the server's static token, one with client credentials whose tokens
	// the faults revoke and whose token endpoint they break.
	clients    []*asset.Client
	transports []*http.Transport

	mu         sync.Mutex
	violations []string
	maxOverrun time.Duration
}

// TestSoak runs random work under random faults for -soak, then checks
// every invariant against the fake's final state. A failure names its seed:
// run again with -soak.seed for the same work under the same faults (the
// same history, with -soak.workers=1).
func TestSoak(t *testing.T) {
	// Every goroutine the soak started, the SDK's and the servers'
	// included, must be gone once it has closed what it opened.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	seed := *soakSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("soak seed %d for %s with %d workers (replay: -soak.seed=%d)", seed, *soakFor, *soakWorkers, seed)
	s := &soak{t: t, seed: seed}
	defer func() {
		if t.Failed() {
			t.Logf("replay with: go test -run Soak ./soak/ -soak=%s -soak.workers=%d -soak.seed=%d", *soakFor, *soakWorkers, seed)
		}
	}()

	s.srv = assettest.NewServer(assettest.WithoutRateLimit(), assettest.WithTagFields(tagField))
	defer s.srv.Close()
	s.clients = []*asset.Client{
		s.newClient(),
		s.newClient(asset.WithClientCredentials(s.srv.ClientCredentials())),
	}

	workers := make([]*worker, *soakWorkers)
	for i := range workers {
		workers[i] = s.newWorker(i)
	}
	s.stopAt = time.Now().Add(*soakFor)

	var wg sync.WaitGroup
	wire := newWireSoak(s)
	wg.Add(1)
	go func() {
		defer wg.Done()
		wire.run()
	}()
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run()
		}()
	}
	// Workers stop starting new work at stopAt, then settle what they
	// have left unknown. Faults are queued only before a call, so they
	// stop with the work, and every lookup ends.
	wg.Wait()
	s.srv.ClearFaults()
	s.srv.SetLatency(0)
	wire.close()

	for _, w := range workers {
		w.finalCheck()
	}
	s.checkApplied(workers)
	s.checkConnections()

	if *soakHistory != "" {
		if err := os.WriteFile(*soakHistory, []byte(s.hist.lines()), 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Logf("%s", s.hist.summary())
	t.Logf("%s", s.requestSummary())
	t.Logf("faults fired:\n%s", s.faults.summary())
	t.Logf("wire faults: %s", wire.summary())
	t.Logf("longest overrun of a deadline, beyond CreateMany's drain: %s (bound %s)", s.maxOverrun, overrunBound)
	for _, v := range s.violations {
		t.Error(v)
	}
}

// requestSummary tells how many requests reached the fake and how many of
// them a fault struck.
func (s *soak) requestSummary() string {
	var requests, faulted int
	for _, route := range append(append([]assettest.Route{assettest.RouteToken}, changeRoutes...), readRoutes...) {
		st := s.srv.Stats(route)
		requests += st.Requests
		faulted += st.Faulted
	}
	return fmt.Sprintf("%d requests reached the fake, %d answered by a fault (delays aside)", requests, faulted)
}

// newClient is a client of the fake through a transport of the soak's own,
// the SDK's default transport with its connections counted.
func (s *soak) newClient(opts ...asset.Option) *asset.Client {
	tr := httpcore.NewHTTPClient().Transport.(*http.Transport).Clone()
	tr.DialContext = s.conns.dial(tr.DialContext)
	s.transports = append(s.transports, tr)
	base := []asset.Option{
		asset.WithHTTPClient(&http.Client{Transport: tr}),
		// A Retry-After beyond this is answered with the 429 at once.
		asset.WithRetryAfterMax(1500 * time.Millisecond),
	}
	return s.srv.Client(append(base, opts...)...)
}

// violate records a broken invariant; the test fails with each once the
// run is over, after its summary.
func (s *soak) violate(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.violations) < 200 {
		s.violations = append(s.violations, fmt.Sprintf(format, args...))
	}
}

// checkDeadline checks that a call ended soon after its context's deadline
// at the latest: a call that outlives it holds up its caller, and may
// still apply a change the caller has given up on.
func (s *soak) checkDeadline(r *record, extra time.Duration) {
	if r.deadline.IsZero() {
		return
	}
	// What a call takes beyond its deadline and its allowance (CreateMany's
	// drain) is what the bound is about.
	over := r.end.Sub(r.deadline)
	s.mu.Lock()
	if over-extra > s.maxOverrun {
		s.maxOverrun = over - extra
	}
	s.mu.Unlock()
	if over > overrunBound+extra {
		s.violate("call outlived its deadline by %s (bound %s): %s", over, overrunBound+extra, r)
	}
}

// checkConnections checks that every connection the clients opened is
// closed once their idle ones are: one still open is held by a response
// body nobody closed.
func (s *soak) checkConnections() {
	for _, tr := range s.transports {
		tr.CloseIdleConnections()
	}
	deadline := time.Now().Add(3 * time.Second)
	for s.conns.open.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		for _, tr := range s.transports {
			tr.CloseIdleConnections()
		}
	}
	if n := s.conns.open.Load(); n > 0 {
		s.violate("%d of %d connections still open once idle ones were closed: a response body left unclosed", n, s.conns.opened.Load())
	}
}

// connCounter counts the connections a transport dials and closes.
type connCounter struct {
	opened, open atomic.Int64
}

type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

func (c *connCounter) dial(next dialFunc) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.opened.Add(1)
		c.open.Add(1)
		return &countedConn{Conn: conn, c: c}, nil
	}
}

type countedConn struct {
	net.Conn
	c    *connCounter
	once sync.Once
}

func (cc *countedConn) Close() error {
	cc.once.Do(func() { cc.c.open.Add(-1) })
	return cc.Conn.Close()
}

// rngFor is the random source of one part of the run, drawn from the seed
// alone so that a replay gives each part the same draws.
func (s *soak) rngFor(part uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.seed, part))
}
