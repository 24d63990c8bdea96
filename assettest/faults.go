package assettest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// DropMode says when DropNext closes the connection.
type DropMode int

const (
	// DropBeforeApply closes the connection before the request is
	// authenticated or processed: nothing changes, as when the network fails
	// on the way in.
	DropBeforeApply DropMode = iota + 1
	// DropAfterApply handles the request in full, changes applied, and then
	// closes the connection instead of answering: the response is lost, as
	// when the network fails on the way back. This is the case that tempts a
	// client to retry and apply a change twice.
	DropAfterApply
)

// String names the mode as its constant does.
func (m DropMode) String() string {
	switch m {
	case DropBeforeApply:
		return "DropBeforeApply"
	case DropAfterApply:
		return "DropAfterApply"
	}
	return "DropMode(" + strconv.Itoa(int(m)) + ")"
}

// Failure is an error response for FailNextWith to send.
type Failure struct {
	// Status is the HTTP status, 200 to 599.
	Status int
	// Header, when not nil, replaces the default headers of a 429
	// (Retry-After: 1, x-ratelimit-remaining: 0 and a reset a second away,
	// with the limit of the body's message);
	// give an empty header for a 429 without Retry-After. Its values win
	// over the server's own (Content-Type, the real x-ratelimit-*).
	Header http.Header
	// Body, when not nil, is sent as is (with Content-Type application/json
	// unless Header says otherwise). By default the body is FastAPI's:
	// {"detail": "Service Unavailable"}, a one-entry detail list for 422,
	// and {"error": "Rate limit exceeded: ..."} for 429.
	Body []byte
}

type faultKind int

const (
	faultNone faultKind = iota
	faultFail
	faultDrop
	faultMalformed
	faultDelay
)

// fault is one injected behaviour, applied to the next left requests of a
// route.
type fault struct {
	kind    faultKind
	left    int
	failure Failure
	drop    DropMode
	delay   time.Duration
}

// RouteStats counts what became of the requests of one route.
type RouteStats struct {
	// Requests is every request the route received, whatever became of it:
	// refused, rate limited, faulted or served.
	Requests int
	// Applied is the requests that changed the server's state (even if
	// their response was then dropped or garbled): a create that made at
	// least one invoice or credit memo, an update that changed the
	// invoice, a payment, a write-off, a refund, a refund payment, a void,
	// a token issued. A create whose every item was refused, an update
	// that left the invoice as it was, a refusal and a read apply nothing.
	Applied int
	// Served is the requests the route's handler answered with success,
	// whether or not they changed anything: for a read, that it was served.
	Served int
	// RateLimited is the requests refused with 429 by the rate limiter
	// (injected 429s are counted in Faulted).
	RateLimited int
	// Faulted is the requests answered by an injected failure, dropped
	// connection or malformed body.
	Faulted int
}

// FailNext makes the next n requests of route fail with status (400 to
// 599), without being processed, with a FastAPI-like body (see Failure). A
// 429 carries Retry-After: 1. Faults queue up in the order they are added.
func (s *Server) FailNext(route Route, n, status int) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("assettest: FailNext with status %d: need an error status, 400 to 599", status))
	}
	s.FailNextWith(route, n, Failure{Status: status})
}

// FailNextWith makes the next n requests of route be answered with f,
// without being processed: to control Retry-After, or to send what a proxy
// in the way would (an HTML error page, or even a 200 with a body that is
// not the API's).
func (s *Server) FailNextWith(route Route, n int, f Failure) {
	if f.Status < 200 || f.Status > 599 {
		panic(fmt.Sprintf("assettest: FailNextWith status %d: need 200 to 599", f.Status))
	}
	s.inject(route, fault{kind: faultFail, left: n, failure: f})
}

