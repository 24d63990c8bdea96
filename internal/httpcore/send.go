package httpcore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Request is one logical call; Send may put it on the wire several times.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Idempotent says that repeating the request cannot change its outcome,
	// so it may be retried after failures that may have reached the server.
	Idempotent bool
	// Into, when set on an idempotent request, receives a success body, at
	// most Limit bytes of it. The body is read inside the retry loop, so one
	// cut short by a broken connection is retried like any other transport
	// failure; the response Send returns then has an empty Body.
	Into  *bytes.Buffer
	Limit int64
	// Key is what the rate limiter budgets the request under: its
	// business id, "" for calls without one.
	Key string
}

// Sender sends requests with a retry policy over one shared *http.Client.
type Sender struct {
	// HTTP is the client requests go through; its Transport keeps the
	// connection pool, so one Sender should be shared by all calls.
	HTTP *http.Client
	// Logger receives the retry loop's records; nil keeps it silent.
	Logger *slog.Logger
	// Limiter, when set, paces every attempt, retries included.
	Limiter Limiter
}

// Outcome tells how a Send went beyond its response.
type Outcome struct {
	// Attempts is how many times the request was put on the wire.
	Attempts int
	// MaybeApplied is true when some attempt may have been processed by the
	// server: the transport wrote the request before its connection broke,
	// or it was answered with a 5xx. Attempts that never wrote the request
	// (no connection, a proxy that is down), and answers such as 429 that
	// refuse the request, do not count. A transport that reports nothing of
	// what it did (see wire) is assumed to have written the request unless
	// its error proves otherwise.
	MaybeApplied bool
	// Truncated is true when a body read into Request.Into was longer than
	// Request.Limit.
	Truncated bool
}

// Send performs r under policy p. It returns the last response whatever its
// status (the caller turns statuses into errors), or the last transport
// error. The context ends any wait between tries at once, and no wait is
// started that would outlast the context's deadline.
func (s *Sender) Send(ctx context.Context, p Policy, r *Request) (*http.Response, Outcome, error) {
	var out Outcome
	if err := ctx.Err(); err != nil {
		return nil, out, err // nothing sent, which a transport error could not prove
	}
	var nextWait time.Duration
	// After the response handler runs, retryablehttp asks CheckRetry about
	// the same attempt again (with the handler's error, if any); recheck
	// keeps that from counting as another attempt.
	var recheck bool
	hc := keepIdle(s.HTTP, p.AttemptTimeout)
	w := &wire{}
	hc.Transport = tracer{hc.Transport, w}
	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.WaitMin,
		RetryWaitMax: p.WaitMax,
		RetryMax:     p.MaxRetries,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			if recheck {
				recheck = false
			} else {
				out.Attempts++
				if s.Limiter != nil {
					observe(s.Limiter, r.Key, resp)
				}
			}
			sent := err != nil && w.maybeSent(err)
			if sent || resp != nil && resp.StatusCode >= 500 {
				out.MaybeApplied = true
			}
			if ctxErr := ctx.Err(); ctxErr != nil {
				if resp != nil && err == nil {
					// An answer arrived before the context ended: hand it
					// back. Hiding a success behind the context's error
					// would report a change that was applied as one that
					// was not.
					return false, nil
				}
				return false, ctxErr
			}
			// Counting here rather than relying on RetryMax lets an exhausted
			// retry hand back the last response itself instead of an error
			// string, and keeps retryablehttp from closing idle connections.
			if out.Attempts > p.MaxRetries || !p.retryable(r.Idempotent, resp, err, sent) {
				return false, nil
			}
			wait, ok := p.wait(out.Attempts-1, resp, time.Now())
			if !ok {
				return false, nil
			}
			if deadline, has := ctx.Deadline(); has && time.Until(deadline) < wait {
				return false, nil
			}
			// retryablehttp drains only 4 KiB of a body before it retries; a
			// proxy's error page is often longer, and a body not read to
			// the end costs the connection.
			if resp != nil {
				Discard(resp.Body)
				resp.Body = http.NoBody
			}
			nextWait = wait
			return true, nil
		},
		Backoff: func(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
			return nextWait
		},
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			if resp != nil {
				Discard(resp.Body)
			}
			return nil, err
		},
	}
	tries := newTryLog(s.Logger, r)
	tries.wire(rc)
	var body any
	if r.Body != nil {
		body = r.Body
	}
	if !r.Idempotent && body == nil {
		// HTTP/2 sends a request without a body again on its own after a
		// reset stream or a GOAWAY; an empty body keeps it from doing so
		// (over HTTP/1.1 it goes as an empty chunked body).
		body = []byte{}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, out, err
	}
	if !r.Idempotent {
		// Without GetBody, net/http (HTTP/1.1 and HTTP/2) cannot rewind the
		// body, so it never puts a change on the wire twice by itself, not
		// even for a request carrying an Idempotency-Key: only the policy
		// above decides a resend, and retryablehttp rewinds the body for it.
		req.GetBody = nil
	}
	if s.Limiter != nil {
		rc.PrepareRetry = func(req *http.Request) error { return limitWait(req.Context(), s.Limiter, r.Key) }
		// Last before sending: a slot claimed is a request in flight.
		if err := limitWait(ctx, s.Limiter, r.Key); err != nil {
			return nil, out, err
		}
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.Into != nil && r.Idempotent {
		req.SetResponseHandler(func(resp *http.Response) error {
			recheck = true
			if resp.StatusCode < 200 || resp.StatusCode >= 300 {
				return nil
			}
			r.Into.Reset()
			truncated, err := ReadBody(r.Into, resp.Body, r.Limit)
			resp.Body = http.NoBody
			out.Truncated = truncated
			return err
		})
	}
	resp, err := rc.Do(req)
	tries.finish(resp, err)
	return resp, out, err
}

