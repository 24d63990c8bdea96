package httpcore

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"net/http"
	"sync"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/assetkit/asset-go/internal/redact"
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
	// MaxBody bounds the body of a success answer (2xx) that Send reads;
	// zero reads none of it. Any other answer's body is read up to
	// errorBodySlack past MaxErrorBody, for KeptBody to cut.
	MaxBody int64
	// Key is what the rate limiter budgets the request under: its
	// business id, "" for calls without one.
	Key string
	// Secrets are the credentials the request carries (a token, a client
	// secret), for the errors built from its answer to leave out.
	Secrets []string
}

// MaxErrorBody is how much of an answer that is not a success an error
// keeps: enough for any error document, little enough to keep in an error.
const MaxErrorBody = 64 << 10

// errorBodySlack is how much Send reads past MaxErrorBody, so that a
// credential quoted across the cut, in any encoding, is found whole and
// redacted before the body is cut (see KeptBody).
const errorBodySlack = 16 << 10

// KeptBody is what an error keeps of body: a copy of its first
// MaxErrorBody bytes, with secrets redacted before the cut so that none
// leaves its first characters behind.
func KeptBody(body []byte, secrets []string) []byte {
	b := redact.Bytes(body[:min(len(body), MaxErrorBody+errorBodySlack)], secrets)
	return bytes.Clone(b[:min(len(b), MaxErrorBody)])
}

// Reply is the last answer to a Send, its body read and closed.
type Reply struct {
	StatusCode int
	Header     http.Header
	// Body is the answer's body, at most Request.MaxBody bytes of a success
	// and MaxErrorBody+errorBodySlack of any other answer (KeptBody cuts
	// it to MaxErrorBody). It is valid until Release.
	Body []byte
	// TooLong is true when the body was longer than its bound.
	TooLong bool
	// ReadErr is what cut the body short. A read's success body is read
	// inside the retry loop, so a cut one is tried again instead; a
	// change's, or an error's, is read once, after the loop.
	ReadErr error

	buf *bytes.Buffer
}

// Release hands the body's buffer back for reuse; Body must not be used
// after it.
func (r *Reply) Release() {
	if r == nil || r.buf == nil {
		return
	}
	putBuffer(r.buf)
	r.buf, r.Body = nil, nil
}

// Sender sends requests with a retry policy over one shared *http.Client.
// Share one per client: its retryablehttp.Client is built once, and each
// call's settings and state reach its hooks through the request's context.
type Sender struct {
	logger  *slog.Logger
	logName string // starts each log message; see WithLogName
	limit   Limiter
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
// (gock) sees its own. logger receives the retry loop's records (nil: none);
// limit, when not nil, paces every try, retries included, each under its
// request's Key.
func NewSender(hc *http.Client, logger *slog.Logger, limit Limiter) *Sender {
	s := &Sender{logger: logger, logName: "asset-go", limit: limit}
	s.rc = &retryablehttp.Client{
		// Redirects are never followed, whatever hc's CheckRedirect says:
		// Go would turn a redirected POST into a GET or send it again, and
		// would carry the request's custom headers (service keys,
		// x-user-id) to another host. The 3xx comes back to the caller.
		HTTPClient: &http.Client{Transport: tryTransport{hc}, CheckRedirect: refuseRedirect, Jar: hc.Jar},
		// checkRetry counts each call's tries against its own policy.
		RetryMax:       math.MaxInt,
		CheckRetry:     checkRetry,
		Backoff:        noBackoff,
		PrepareRetry:   prepareRetry,
		ErrorHandler:   dropResponse,
		RequestLogHook: startTry,
	}
	return s
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
}

// Send performs r under policy p. It returns the last answer whatever its
// status (the caller turns statuses into errors), its body read, or the
// last transport error. The context ends any wait between tries at once,
// and no wait is started that would outlast the context's deadline.
func (s *Sender) Send(ctx context.Context, p Policy, r *Request) (*Reply, Outcome, error) {
	if err := ctx.Err(); err != nil {
		return nil, Outcome{}, err // nothing sent, which a transport error could not prove
	}
	c := &call{p: p, r: r, limit: s.limit, tries: newTryLog(s.logger, s.logName, r), reply: &Reply{buf: getBuffer()}}
	req, err := c.request(context.WithValue(ctx, callKey{}, c))
	if err != nil {
		c.reply.Release()
		return nil, c.out, err
	}
	if s.limit != nil {
		// Last before sending: a slot claimed is a request in flight.
		if err := limitWait(ctx, s.limit, r.Key); err != nil {
			c.reply.Release()
			return nil, c.out, err
		}
	}
	resp, err := s.rc.Do(req)
	c.tries.finish(resp, err)
	if err != nil {
		c.reply.Release()
		if c.lastTimedOut {
			err = &TryTimeoutError{Tries: c.out.Attempts, TimedOut: c.timedOut, Timeout: c.timeout, ByHTTPClient: c.timeoutByClient, Err: err}
		}
		return nil, c.out, err
	}
	if !c.read {
		c.reply.ReadErr = c.readBody(resp)
	}
	return c.reply, c.out, nil
}

// readBody reads resp's body into the call's reply: this is where every
// body a caller gets is read, inside the retry loop for a read's success
// (see call.handle) and after it for any other.
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

func success(status int) bool { return status >= 200 && status < 300 }

// discardLimit bounds how much of an unwanted body is read so that the
// connection can be reused; past it, closing the connection is cheaper.
const discardLimit = 256 << 10

// discard drains a little of body, so the connection goes back to the pool,
// and closes it.
func discard(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, discardLimit))
	_ = body.Close()
}

// readLimited reads at most limit bytes of body into buf and closes body. It
// reports whether the body was longer than limit.
func readLimited(buf *bytes.Buffer, body io.ReadCloser, limit int64) (truncated bool, err error) {
	defer discard(body)
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

// bufferPool recycles body buffers; a buffer that grew past maxPooled (an
// unusually large page) is left to the garbage collector.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooled = 1 << 20

func getBuffer() *bytes.Buffer {
	b := bufferPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		bufferPool.Put(b)
	}
}
