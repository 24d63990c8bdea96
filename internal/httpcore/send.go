package httpcore

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Sender sends requests with a retry policy over one shared *http.Client.
// Share one per client: its retryablehttp.Client is built once.
type Sender struct {
	logger  *slog.Logger
	logName string // starts each log message; see WithLogName
	limit   Limiter
	hc      *http.Client
	rc      *retryablehttp.Client
}

// WithLogName makes s start its log messages with name, the client's
// (default "asset-go"), and returns s.
func (s *Sender) WithLogName(name string) *Sender {
	s.logName = name
	return s
}

// NewSender makes the Sender of one client. hc's Transport keeps the
// connection pool; it is looked up at each try, so a test that swaps it
// (gock) sees its own. logger receives the send loop's records (nil: none);
// limit, when not nil, paces every try, retries included, each under its
// request's Key.
func NewSender(hc *http.Client, logger *slog.Logger, limit Limiter) *Sender {
	return &Sender{logger: logger, logName: "asset-go", limit: limit, hc: hc, rc: &retryablehttp.Client{
		// Redirects are never followed, whatever hc's CheckRedirect says:
		// Go would turn a redirected POST into a GET or send it again, and
		// would carry the request's custom headers (service keys,
		// x-user-id) to another host. The 3xx comes back to the caller.
		HTTPClient: &http.Client{Transport: tryTransport{hc}, CheckRedirect: refuseRedirect, Jar: hc.Jar},
		// retryablehttp makes one try a Do, with a body it rewinds for
		// each; whether and when to try again is Send's loop below, which
		// knows what a try wrote on the wire and what the call's policy,
		// deadline and rate limit allow.
		RetryMax:     0,
		CheckRetry:   func(context.Context, *http.Response, error) (bool, error) { return false, nil },
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}}
}

// Send performs r under policy p: the one send loop of every call. Each
// turn waits for the rate limit's slot, makes one try (traced, bounded by
// the per-try timeout, its body read), asks the policy whether to try
// again, and pauses as it says. It returns the last answer whatever its
// status (the caller turns statuses into errors), its body read, or the
// last error. The context ends any wait at once, and no pause is started
// that would outlast the context's deadline.
func (s *Sender) Send(ctx context.Context, p Policy, r *Request) (*Reply, Outcome, error) {
	if err := ctx.Err(); err != nil {
		return nil, Outcome{}, err // nothing sent, which a transport error could not prove
	}
	req, err := newTryRequest(r)
	if err != nil {
		return nil, Outcome{}, err
	}
	c := &call{s: s, p: p, r: r, req: req, tries: newTryLog(s.logger, s.logName, r), reply: &Reply{buf: getBuffer()}}
	var backoff time.Duration
	for {
		var waited time.Duration
		if s.limit != nil {
			// Last before sending: a slot claimed is a request in flight.
			start := time.Now()
			err := limitWait(ctx, s.limit, r.Key)
			waited = time.Since(start)
			c.out.LimiterWait += waited
			if err != nil {
				return c.fail(err)
			}
		}
		t := c.try(ctx, backoff, waited)
		wait, again := c.decide(ctx, t)
		if !again {
			return c.end(ctx, t)
		}
		c.tries.retrying(wait)
		if err := pause(ctx, wait); err != nil {
			return c.fail(err)
		}
		backoff = wait
	}
}

// call is one Send in progress.
type call struct {
	s     *Sender
	p     Policy
	r     *Request
	req   *retryablehttp.Request
	tries *tryLog
	trace sendTrace
	timer tryTimer
	out   Outcome
	reply *Reply
}

// tried is how one try ended: an answer, its body read into the call's
// reply, or an error; sent says whether a try that failed may have reached
// the server.
type tried struct {
	resp *http.Response
	err  error
	sent bool
}

// try puts the request on the wire once, through the request's
// middlewares if it has any, and reads the answer's body within the same
// per-try timeout. backoff and waited are the pause and the rate limiter's
// wait that came before it.
func (c *call) try(ctx context.Context, backoff, waited time.Duration) tried {
	c.tries.begin(c.out.Attempts)
	trace := c.trace.start()
	tctx, cancel := c.timer.start(httptrace.WithClientTrace(ctx, trace), c.s.hc.Timeout, c.p.AttemptTimeout)
	defer cancel()
	var run *tryRun
	if len(c.r.Middleware) > 0 {
		run = &tryRun{r: c.r, trace: trace, info: TryInfo{
			Method: c.r.Method, Route: c.r.Route, Key: c.r.Key,
			Attempt: c.out.Attempts + 1, Backoff: backoff, LimiterWait: waited,
		}}
		tctx = context.WithValue(tctx, tryKey{}, run)
		defer run.done()
	}
	resp, err := c.s.rc.Do(c.req.WithContext(tctx))
	c.out.Attempts++
	if c.s.limit != nil {
		observe(c.s.limit, c.r.Key, resp)
	}
	if err == nil {
		readErr := c.readBody(resp)
		c.reply.ReadErr = readErr
		if readErr != nil && success(resp.StatusCode) && c.r.Idempotent {
			// A read's success cut short is tried again like any other
			// transport failure. A change's is not: its answer lost is no
			// reason to send it again; the caller gets it as ReadErr.
			err = readErr
		}
	}
	c.tries.saw(resp, err)
	c.timer.note(ctx, err)
	// A try that no middleware passed on to the transport was not sent,
	// whatever its error.
	reached := run == nil || run.reached.Load()
	t := tried{resp: resp, err: err, sent: err != nil && reached && c.trace.maybeSent(err)}
	if t.sent || resp != nil && resp.StatusCode >= 500 {
		c.out.MaybeApplied = true
	}
	return t
}

