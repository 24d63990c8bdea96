package httpcore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call is one Send's settings and state. It rides in the request's context,
// where the Sender's one retryablehttp.Client finds it from its hooks and
// its transport.
type call struct {
	p     Policy
	r     *Request
	limit Limiter
	tries *tryLog
	w     wire

	out Outcome
	// After the response handler runs, retryablehttp asks CheckRetry about
	// the same attempt again (with the handler's error, if any); recheck
	// keeps that from counting as another attempt.
	recheck bool
	// wait is the pause before the next try, decided by checkRetry.
	wait time.Duration
	// reply holds the body read so far; read says it is the last
	// answer's, read by handle.
	reply *Reply
	read  bool

	// tryCtx is the last try's context when a per-try timeout bounds it,
	// timeout that bound, timeoutByClient whether it is the HTTP client's
	// Timeout rather than the policy's AttemptTimeout.
	tryCtx          context.Context
	timeout         time.Duration
	timeoutByClient bool
	// timedOut counts the tries that ended at the per-try timeout;
	// lastTimedOut says the last one did, countedTry which one was counted.
	timedOut     int
	lastTimedOut bool
	countedTry   int
}

// noteTimeout records whether the try that failed with err ended at its
// per-try timeout, while ctx, the call's, was still running.
func (c *call) noteTimeout(ctx context.Context, err error) {
	if err == nil {
		return
	}
	c.lastTimedOut = ctx.Err() == nil && c.tryCtx != nil && errors.Is(c.tryCtx.Err(), context.DeadlineExceeded)
	if c.lastTimedOut && c.countedTry != c.out.Attempts {
		c.timedOut++
		c.countedTry = c.out.Attempts
	}
}

// TryTimeoutError is a call whose last try ended at the per-try timeout,
// though the caller's context had not ended: the context error alone
// ("context deadline exceeded") would blame a deadline the caller never
// set. It unwraps to the try's error.
type TryTimeoutError struct {
	// Tries is how many tries the call made, TimedOut how many of them
	// ended at the timeout.
	Tries, TimedOut int
	// Timeout is the per-try timeout.
	Timeout time.Duration
	// ByHTTPClient says the timeout is the HTTP client's Timeout, shorter
	// than the AttemptTimeout.
	ByHTTPClient bool
	// Err is the last try's error.
	Err error
}

func (e *TryTimeoutError) Error() string {
	setBy := "WithAttemptTimeout"
	if e.ByHTTPClient {
		setBy = "the Timeout of the *http.Client given to WithHTTPClient"
	}
	var which string
	switch {
	case e.Tries <= 1:
		which = "the try"
	case e.TimedOut == e.Tries:
		which = fmt.Sprintf("each of %d tries", e.Tries)
	default:
		which = fmt.Sprintf("the last of %d tries", e.Tries)
	}
	return fmt.Sprintf("%s timed out after %s, the per-try timeout (%s): %v", which, e.Timeout, setBy, e.Err)
}

func (e *TryTimeoutError) Unwrap() error { return e.Err }

type callKey struct{}

// callOf is the call whose request carries ctx.
func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// request is c's request for retryablehttp, on ctx (which carries c).
func (c *call) request(ctx context.Context) (*retryablehttp.Request, error) {
	r := c.r
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
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, r.URL, body)
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
		// even for a request carrying an Idempotency-Key: only the policy
		// below decides a resend, and retryablehttp rewinds the body for it.
		req.GetBody = nil
	} else {
		// A read's success body is read inside the retry loop, so one cut
		// short by a broken connection is retried like any other
		// transport failure. A change's is not: its answer lost is no
		// reason to send it again.
		req.SetResponseHandler(c.handle)
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	return req, nil
}

// emptyLengthKey is Content-Length as net/http writes it without computing
// it: see call.request.
const emptyLengthKey = "content-length"

// handle is the response handler of an idempotent request.
func (c *call) handle(resp *http.Response) error {
	c.recheck = true
	c.read = success(resp.StatusCode)
	if !c.read {
		return nil
	}
	return c.readBody(resp)
}

// checkRetry is retryablehttp's CheckRetry: whether the try that ended with
// resp or err is tried again, and after which wait (kept in the call for
// prepareRetry).
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c := callOf(ctx)
	c.tries.saw(resp, err)
	if c.recheck {
		c.recheck = false
	} else {
		c.out.Attempts++
		if c.limit != nil {
			observe(c.limit, c.r.Key, resp)
		}
	}
	c.noteTimeout(ctx, err)
	sent := err != nil && c.w.maybeSent(err)
	if sent || resp != nil && resp.StatusCode >= 500 {
		c.out.MaybeApplied = true
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if resp != nil && err == nil {
			// An answer arrived before the context ended: hand it back.
			// Hiding a success behind the context's error would report a
			// change that was applied as one that was not.
			return false, nil
		}
		return false, ctxErr
	}
	// Counting here rather than relying on RetryMax lets an exhausted retry
	// hand back the last response itself instead of an error string, and
	// lets each call have its own MaxRetries.
	if c.out.Attempts > c.p.MaxRetries || !c.p.retryable(c.r.Idempotent, resp, err, sent) {
		return false, nil
	}
	wait, ok := c.p.wait(c.out.Attempts-1, resp, time.Now())
	if !ok {
		return false, nil
	}
	if deadline, has := ctx.Deadline(); has && time.Until(deadline) < wait {
		return false, nil
	}
	// retryablehttp drains only 4 KiB of a body before it retries; a proxy's
	// error page is often longer, and a body not read to the end costs the
	// connection.
	if resp != nil {
		discard(resp.Body)
		resp.Body = http.NoBody
	}
	c.wait = wait
	return true, nil
}

// noBackoff is retryablehttp's Backoff. It is given no request when a try
// got no response, so it cannot find the call: the wait checkRetry chose
// is made in prepareRetry instead, which is given the request.
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

// prepareRetry is retryablehttp's PrepareRetry, run before each retry: it
// waits as checkRetry decided, then for the rate limit's slot. The
// context's end stops either wait, and the call.
func prepareRetry(req *http.Request) error {
	ctx := req.Context()
	c := callOf(ctx)
	c.tries.retrying(c.wait)
	if err := pause(ctx, c.wait); err != nil {
		return err
	}
	if c.limit != nil {
		return limitWait(ctx, c.limit, c.r.Key)
	}
	return nil
}

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

// dropResponse is retryablehttp's ErrorHandler: a call that ends in an
// error hands back the error alone.
func dropResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil {
		discard(resp.Body)
	}
	return nil, err
}

// startTry is retryablehttp's RequestLogHook, run before each try.
func startTry(_ retryablehttp.Logger, req *http.Request, i int) {
	callOf(req.Context()).tries.begin(i)
}
