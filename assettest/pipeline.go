package assettest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a request body; 100 invoices of many lines fit easily.
const maxBody = 4 << 20

// response is a handler's answer, held back until the pipeline knows
// whether to send, garble or drop it.
type response struct {
	status int
	header http.Header
	body   []byte
	// unchanged marks a success of a route that changes state which
	// changed nothing (a create whose every invoice was refused, an update
	// to what the invoice already was): it does not count in
	// RouteStats.Applied.
	unchanged bool
}

// mustJSON encodes a response body; the server only encodes values it
// built, so a failure is a bug in it.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("assettest: encoding a response: " + err.Error())
	}
	return b
}

// jsonResponse is status with v as the JSON body.
func jsonResponse(status int, v any) response { return response{status: status, body: mustJSON(v)} }

// dataResponse is the API's envelope of one object or of a list without
// pages: {"data": v}.
func dataResponse(status int, v any) response {
	return jsonResponse(status, struct {
		Data any `json:"data"`
	}{v})
}

// batchResponse is the API's answer to a batch create: the objects
// created, and those refused on their own. It changed nothing when nothing
// was created.
func batchResponse[T, E any](status int, data []T, refused []E) response {
	res := jsonResponse(status, struct {
		Data   []T `json:"data"`
		Errors []E `json:"errors"`
	}{data, refused})
	res.unchanged = len(data) == 0
	return res
}

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

// handle is the preamble every request goes through, in the order a real
// deployment would meet them: routing, the network and proxy (latency and
// injected faults), authentication and the rate limiter, then the route's
// handler and the faults that strike its answer. Counters are kept on the
// way, so every route has them without a line of its own.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", newID("req_"))
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		s.admin(w, r)
		return
	}
	c, res := route(r)
	if res != nil {
		s.write(w, s.peekLimit(c), *res)
		return
	}
	s.count(c.ep.route, func(st *RouteStats) { st.Requests++ })
	f, ok := s.arrive(w, c)
	if !ok {
		return
	}
	limit, refused := s.admit(c)
	if refused != nil {
		s.write(w, limit, *refused)
		return
	}
	out := s.serve(c)
	switch f.kind {
	case faultDrop: // after apply: one before apply ended in arrive
		s.count(c.ep.route, func(st *RouteStats) { st.Faulted++ })
		drop(w)
		return
	case faultMalformed:
		s.count(c.ep.route, func(st *RouteStats) { st.Faulted++ })
		out.body = out.body[:len(out.body)/2]
	}
	s.write(w, limit, out)
}

// arrive reads the body and plays the network's part: latency and the
// faults that strike before the API sees the request. It returns the
// fault left for the answer, or false when the request ended here.
func (s *Server) arrive(w http.ResponseWriter, c *call) (fault, bool) {
	// The body is read first: only then does net/http watch the connection
	// and cancel the request's context when the client goes away, which is
	// what ends a wait for a client that gave up.
	body, err := io.ReadAll(http.MaxBytesReader(w, c.r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.write(w, s.peekLimit(c), detail(http.StatusRequestEntityTooLarge, "Request body is larger than 4 MiB"))
		return fault{}, false
	case err != nil:
		drop(w) // the client went away
		return fault{}, false
	}
	c.body = body

	f := s.nextFault(c.ep.route)
	s.ctl.Lock()
	delay := s.latency
	s.ctl.Unlock()
	if f.kind == faultDelay {
		delay += f.delay
	}
	if !s.wait(c.r.Context(), delay) {
		drop(w) // returning alone would send an empty 200
		return fault{}, false
	}
	switch {
	case f.kind == faultFail:
		s.count(c.ep.route, func(st *RouteStats) { st.Faulted++ })
		s.write(w, s.peekLimit(c), s.failureResponse(f.failure))
		return fault{}, false
	case f.kind == faultDrop && f.drop == DropBeforeApply:
		s.count(c.ep.route, func(st *RouteStats) { st.Faulted++ })
		drop(w)
		return fault{}, false
	}
	return f, true
}

// admit is the API's gate: authentication, then the rate limiter. It
// returns the rate-limit state to report and, for a refused request, the
// answer.
func (s *Server) admit(c *call) (limitState, *response) {
	if !c.ep.open {
		if res := s.authenticate(c); res != nil {
			return s.peekLimit(c), res
		}
	}
	allowed, limit, now := s.takeLimit(c)
	if !allowed {
		s.count(c.ep.route, func(st *RouteStats) { st.RateLimited++ })
		res := jsonResponse(http.StatusTooManyRequests, map[string]string{"error": limitMessage(limit.limit, limit.per)})
		res.header = http.Header{"Retry-After": {strconv.FormatInt(retryAfter(now, limit.reset), 10)}}
		return limit, &res
	}
	return limit, nil
}

// serve runs the route's handler once the request passes its checks, and counts
// what it did.
func (s *Server) serve(c *call) response {
	var out response
	if bad := c.ep.check(c); bad != nil {
		out = *bad
	} else if c.ep.changes && !c.ep.open {
		out = s.commit(requestEntry(c), func() response { return c.ep.serve(s, c) })
	} else {
		out = s.read(func() response { return c.ep.serve(s, c) })
	}
	s.count(c.ep.route, func(st *RouteStats) {
		if out.status < 300 {
			st.Served++
			if c.ep.changes && !out.unchanged {
				st.Applied++
			}
		}
	})
	return out
}

// isJSON reports whether FastAPI would read a body of contentType as
// JSON; it assumes JSON when the header is missing.
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

// limitWindow is one rate-limit window a request counts in: a limiter and
// the key of the window in it.
type limitWindow struct {
	l   *limiter
	key string
}

// windows are the windows a request counts in: its business's and the
// tenant's, or the token endpoint's for an open route.
func (s *Server) windows(c *call) []limitWindow {
	if c.ep != nil && c.ep.open {
		return []limitWindow{{s.tokenLimiter, ""}}
	}
	return []limitWindow{{s.limiter, c.business}, {s.tenantLimiter, s.clientID}}
}

// takeLimit counts a request against each of its windows, and reports
// whether it may go through, the state the headers report and the time it
// was taken at. A request refused by one window uses none of the other's.
func (s *Server) takeLimit(c *call) (bool, limitState, time.Time) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	now := s.now()
	windows := s.windows(c)
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
// request was counted: the tightest of its windows, as on a counted
// request.
func (s *Server) peekLimit(c *call) limitState {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	now := s.now()
	var tightest limitState
	for _, w := range s.windows(c) {
		tightest = tighter(tightest, w.l.state(w.key, now))
	}
	return tightest
}

// write sends res with the rate-limit headers of limit; headers of res
// win, so that an injected failure can send what it likes.
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
