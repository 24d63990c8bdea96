package httpcore

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// tryTransport is the transport of a Sender's retryablehttp client. Each
// try goes through hc's Transport, looked up at each try (a test that swaps
// it, gock, sees its own), traced into its call's wire, and bounded by the
// shorter of hc's Timeout and the call's AttemptTimeout, from sending to the
// end of the body.
//
// It has no CloseIdleConnections, on purpose: retryablehttp calls it
// whenever a call is cancelled or gives up, which would close the idle
// connections of every other call sharing the pool.
type tryTransport struct{ hc *http.Client }

func (t tryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	next := t.hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := callOf(r.Context())
	if c == nil {
		return next.RoundTrip(r)
	}
	ctx := httptrace.WithClientTrace(r.Context(), c.w.start())
	cancel := context.CancelFunc(func() {})
	c.tryCtx = nil
	if d := tryTimeout(t.hc.Timeout, c.p.AttemptTimeout); d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
		c.tryCtx, c.timeout = ctx, d
		c.timeoutByClient = d != c.p.AttemptTimeout
	}
	resp, err := next.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelBody{resp.Body, cancel}
	return resp, nil
}

// tryTimeout is the shorter of a client's Timeout and a policy's
// AttemptTimeout, zero meaning none for either.
func tryTimeout(clientTimeout, attemptTimeout time.Duration) time.Duration {
	if attemptTimeout > 0 && (clientTimeout == 0 || attemptTimeout < clientTimeout) {
		return attemptTimeout
	}
	return clientTimeout
}

// cancelBody ends a try's timeout once its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// wire is what the transport reported, through net/http/httptrace, of the
// last try: whether it reported anything at all, and whether it wrote the
// request's headers on a connection to the server. Go's own transports
// report both; gock's, or a user's RoundTripper, may report nothing, and
// then the error's type is all there is to go on (MaybeSent).
type wire struct {
	traced, connected, wrote atomic.Bool
}

// maybeSent reports whether the try that failed with err may have reached
// the server: its headers were written on a connection to the server, or
// the try was abandoned (a timeout, a cancellation) once it had one, when
// HTTP/2 may still write them after the round trip returned.
func (w *wire) maybeSent(err error) bool {
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
func (w *wire) start() *httptrace.ClientTrace {
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