// keepIdle returns a client that sends through hc's transport but hides its
// CloseIdleConnections: retryablehttp calls it whenever a call is cancelled
// or gives up, which would close the idle connections of every other call
// sharing the pool. The transport is looked up on each request, so a test
// that swaps hc.Transport (gock) still sees its own. Each try is bounded by
// the shorter of hc's Timeout and attemptTimeout.
//
// Redirects are never followed, whatever hc's CheckRedirect says: Go would
// turn a redirected POST into a GET or send it again, and would carry the
// request's custom headers (service keys, x-user-id) to another host. The
// 3xx comes back to the caller instead.
func keepIdle(hc *http.Client, attemptTimeout time.Duration) *http.Client {
	timeout := hc.Timeout
	if attemptTimeout > 0 && (timeout == 0 || attemptTimeout < timeout) {
		timeout = attemptTimeout
	}
	return &http.Client{Transport: poolKeeper{hc}, CheckRedirect: refuseRedirect, Jar: hc.Jar, Timeout: timeout}
}

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

func (w *wire) trace() *httptrace.ClientTrace {
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

// tracer records into w what the transport reports of each try.
type tracer struct {
	next http.RoundTripper
	w    *wire
}

func (t tracer) RoundTrip(r *http.Request) (*http.Response, error) {
	t.w.traced.Store(false)
	t.w.connected.Store(false)
	t.w.wrote.Store(false)
	return t.next.RoundTrip(r.WithContext(httptrace.WithClientTrace(r.Context(), t.w.trace())))
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

type poolKeeper struct{ hc *http.Client }

func (p poolKeeper) RoundTrip(r *http.Request) (*http.Response, error) {
	t := p.hc.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	return t.RoundTrip(r)
}

// discardLimit bounds how much of an unwanted body is read so that the
// connection can be reused; past it, closing the connection is cheaper.
const discardLimit = 256 << 10

// Discard drains a little of body, so the connection goes back to the pool,
// and closes it.
func Discard(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, discardLimit))
	_ = body.Close()
}

// ReadBody reads at most limit bytes of body into buf and closes body. It
// reports whether the body was longer than limit.
func ReadBody(buf *bytes.Buffer, body io.ReadCloser, limit int64) (truncated bool, err error) {
	defer Discard(body)
	over := limit + 1
	if over <= 0 {
		over = limit // limit is math.MaxInt64: no room to read past it
	}
	n, err := buf.ReadFrom(io.LimitReader(body, over))
	if n > limit {
		buf.Truncate(int(limit))
		return true, err
	}
	return false, err
}
