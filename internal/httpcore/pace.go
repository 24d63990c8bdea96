package httpcore

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer keeps all the requests of one client under a rate limit, across
// goroutines. It combines two sources: an optional local token bucket (the
// caller's own budget), and the server's count from the x-ratelimit-limit,
// x-ratelimit-remaining and x-ratelimit-reset headers, so that a fleet of
// goroutines slows down before the server starts answering 429.
type Pacer struct {
	limiter *rate.Limiter

	mu        sync.Mutex
	known     bool      // the server has told us its limit
	limit     int       // requests per server window
	remaining int       // what we believe is left in the window
	windowEnd time.Time // when the current window starts over; zero: unknown
	lastReset time.Time // the latest reset time the server reported
	inflight  int       // requests started and not yet answered
}

// maxWindow bounds the server windows the pacer believes: the API's is a
// minute, and a reset further away than this is a clock or unit mistake
// that would otherwise stall every call of the client.
const maxWindow = time.Hour

// NewPacer paces to at most n requests per interval locally (n <= 0: no
// local limit) and always to what the server's headers say.
func NewPacer(n int, per time.Duration) *Pacer {
	p := &Pacer{}
	if n > 0 && per > 0 {
		// A burst of one spaces requests evenly, so no window of the
		// server's, wherever it starts, sees more than its share.
		p.limiter = rate.NewLimiter(rate.Every(per/time.Duration(n)), 1)
	}
	return p
}

// PaceError is returned by Wait when the wait for a slot would outlast the
// context's deadline, or the caller's cap on server-requested waits, so
// nothing was sent.
type PaceError struct {
	// Wait is how long until a request could have been sent.
	Wait time.Duration
	// Server is true when the wait is the server's window, beyond the cap.
	Server bool
}

// Error says how far away the next slot was, and why that was too far.
func (e *PaceError) Error() string {
	why := "after the context's deadline"
	if e.Server {
		why = "longer than the server-requested wait allowed (WithRetryAfterMax)"
	}
	return "rate limit: the next slot is in " + e.Wait.Round(time.Millisecond).String() + ", " + why
}

// Wait blocks until a request may start, or ctx ends. It returns a
// *PaceError at once, rather than sleeping in vain, when the slot comes
// after ctx's deadline, or when the server's window ends further away than
// maxServerWait (the caller's cap on waits a server asks for).
func (p *Pacer) Wait(ctx context.Context, maxServerWait time.Duration) error {
	if p.limiter != nil {
		if err := p.limiter.Wait(ctx); err != nil {
			if ctx.Err() == nil {
				// rate.Limiter refuses a wait past the deadline before
				// sleeping; ask how long it would have been, and give the
				// slot back.
				r := p.limiter.Reserve()
				defer r.Cancel()
				return &PaceError{Wait: r.Delay()}
			}
			return err
		}
	}
	for {
		wait, ok := p.take(time.Now())
		if ok {
			return nil
		}
		if wait > maxServerWait {
			return &PaceError{Wait: wait, Server: true}
		}
		if deadline, has := ctx.Deadline(); has && time.Until(deadline) < wait {
			return &PaceError{Wait: wait}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// take claims a slot in the server's window, or says how long to wait.
func (p *Pacer) take(now time.Time) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.windowEnd.IsZero() && !now.Before(p.windowEnd) {
		// A new window: the server will grant its full limit again.
		p.remaining, p.windowEnd = p.limit, time.Time{}
	}
	if p.windowEnd.IsZero() && p.inflight == 0 {
		// No window in force and no answer pending that could tell of
		// one: nothing is known, so nothing holds the request back.
		p.known = false
	}
	if !p.known || p.remaining > 0 {
		p.remaining--
		p.inflight++
		return 0, true
	}
	if p.windowEnd.IsZero() {
		// The whole limit went out in a window whose end the server has
		// not told yet: wait for its answers.
		return 100 * time.Millisecond, false
	}
	// A little past the reset, so clocks a fraction apart do not land the
	// request in the old window.
	return p.windowEnd.Sub(now) + 50*time.Millisecond, false
}

// Done records the end of a request started after Wait; resp may be nil
// when the request failed without a response.
func (p *Pacer) Done(resp *http.Response) { p.done(resp, time.Now()) }

func (p *Pacer) done(resp *http.Response, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inflight > 0 {
		p.inflight--
	}
	if resp == nil {
		return
	}
	h := resp.Header
	limit, errL := strconv.Atoi(h.Get("X-Ratelimit-Limit"))
	remaining, errR := strconv.Atoi(h.Get("X-Ratelimit-Remaining"))
	reset, errT := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64)
	if errR != nil || errT != nil {
		return
	}
	resetAt := time.Unix(reset, 0)
	if resetAt.Sub(now) > maxWindow {
		return // not a rate-limit window: a clock or unit mistake
	}
	if resetAt.Before(p.lastReset) {
		return // an answer from an older window, overtaken by a later one
	}
	// Requests still in flight may not have been counted by the server
	// yet; counting them as spent errs on the side of no 429.
	left := remaining - p.inflight
	if resetAt.Equal(p.lastReset) && !p.windowEnd.IsZero() {
		// Answers within one window arrive out of order: trust the lowest.
		left = min(left, p.remaining)
	}
	if errL == nil {
		p.limit = limit
	}
	p.remaining, p.windowEnd, p.lastReset, p.known = left, resetAt, resetAt, true
	if resp.StatusCode == http.StatusTooManyRequests {
		p.remaining = 0
		if d, ok := ServerWait(h, now); ok && d <= maxWindow && now.Add(d).After(p.windowEnd) {
			p.windowEnd = now.Add(d)
		}
	}
}
