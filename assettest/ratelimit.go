package assettest

import (
	"fmt"
	"math"
	"time"
)

// limiter is a fixed-window counter per business, as the API's rate limiter
// (slowapi's default strategy): a window opens with a business's first
// request and lets limit requests through until it ends.
type limiter struct {
	limit   int
	per     time.Duration
	windows map[string]*window
}

type window struct {
	start time.Time
	used  int
}

// limitState is what the x-ratelimit-* headers report.
type limitState struct {
	on        bool
	limit     int
	remaining int
	reset     time.Time
}

// take counts one request against key's window when consume is set, and
// reports whether it may go through and the state after it.
func (l *limiter) take(key string, now time.Time, consume bool) (bool, limitState) {
	if l == nil {
		return true, limitState{}
	}
	w := l.windows[key]
	if w == nil || !now.Before(w.start.Add(l.per)) {
		if !consume {
			return true, limitState{on: true, limit: l.limit, remaining: l.limit, reset: now.Add(l.per)}
		}
		w = &window{start: now}
		l.windows[key] = w
	}
	allowed := true
	if consume {
		if w.used >= l.limit {
			allowed = false
		} else {
			w.used++
		}
	}
	return allowed, limitState{on: true, limit: l.limit, remaining: l.limit - w.used, reset: w.start.Add(l.per)}
}

// limitMessage is slowapi's 429 body text, e.g. "Rate limit exceeded: 300
// per 1 minute".
func (s *Server) limitMessage() string {
	limit, per := defaultLimit, defaultPer
	if s.limiter != nil {
		limit, per = s.limiter.limit, s.limiter.per
	}
	return fmt.Sprintf("Rate limit exceeded: %d per %s", limit, perText(per))
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
