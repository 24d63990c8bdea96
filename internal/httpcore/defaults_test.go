package httpcore

import (
	"net/http"
	"testing"
	"time"
)

// The default backoff doubles from 250ms and stops at 8s: the wait before
// retry n is between half and all of its step. Many draws per retry make
// a change of either bound show, whatever the jitter draws.
func TestDefaultBackoffRange(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}}
	step := 250 * time.Millisecond
	for n := range 12 {
		lo, hi := step/2, step
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
