package soak

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/assetkit/asset-go/assettest"
)

// The faults assettest injects, by kind. Each is queued on one route at a
// time and counted as fired when that route's next request arrives.
const (
	faultDropBefore = "drop before apply"
	faultDropAfter  = "drop after apply"
	faultStatus5xx  = "5xx"
	faultStatus429  = "429, odd Retry-After"
	faultSlow       = "slow answer"
	faultTimeout    = "answer past the deadline"
	faultMalformed  = "cut body"
	faultProxyPage  = "a proxy's 200 page"
	faultRedirect   = "a proxy's redirect"
	faultTokenFail  = "token endpoint 5xx"
	faultTokenDrop  = "token endpoint dropped"
	faultRevoke     = "tokens revoked"
	faultLatency    = "latency changed"
)

// changeRoutes and readRoutes are the routes workers call; faults strike
// both, so that the lookups that settle unknown outcomes meet them too.
var (
	changeRoutes = []assettest.Route{
		assettest.RouteCreateInvoices, assettest.RouteUpdateInvoice, assettest.RouteWriteOff,
		assettest.RouteApplyPayment, assettest.RouteCreateRefund, assettest.RouteApplyRefundPayment,
		assettest.RouteCreateCreditMemos, assettest.RouteVoidCreditMemo,
	}
	readRoutes = []assettest.Route{
		assettest.RouteListInvoices, assettest.RouteGetInvoice, assettest.RouteListInvoiceRefunds,
		assettest.RouteListRefunds, assettest.RouteListCreditMemos, assettest.RouteGetCreditMemo,
	}
	allRoutes = append(append([]assettest.Route{}, changeRoutes...), readRoutes...)
)

// faultCounts counts faults by kind as they fire.
type faultCounts struct {
	mu    sync.Mutex
	fired map[string]int
}

func (f *faultCounts) fire(kind string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fired == nil {
		f.fired = map[string]int{}
	}
	f.fired[kind]++
}

func (f *faultCounts) summary() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	kinds := make([]string, 0, len(f.fired))
	for k := range f.fired {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-26s %6d\n", k, f.fired[k])
	}
	return b.String()
}

// pending is a fault queued on a route, not yet fired.
type pending struct {
	kind     string
	requests int // the route's requests when it was queued
}

// injector holds the faults queued and not yet fired, one a route at most,
// so that each fires on its own and is counted by its kind.
type injector struct {
	mu     sync.Mutex
	queued map[assettest.Route]pending
}

// faultsPerCall is how many faults a call may queue before it is made.
const faultsPerCall = 2

// injectFaults queues faults on random routes, drawn from rng, the random
// source of the worker about to make a call: faults come at the pace of
// the work, and with one worker the same seed queues the same faults
// before the same calls. Which request a fault strikes is the route's
// next, whoever makes it.
func (s *soak) injectFaults(rng *rand.Rand) {
	s.inj.mu.Lock()
	defer s.inj.mu.Unlock()
	if s.inj.queued == nil {
		s.inj.queued = map[assettest.Route]pending{}
	}
	for route, p := range s.inj.queued {
		if s.srv.Requests(route) > p.requests {
			s.faults.fire(p.kind)
			delete(s.inj.queued, route)
		}
	}
	for range faultsPerCall {
		switch n := rng.IntN(100); {
		case n < 2:
			s.srv.RevokeTokens()
			s.faults.fire(faultRevoke)
		case n < 4:
			s.srv.SetLatency(time.Duration(rng.IntN(4)) * time.Millisecond)
			s.faults.fire(faultLatency)
		case n < 8:
			if _, busy := s.inj.queued[assettest.RouteToken]; !busy {
				kind := s.injectToken(rng)
				s.inj.queued[assettest.RouteToken] = pending{kind, s.srv.Requests(assettest.RouteToken)}
			}
		default:
			route := allRoutes[rng.IntN(len(allRoutes))]
			if _, busy := s.inj.queued[route]; !busy {
				kind := s.inject(rng, route)
				s.inj.queued[route] = pending{kind, s.srv.Requests(route)}
			}
		}
	}
}

