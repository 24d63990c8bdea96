package httpcore

import (
	"net/http"
	"strconv"
)

// RateLimitHeader is what the x-ratelimit-* headers of one answer say. A
// value that is missing or does not parse has its OK flag false; its field
// then holds what strconv made of it.
type RateLimitHeader struct {
	// Limit is x-ratelimit-limit: requests allowed per window.
	Limit   int
	LimitOK bool
	// Remaining is x-ratelimit-remaining: requests left in the window.
	Remaining   int
	RemainingOK bool
	// ResetUnix is x-ratelimit-reset: when the window starts over, in
	// unix seconds.
	ResetUnix int64
	ResetOK   bool
}

// ParseRateLimit reads the x-ratelimit-* headers of h.
func ParseRateLimit(h http.Header) RateLimitHeader {
	var rl RateLimitHeader
	var errL, errR, errT error
	rl.Limit, errL = strconv.Atoi(h.Get("X-Ratelimit-Limit"))
	rl.Remaining, errR = strconv.Atoi(h.Get("X-Ratelimit-Remaining"))
	rl.ResetUnix, errT = strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64)
	rl.LimitOK, rl.RemainingOK, rl.ResetOK = errL == nil, errR == nil, errT == nil
	return rl
}
