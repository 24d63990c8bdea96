package assettest

import (
	"fmt"
	"math"
	"time"
)

// limiter is a fixed-window counter per key (a business, the tenant), as
// the API's rate limiter (slowapi's default strategy): a window opens with
// a key's first request and lets limit requests through until it ends.
type limiter struct {
	limit   int
	per     time.Duration
	windows map[string]*window
}

func newLimiter(limit int, per time.Duration) *limiter {
	return &limiter{limit: limit, per: per, windows: map[string]*window{}}
}

type window struct {
	start time.Time
	used  int
}

// limitState is what the x-ratelimit-* headers report.
type limitState struct {
	on        bool
	limit     int
	per       time.Duration
	remaining int
	reset     time.Time
}

// state is key's window at now without counting a request; a window that
// has ended reads as the full one the next request would open.
func (l *limiter) state(key string, now time.Time) limitState {
	if l == nil {
		return limitState{}
	}
	st := limitState{on: true, limit: l.limit, per: l.per, remaining: l.limit, reset: now.Add(l.per)}
	if w := l.windows[key]; w != nil && now.Before(w.start.Add(l.per)) {
		st.remaining, st.reset = l.limit-w.used, w.start.Add(l.per)
	}
	return st
}

// take counts one request against key's window, which the caller has seen
// has room, and returns the state after it.
func (l *limiter) take(key string, now time.Time) limitState {
	if l == nil {
		return limitState{}
	}
	w := l.windows[key]
	if w == nil || !now.Before(w.start.Add(l.per)) {
		w = &window{start: now}
		l.windows[key] = w
	}
	w.used++
	return l.state(key, now)
}

// tighter is the state a client should pace itself by: the one with fewer
// requests left, or on a tie the one that resets later.
func tighter(a, b limitState) limitState {
	switch {
	case !a.on:
		return b
	case !b.on:
		return a
	case a.remaining != b.remaining:
		if a.remaining < b.remaining {
			return a
		}
		return b
	case b.reset.After(a.reset):
		return b
	}
	return a
}

// limitMessage is slowapi's 429 body text, e.g. "Rate limit exceeded: 300
// per 1 minute".
func limitMessage(limit int, per time.Duration) string {
	return fmt.Sprintf("Rate limit exceeded: %d per %s", limit, perText(per))
}

// defaultLimit is the limit an injected 429 reports: the business's, else
// the tenant's, else the API's.
func (s *Server) defaultLimit() (int, time.Duration) {
	for _, l := range []*limiter{s.limiter, s.tenantLimiter} {
		if l != nil {
			return l.limit, l.per
		}
	}
	return defaultLimit, defaultPer
}

func perText(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d%u.d == 0 {
			return fmt.Sprintf("%d %s", d/u.d, u.name)
		}
	}
	return fmt.Sprintf("%d millisecond", d.Milliseconds())
}

// ceilUnix is t in whole unix seconds, rounded up so that a client waiting
// until then never arrives early.
func ceilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// retryAfter is the whole seconds to wait until reset, at least one.
func retryAfter(now, reset time.Time) int64 {
	return max(1, int64(math.Ceil(reset.Sub(now).Seconds())))
}
