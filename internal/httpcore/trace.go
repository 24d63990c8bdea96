package httpcore

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// tryTransport is the transport of a Sender's retryablehttp client: hc's
// Transport, looked up at each try, so that a test that swaps it (gock)
// sees its own.
//
// It has no CloseIdleConnections, on purpose: retryablehttp calls it
// whenever a try fails, which would close the idle connections of every
// other call sharing the pool.
type tryTransport struct{ hc *http.Client }

func (t tryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	next := t.hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	if run, ok := r.Context().Value(tryKey{}).(*tryRun); ok {
		run.ctx, run.next = r.Context(), next
		return run.run(r)
	}
	return next.RoundTrip(r)
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// sendTrace is what the transport reported, through net/http/httptrace, of
// the last try: whether it reported anything at all, and whether it wrote the
// request's headers on a connection to the server. Go's own transports
// report both; gock's, or a user's RoundTripper, may report nothing, and
// then the error's type is all there is to go on (MaybeSent).
type sendTrace struct {
	traced, connected, wrote atomic.Bool
}

// maybeSent reports whether the try that failed with err may have reached
// the server: its headers were written on a connection to the server, or
// the try was abandoned (a timeout, a cancellation) once it had one, when
// HTTP/2 may still write them after the round trip returned.
func (w *sendTrace) maybeSent(err error) bool {
	if w.traced.Load() {
		return w.wrote.Load() || w.connected.Load() && abandoned(err)
	}
	return MaybeSent(err)
}

func abandoned(err error) bool {
	var ne net.Error
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &ne) && ne.Timeout()
}

// start forgets the previous try and returns the trace of the next.
func (w *sendTrace) start() *httptrace.ClientTrace {
	w.traced.Store(false)
	w.connected.Store(false)
	w.wrote.Store(false)
	return &httptrace.ClientTrace{
		GetConn: func(string) { w.traced.Store(true) },
		GotConn: func(httptrace.GotConnInfo) {
			w.traced.Store(true)
			w.connected.Store(true)
		},
		// Headers written before a connection was handed over are a
		// proxy's CONNECT, not the request. Headers are reported once in
		// the buffer, before they are flushed: counting them errs on the
		// side of "may have been sent".
		WroteHeaders: func() {
			w.traced.Store(true)
			if w.connected.Load() {
				w.wrote.Store(true)
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			w.traced.Store(true)
			if w.connected.Load() {
				w.wrote.Store(true)
			}
		},
	}
}
