package asset

import (
	"net/http"
	"time"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// Response is the HTTP metadata of a call, filled by WithResponseInto. A
// call that got no answer leaves only Attempts set.
type Response struct {
	// StatusCode is the final response's status; 0 when none came.
	StatusCode int
	// Header is the final response's header.
	Header http.Header
	// RequestID is x-request-id: quote it to Asset's support.
	RequestID string
	// RateLimit is what the x-ratelimit-* headers said.
	RateLimit RateLimit
	// Attempts is how many times the request was sent, retries included.
	Attempts int
}

// RateLimit is the API's rate-limit state after a call.
type RateLimit struct {
	// Limit is the number of requests allowed per window.
	Limit int
	// Remaining is how many are left in the current window.
	Remaining int
	// Reset is when the window starts over.
	Reset time.Time
}

func parseRateLimit(h http.Header) RateLimit {
	p := httpcore.ParseRateLimit(h)
	rl := RateLimit{Limit: p.Limit, Remaining: p.Remaining}
	if p.ResetOK && p.ResetUnix > 0 {
		rl.Reset = time.Unix(p.ResetUnix, 0)
	}
	return rl
}