// inject queues one fault of a random kind on route and names its kind.
func (s *soak) inject(rng *rand.Rand, route assettest.Route) string {
	switch n := rng.IntN(100); {
	case n < 16:
		s.srv.DropNext(route, 1, assettest.DropBeforeApply)
		return faultDropBefore
	case n < 34:
		s.srv.DropNext(route, 1, assettest.DropAfterApply)
		return faultDropAfter
	case n < 50:
		s.srv.FailNext(route, 1, []int{500, 502, 503, 504}[rng.IntN(4)])
		return faultStatus5xx
	case n < 64:
		s.srv.FailNextWith(route, 1, assettest.Failure{Status: http.StatusTooManyRequests, Header: oddRetryAfter(rng)})
		return faultStatus429
	case n < 76:
		s.srv.DelayNext(route, 1, time.Duration(5+rng.IntN(60))*time.Millisecond)
		return faultSlow
	case n < 82:
		// Longer than most calls' deadlines or attempt timeouts: the
		// client gives up, and the server abandons the request unapplied.
		s.srv.DelayNext(route, 1, time.Duration(1500+rng.IntN(1000))*time.Millisecond)
		return faultTimeout
	case n < 94:
		s.srv.MalformedNext(route, 1)
		return faultMalformed
	}
	// What a proxy in the way sends instead of the API's answer, the
	// request never having reached the API.
	if rng.IntN(2) == 0 {
		s.srv.FailNextWith(route, 1, assettest.Failure{Status: http.StatusOK, Header: http.Header{"Content-Type": {"text/html"}},
			Body: []byte("<html><body>Please sign in to the corporate network</body></html>")})
		return faultProxyPage
	}
	s.srv.FailNextWith(route, 1, assettest.Failure{Status: http.StatusTemporaryRedirect,
		Header: http.Header{"Location": {"https://login.example.invalid/"}}, Body: []byte{}})
	return faultRedirect
}

// injectToken breaks the token endpoint for its next request, which comes
// when a client credentials client renews a token the faults revoked.
func (s *soak) injectToken(rng *rand.Rand) string {
	switch rng.IntN(3) {
	case 0:
		s.srv.DropNext(assettest.RouteToken, 1, []assettest.DropMode{assettest.DropBeforeApply, assettest.DropAfterApply}[rng.IntN(2)])
		return faultTokenDrop
	case 1:
		s.srv.FailNextWith(assettest.RouteToken, 1, assettest.Failure{Status: http.StatusTooManyRequests, Header: oddRetryAfter(rng)})
		return faultTokenFail
	}
	s.srv.FailNext(assettest.RouteToken, 1, []int{500, 502, 503}[rng.IntN(3)])
	return faultTokenFail
}

// oddRetryAfter is the headers of an injected 429: Retry-After as servers
// and proxies really send it, well formed or not.
func oddRetryAfter(rng *rand.Rand) http.Header {
	h := http.Header{}
	now := time.Now()
	switch rng.IntN(9) {
	case 0: // none at all
	case 1:
		h.Set("Retry-After", "0")
	case 2:
		h.Set("Retry-After", "1")
	case 3:
		h.Set("Retry-After", "-3")
	case 4:
		h.Set("Retry-After", "soon")
	case 5:
		h.Set("Retry-After", "0.5")
	case 6:
		h.Set("Retry-After", now.Add(time.Second).UTC().Format(http.TimeFormat))
	case 7:
		h.Set("Retry-After", now.Add(-time.Hour).UTC().Format(http.TimeFormat))
	case 8:
		// Beyond the clients' WithRetryAfterMax: the 429 comes back at once.
		h.Set("Retry-After", "3600")
	}
	return h
}