// DropNext makes the next n requests of route end with the connection
// closed and no response, before or after the change is applied.
//
// Go's own http.Transport silently retries a GET whose reused connection
// was closed this way, so on a read route one drop may cost two of n and
// never reach the code under test.
func (s *Server) DropNext(route Route, n int, mode DropMode) {
	if mode != DropBeforeApply && mode != DropAfterApply {
		panic("assettest: DropNext needs DropBeforeApply or DropAfterApply, got " + mode.String())
	}
	s.inject(route, fault{kind: faultDrop, left: n, drop: mode})
}

// MalformedNext makes the next n requests of route be processed in full,
// changes applied, and answered with their usual status but a body cut in
// the middle, which no JSON decoder accepts.
func (s *Server) MalformedNext(route Route, n int) {
	s.inject(route, fault{kind: faultMalformed, left: n})
}

// DelayNext makes the next n requests of route wait d before they are
// handled, on top of any latency set with SetLatency: to test per-try
// timeouts. A request whose client gives up during the wait is abandoned
// without being applied.
func (s *Server) DelayNext(route Route, n int, d time.Duration) {
	s.inject(route, fault{kind: faultDelay, left: n, delay: d})
}

// ClearFaults drops every fault still queued, on every route.
func (s *Server) ClearFaults() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	clear(s.faults)
}

// inject queues f on route, behind the faults already queued there.
func (s *Server) inject(route Route, f fault) {
	if !route.valid() {
		panic(fmt.Sprintf("assettest: unknown route %q", route))
	}
	if f.left <= 0 {
		return
	}
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.faults[route] = append(s.faults[route], &f)
}

// nextFault takes one request's worth of the first fault queued for route.
func (s *Server) nextFault(route Route) fault {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	q := s.faults[route]
	if len(q) == 0 {
		return fault{}
	}
	f := *q[0]
	if q[0].left--; q[0].left == 0 {
		s.faults[route] = q[1:]
	}
	return f
}

// SetLatency makes every request wait d before it is handled, from now on;
// zero turns it off. A request whose client gives up during the wait is
// abandoned without being applied.
func (s *Server) SetLatency(d time.Duration) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.latency = d
}

// Stats returns the counters of route since the server started or since
// ResetStats.
func (s *Server) Stats(route Route) RouteStats {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.stats[route]
}

// Requests is Stats(route).Requests: every request the route received.
func (s *Server) Requests(route Route) int { return s.Stats(route).Requests }

// Applied is Stats(route).Applied: the requests of the route that changed
// the server's state, whether or not the client got the response.
func (s *Server) Applied(route Route) int { return s.Stats(route).Applied }

// ResetStats sets every counter back to zero.
func (s *Server) ResetStats() {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	clear(s.stats)
}

// count applies f to the counters of route.
func (s *Server) count(route Route, f func(*RouteStats)) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	st := s.stats[route]
	f(&st)
	s.stats[route] = st
}

// failureResponse is what an injected failure sends.
func (s *Server) failureResponse(f Failure) response {
	res := response{status: f.Status, header: f.Header, body: f.Body}
	if res.body == nil {
		switch f.Status {
		case http.StatusTooManyRequests:
			res.body = mustJSON(map[string]string{"error": limitMessage(s.defaultLimit())})
		case http.StatusUnprocessableEntity:
			res.body = mustJSON(map[string][]fieldError{"detail": {{Type: "value_error", Loc: []any{"body"}, Msg: "Value error, injected failure"}}})
		default:
			text := http.StatusText(f.Status)
			if text == "" {
				text = "Error " + strconv.Itoa(f.Status)
			}
			res.body = mustJSON(map[string]string{"detail": text})
		}
	}
	if res.header == nil && f.Status == http.StatusTooManyRequests {
		reset := s.now().Add(time.Second)
		limit, _ := s.defaultLimit()
		res.header = http.Header{
			"Retry-After":           {"1"},
			"X-Ratelimit-Limit":     {strconv.Itoa(limit)},
			"X-Ratelimit-Remaining": {"0"},
			"X-Ratelimit-Reset":     {strconv.FormatInt(ceilUnix(reset), 10)},
		}
	}
	return res
}
