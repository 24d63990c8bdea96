package redislimit

import "time"

// WithClock makes the limiter read the time from now instead of the
// process's clock, to stand for a process whose clock is not Redis's.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }
