package httpcore

import (
	"context"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer is the in-process Limiter. It keeps all the requests of one client
// under a rate limit, across goroutines, from two sources: an optional
// local budget (n per interval for each business and n for the tenant,
// all the client's businesses together, as the API counts), and the
// server's count from the x-ratelimit-* headers of each window, so that
// the client slows down before the server starts answering 429.
type Pacer struct {
	n       int
	per     time.Duration
	maxWait time.Duration // the longest pause one answer is believed for

	mu     sync.Mutex
	tenant *rate.Limiter
	keys   map[string]*paced
}

// paced is what the pacer knows of one key: its local budget and the
// server's window it belongs to.
type paced struct {
	local *rate.Limiter

	known     bool      // the server has told us its limit
	limit     int       // requests per server window
	remaining int       // what we believe is left in the window
	windowEnd time.Time // when the current window starts over; zero: unknown
	lastReset time.Time // the reset the latest trusted answer reported
	// firstAnswer is when the first answer about the window that ends at
	// lastReset came back.
	firstAnswer time.Time
	inflight    int // requests started and not yet answered
}

// sweepAt is how many keys the pacer remembers before it forgets the idle
// ones, so that a client serving many businesses does not grow forever.
const sweepAt = 1024

// NewPacer paces to at most n requests per interval for each key and for
// all keys together (n <= 0: no local limit), and always to what the
// server's headers say, believing a pause a server asks for for at most
// maxWait (the policy's RetryAfterMax): a header's word alone, a clock or
// unit mistake, must not stall every call.
func NewPacer(n int, per, maxWait time.Duration) *Pacer {
	p := &Pacer{maxWait: maxWait, keys: map[string]*paced{}}
	if n > 0 && per > 0 {
		p.n, p.per = n, per
		p.tenant = p.newLocal()
	}
	return p
}

// newLocal is a budget of n per interval. A burst of one spaces requests
// evenly, so no window of the server's, wherever it starts, sees more than
// its share.
func (p *Pacer) newLocal() *rate.Limiter {
	if p.n <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Every(p.per/time.Duration(p.n)), 1)
}

// PaceError is returned by Wait when the wait for a slot would outlast the
// context's deadline, so nothing was sent.
type PaceError struct {
	// Wait is how long until a request could have been sent.
	Wait time.Duration
}

// Error says how far away the next slot was.
func (e *PaceError) Error() string {
	return "rate limit: the next slot is in " + e.Wait.Round(time.Millisecond).String() + ", after the context's deadline"
}

