package httpcore

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// Next sends a try's request on to the transport, or to the next
// middleware.
type Next func(*http.Request) (*http.Response, error)

// Middleware wraps one try of a call: it is handed the request as the
// transport would get it, less its credentials (see Request.Credentials),
// and next, which puts it on the wire.
type Middleware func(req *http.Request, next Next) (*http.Response, error)

// TryInfo is what the context of a try's request says of the call and the
// try: see asset.CallInfoFrom and asset.TryInfoFrom.
type TryInfo struct {
	Method, Route, Key string
	// Attempt counts the tries from 1.
	Attempt int
	// Backoff is the pause the send loop made before this try; LimiterWait
	// the time it waited for the rate limiter's slot.
	Backoff, LimiterWait time.Duration
}

type tryKey struct{}

// TryOf is the TryInfo a try's context carries.
func TryOf(ctx context.Context) (TryInfo, bool) {
	r, ok := ctx.Value(tryKey{}).(*tryRun)
	if !ok {
		return TryInfo{}, false
	}
	return r.info, true
}

// ErrNextAgain is what next returns when a middleware calls it a second time
// within one try: a try puts its request on the wire at most once, so that
// a middleware cannot send a change twice, nor a read past the rate limiter.
var ErrNextAgain = errors.New("a middleware called next twice in one try; the request was not sent again")

// tryRun is one try of a request that has middlewares: its context value,
// and the last link of its chain.
type tryRun struct {
	info    TryInfo
	r       *Request
	trace   *httptrace.ClientTrace
	ctx     context.Context // the try's: per-try timeout, trace
	next    http.RoundTripper
	called  atomic.Int32
	reached atomic.Bool // the request was handed to the transport

	mu      sync.Mutex
	release []func() // run once the try's body has been read
}

// run passes req through the middlewares, outermost first, to send.
func (t *tryRun) run(req *http.Request) (*http.Response, error) {
	if len(t.r.Credentials) > 0 {
		// The middlewares see no credential: the request handed to them
		// has none, and send puts them back on the way to the transport.
		req = shallow(req)
		req.Header = req.Header.Clone()
		for _, k := range t.r.Credentials {
			req.Header.Del(k)
		}
	}
	next := Next(t.send)
	for i := len(t.r.Middleware) - 1; i >= 0; i-- {
		mw, inner := t.r.Middleware[i], next
		next = func(req *http.Request) (*http.Response, error) { return mw(req, inner) }
	}
	return next(req)
}

// send is the chain's last link: it hands req to the transport once, with
// the guarantees the middlewares may have undone put back.
func (t *tryRun) send(req *http.Request) (*http.Response, error) {
	if t.called.Add(1) > 1 {
		return nil, ErrNextAgain
	}
	req = shallow(req)
	req.Header = req.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	for _, k := range t.r.Credentials {
		if v, ok := t.r.Header[http.CanonicalHeaderKey(k)]; ok {
			req.Header[http.CanonicalHeaderKey(k)] = v
		}
	}
	if !t.r.Idempotent {
		// net/http would send a change again by itself with either of
		// these: a body it can rewind, or an idempotency key. Neither
		// can be put back in by a middleware.
		req.GetBody = nil
		req.Header.Del("Idempotency-Key")
		req.Header.Del("X-Idempotency-Key")
	}
	req = req.WithContext(t.keep(req.Context()))
	t.reached.Store(true)
	return t.next.RoundTrip(req)
}

// keep is ctx, a middleware's, still bounded by the try's timeout, ended
// with the call, and traced, as the try's own context is: what the send
// loop reads of the try depends on them.
func (t *tryRun) keep(ctx context.Context) context.Context {
	derived := ctx.Value(tryKey{}) == t
	if ctx == t.ctx || derived && ctx.Done() == t.ctx.Done() {
		// The same context, or values added to it (a span): its end,
		// deadline and trace are the try's.
		return ctx
	}
	if !derived {
		ctx = httptrace.WithClientTrace(ctx, t.trace)
	}
	// Ended when the try's context ends, not by a deadline of its own: the
	// send loop tells a per-try timeout by the try's context having ended
	// first.
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(t.ctx, func() { cancel(context.Cause(t.ctx)) })
	t.mu.Lock()
	t.release = append(t.release, func() {
		stop()
		cancel(context.Canceled)
	})
	t.mu.Unlock()
	return ctx
}

// done releases what keep made, once the try's body has been read.
func (t *tryRun) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, f := range t.release {
		f()
	}
	t.release = nil
}

// shallow is a copy of req that can be changed without changing req.
func shallow(req *http.Request) *http.Request {
	return req.WithContext(req.Context())
}
