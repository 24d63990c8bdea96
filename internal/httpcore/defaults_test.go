package httpcore

import (
	"net/http"
	"testing"
	"time"
)

// The default backoff, as documented: every wait between 250ms and 8s, the
// wait before retry n between half and all of 250ms doubled n+1 times (at
// most 8s), never under 250ms. Many draws per retry make a change of either
// bound show, whatever the jitter draws.
func TestDefaultBackoffRange(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}}
	step := 500 * time.Millisecond
	for n := range 12 {
		lo, hi := max(step/2, 250*time.Millisecond), step
		var least, most time.Duration = hi + 1, 0
		for range 200 {
			d, ok := DefaultPolicy.wait(n, resp, time.Now())
			if !ok {
				t.Fatalf("retry %d: a backoff refused to wait", n)
			}
			least, most = min(least, d), max(most, d)
		}
		if least < lo || most > hi {
			t.Errorf("retry %d: waits from %v to %v, want within %v..%v", n, least, most, lo, hi)
		}
		// Jitter spreads a fleet: the draws do not all land on one value.
		if most-least < (hi-lo)/4 {
			t.Errorf("retry %d: waits from %v to %v barely spread over %v..%v", n, least, most, lo, hi)
		}
		step = min(2*step, 8*time.Second)
	}
}