// Wait blocks until a request for key may start, or ctx ends. It returns a
// *PaceError at once, rather than sleeping in vain, when the slot comes
// after ctx's deadline.
func (p *Pacer) Wait(ctx context.Context, key string) error {
	if err := p.waitLocal(ctx, key); err != nil {
		return err
	}
	for {
		wait, ok := p.take(key, time.Now())
		if ok {
			return nil
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// waitLocal takes a slot in key's budget and the tenant's: a request needs
// room in both. The token endpoint's calls ("") have a budget of their
// own, as the API counts them in a window of their own.
func (p *Pacer) waitLocal(ctx context.Context, key string) error {
	if p.tenant == nil {
		return nil
	}
	now := time.Now()
	p.mu.Lock()
	rs := []*rate.Reservation{p.entry(key, now).local.ReserveN(now, 1)}
	if key != "" {
		rs = append(rs, p.tenant.ReserveN(now, 1))
	}
	p.mu.Unlock()
	var wait time.Duration
	for _, r := range rs {
		wait = max(wait, r.DelayFrom(now))
	}
	err := sleep(ctx, wait)
	if err != nil {
		// Give the slots back: nothing will be sent in them.
		for _, r := range rs {
			r.CancelAt(time.Now())
		}
	}
	return err
}

// sleep waits d, or returns at once when ctx ends first or its deadline
// comes before d is over.
func sleep(ctx context.Context, d time.Duration) error {
	if deadline, has := ctx.Deadline(); has && d > 0 && time.Until(deadline) < d {
		return &PaceError{Wait: d}
	}
	return pause(ctx, d)
}

// entry is key's state, made on first use; the caller holds p.mu.
func (p *Pacer) entry(key string, now time.Time) *paced {
	e := p.keys[key]
	if e == nil {
		if len(p.keys) >= sweepAt {
			p.sweep(now)
		}
		e = &paced{local: p.newLocal()}
		p.keys[key] = e
	}
	return e
}

// sweep forgets the keys that hold nothing back: no request in flight, no
// server window in force, a full local budget.
func (p *Pacer) sweep(now time.Time) {
	for k, e := range p.keys {
		if e.inflight == 0 && !now.Before(e.windowEnd) && (e.local == nil || e.local.TokensAt(now) >= 1) {
			delete(p.keys, k)
		}
	}
}

// take claims a slot in key's server window, or says how long to wait.
func (p *Pacer) take(key string, now time.Time) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.entry(key, now)
	if !e.windowEnd.IsZero() && !now.Before(e.windowEnd) {
		// A new window: the server will grant its full limit again.
		e.remaining, e.windowEnd = e.limit, time.Time{}
	}
	if e.windowEnd.IsZero() && e.inflight == 0 {
		// No window in force and no answer pending that could tell of
		// one: nothing is known, so nothing holds the request back.
		e.known = false
	}
	if !e.known || e.remaining > 0 {
		e.remaining--
		e.inflight++
		return 0, true
	}
	if e.windowEnd.IsZero() {
		// The whole limit went out in a window whose end the server has
		// not told yet: wait for its answers.
		return 100 * time.Millisecond, false
	}
	// A little past the reset, so clocks a fraction apart do not land the
	// request in the old window.
	return e.windowEnd.Sub(now) + 50*time.Millisecond, false
}

// Observe records the end of a request for key started after Wait.
func (p *Pacer) Observe(key string, h http.Header, status int) {
	p.observe(key, h, status, time.Now())
}

func (p *Pacer) observe(key string, h http.Header, status int, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.entry(key, now)
	if e.inflight > 0 {
		e.inflight--
	}
	if h == nil {
		return
	}
	if rl := ParseRateLimit(h); rl.RemainingOK && rl.ResetOK {
		resetAt := now.Add(p.maxWait)
		if rl.ResetUnix-now.Unix() <= int64(p.maxWait/time.Second)+1 {
			resetAt = time.Unix(rl.ResetUnix, 0) // else far enough to be capped, or to overflow
		}
		p.trust(e, rl.Limit, rl.LimitOK, rl.Remaining, resetAt, now)
	}
	if status == http.StatusTooManyRequests {
		e.remaining, e.known = 0, true
		if d, ok := ServerWait(h, now); ok {
			if end := now.Add(min(d, p.maxWait)); end.After(e.windowEnd) {
				e.windowEnd = end
			}
		}
	}
}

// trust takes an answer's word on its window. Any answer about a window
// still running is believed, the latest over earlier ones, as it may
// come from another of the server's windows (the tenant's, the
// business's); only within one window do answers arrive out of order, and
// there the lowest count is right. The pause it asks for is believed for
// at most maxWait.
func (p *Pacer) trust(e *paced, limit int, hasLimit bool, remaining int, resetAt, now time.Time) {
	if !resetAt.After(now) {
		return // an answer about a window that is over tells nothing
	}
	// Requests still in flight may not have been counted by the server
	// yet; counting them as spent errs on the side of no 429.
	left := remaining - e.inflight
	if resetAt.Equal(e.lastReset) && !e.windowEnd.IsZero() {
		left = min(left, e.remaining)
	}
	if hasLimit {
		e.limit = limit
	}
	if !resetAt.Equal(e.lastReset) {
		e.firstAnswer = now
	}
	e.remaining, e.lastReset, e.known = left, resetAt, true
	e.windowEnd = minTime(resetAt, now.Add(p.maxWait))
	if p.per > 0 && e.limit == p.n {
		// The reset is in whole seconds, rounded up: up to a second late,
		// which in a short window is a window lost each time. A budget of
		// the server's own limit says how long its window lasts, and the
		// window opened before the first answer about it came back.
		e.windowEnd = minTime(e.windowEnd, e.firstAnswer.Add(p.per))
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