// decide is the policy's word on the try that ended as t: whether to try
// again, and after which pause.
func (c *call) decide(ctx context.Context, t tried) (time.Duration, bool) {
	if ctx.Err() != nil || c.out.Attempts > c.p.MaxRetries || !c.p.retryable(c.r.Idempotent, t.resp, t.err, t.sent) {
		return 0, false
	}
	wait, ok := c.p.wait(c.out.Attempts-1, t.resp, time.Now())
	if !ok {
		return 0, false
	}
	if deadline, has := ctx.Deadline(); has && time.Until(deadline) < wait {
		return 0, false
	}
	return wait, true
}

// end returns the call's last try: its answer, or its error. An answer
// that arrived before the context ended is handed back even so: hiding a
// success behind the context's error would report a change that was
// applied as one that was not.
func (c *call) end(ctx context.Context, t tried) (*Reply, Outcome, error) {
	if t.err == nil {
		c.tries.finish(t.resp, nil)
		return c.reply, c.out, nil
	}
	if err := ctx.Err(); err != nil {
		return c.fail(err)
	}
	return c.fail(t.err)
}

// fail ends the call with err, naming the per-try timeout when that is
// what ended its last try.
func (c *call) fail(err error) (*Reply, Outcome, error) {
	c.tries.finish(nil, err)
	c.reply.Release()
	return nil, c.out, c.timer.explain(err, c.out.Attempts)
}

// readBody reads resp's body into the call's reply, within its try: this
// is where every body a caller gets is read, a success's up to MaxBody and
// any other's up to what an error keeps (see KeptBody).
func (c *call) readBody(resp *http.Response) error {
	limit := int64(MaxErrorBody + errorBodySlack)
	if success(resp.StatusCode) {
		limit = c.r.MaxBody
	}
	rep := c.reply
	rep.StatusCode, rep.Header = resp.StatusCode, resp.Header
	rep.buf.Reset()
	tooLong, err := readLimited(rep.buf, resp.Body, limit)
	resp.Body = http.NoBody
	rep.TooLong, rep.Body = tooLong, rep.buf.Bytes()
	return err
}

// newTryRequest is r as retryablehttp sends it, each try on a context of
// its own (Request.WithContext).
func newTryRequest(r *Request) (*retryablehttp.Request, error) {
	var body any
	if r.Body != nil {
		body = r.Body
	}
	emptyChange := !r.Idempotent && len(r.Body) == 0
	if emptyChange {
		// HTTP/2 sends a request without a body again on its own after a
		// reset stream or a GOAWAY; an empty body keeps it from doing so.
		body = []byte{}
	}
	req, err := retryablehttp.NewRequest(r.Method, r.URL, body)
	if err != nil {
		return nil, err
	}
	if emptyChange {
		// net/http sends a body of unknown length, as an empty body is to
		// it, chunked over HTTP/1.1, and proxies answer a POST without a
		// Content-Length with 411. "identity" keeps it from chunking, and
		// the length goes under a key that is not canonical, which HTTP/1.1
		// writes as given (Header.WriteSubset does not canonicalize) and
		// HTTP/2 leaves out, its own framing ending the empty body.
		req.TransferEncoding = []string{"identity"}
		req.Header[emptyLengthKey] = []string{"0"}
	}
	if !r.Idempotent {
		// Without GetBody, net/http (HTTP/1.1 and HTTP/2) cannot rewind the
		// body, so it never puts a change on the wire twice by itself, not
		// even for a request carrying an Idempotency-Key: only the loop
		// above decides a resend, and retryablehttp rewinds the body for it.
		req.GetBody = nil
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	return req, nil
}

// emptyLengthKey is Content-Length as net/http writes it without computing
// it: see newTryRequest.
const emptyLengthKey = "content-length"

// pause waits d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
