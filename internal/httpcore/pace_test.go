package httpcore

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rateResponse(status, limit, remaining int, reset time.Time) *http.Response {
	h := http.Header{}
	h.Set("X-Ratelimit-Limit", strconv.Itoa(limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	return &http.Response{StatusCode: status, Header: h}
}

func TestPacerFollowsServerWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	reset := now.Add(10 * time.Second)
	p := NewPacer(0, 0)

	if _, ok := p.take(now); !ok {
		t.Fatal("a pacer that knows nothing must let the first request go")
	}
	p.done(rateResponse(200, 5, 2, reset), now)
	for i := 0; i < 2; i++ {
		if _, ok := p.take(now); !ok {
			t.Fatalf("request %d: the server said 2 remain", i)
		}
	}
	wait, ok := p.take(now)
	if ok {
		t.Fatal("the window is spent: the request must wait")
	}
	if wait < 10*time.Second || wait > 11*time.Second {
		t.Fatalf("wait %s, want until the reset at +10s", wait)
	}
	// Once the window starts over the server's full limit is available.
	for i := 0; i < 5; i++ {
		if _, ok := p.take(reset.Add(time.Millisecond)); !ok {
			t.Fatalf("request %d of the new window refused", i)
		}
	}
	if _, ok := p.take(reset.Add(time.Millisecond)); ok {
		t.Fatal("a sixth request in a window of 5 must wait")
	}
}

func TestPacerCountsInflightAsSpent(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0)
	p.take(now)
	p.take(now)
	p.take(now) // three in flight
	// The first answer says 3 remain, but two requests are still in flight
	// and may not have been counted: only one slot is safe.
	p.Done(rateResponse(200, 10, 3, now.Add(time.Minute)))
	if _, ok := p.take(now); !ok {
		t.Fatal("one slot should remain")
	}
	if _, ok := p.take(now); ok {
		t.Fatal("in-flight requests must count as spent")
	}
}

func TestPacerIgnoresOlderWindowAnswers(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0)
	p.take(now)
	p.take(now)
	p.Done(rateResponse(200, 10, 0, now.Add(2*time.Minute)))
	// A slow answer from the window before says 9 remain: it must not
	// reopen the spent window.
	p.Done(rateResponse(200, 10, 9, now.Add(time.Minute)))
	if _, ok := p.take(now); ok {
		t.Fatal("an answer from an older window reopened the current one")
	}
}

func TestPacerTrustsLowestAnswerInWindow(t *testing.T) {
	now := time.Now()
	reset := now.Add(time.Minute)
	p := NewPacer(0, 0)
	p.take(now)
	p.take(now)
	p.Done(rateResponse(200, 10, 0, reset))
	p.Done(rateResponse(200, 10, 1, reset)) // processed earlier, answered later
	if _, ok := p.take(now); ok {
		t.Fatal("a later-arriving higher count must not override the lower one")
	}
}

func TestPacer429EmptiesWindow(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0)
	p.take(now)
	resp := rateResponse(http.StatusTooManyRequests, 10, 4, now.Add(30*time.Second))
	resp.Header.Set("Retry-After", "45")
	p.Done(resp)
	wait, ok := p.take(time.Now())
	if ok {
		t.Fatal("after a 429 no request may start before the window resets")
	}
	if wait < 40*time.Second {
		t.Fatalf("wait %s, want Retry-After's 45s", wait)
	}
}

func TestPacerDeadlineFailsFast(t *testing.T) {
	cases := []struct {
		name  string
		pacer func() *Pacer
	}{
		{"local limit", func() *Pacer {
			p := NewPacer(1, time.Hour)
			if err := p.Wait(context.Background(), time.Hour); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{"server window", func() *Pacer {
			p := NewPacer(0, 0)
			p.take(time.Now())
			p.Done(rateResponse(200, 10, 0, time.Now().Add(time.Hour)))
			return p
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pacer()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			err := p.Wait(ctx, 2*time.Hour)
			var pe *PaceError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *PaceError", err)
			}
			if pe.Wait < 30*time.Minute {
				t.Fatalf("PaceError.Wait = %s, want about an hour", pe.Wait)
			}
			if time.Since(start) > time.Second {
				t.Fatal("Wait slept although the slot is past the deadline")
			}
		})
	}
}

func TestPacerLocalLimitKeepsSlotAfterDeadlineRefusal(t *testing.T) {
	p := NewPacer(1, 50*time.Millisecond)
	if err := p.Wait(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := p.Wait(ctx, 2*time.Hour); err == nil {
		t.Fatal("the second slot is 50ms away, past a 1ms deadline")
	}
	// The refused wait must not have used up the next slot: a patient caller
	// gets it one interval after the first, not two.
	r := p.limiter.Reserve()
	defer r.Cancel()
	if d := r.Delay(); d > 50*time.Millisecond {
		t.Fatalf("next slot in %s: the refused wait kept a reservation", d)
	}
}

func TestPacerCancelEndsWait(t *testing.T) {
	p := NewPacer(0, 0)
	p.take(time.Now())
	p.Done(rateResponse(200, 10, 0, time.Now().Add(time.Hour)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Wait(ctx, 2*time.Hour) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not end the wait")
	}
}

func TestPacerWithoutLimitHeaderDoesNotStall(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0)
	p.take(now)
	resp := rateResponse(200, 0, 0, now.Add(time.Second))
	resp.Header.Del("X-Ratelimit-Limit")
	p.Done(resp)
	// After the window the limit is unknown and nothing is in flight: a
	// pacer that waited for news here would wait for ever.
	if _, ok := p.take(now.Add(2 * time.Second)); !ok {
		t.Fatal("the pacer stalled with nothing in flight")
	}
}

// A server's window is honoured only up to the caller's cap on
// server-requested waits: past it, calls fail at once instead of all
// blocking for as long as one 429 asked.
func TestPacerServerWaitBeyondCapFailsAtOnce(t *testing.T) {
	p := NewPacer(0, 0)
	p.take(time.Now())
	resp := rateResponse(http.StatusTooManyRequests, 10, 0, time.Now().Add(50*time.Minute))
	resp.Header.Set("Retry-After", "3000")
	p.Done(resp)
	start := time.Now()
	err := p.Wait(context.Background(), time.Minute)
	var pe *PaceError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Server)
	assert.Greater(t, pe.Wait, 40*time.Minute)
	assert.Contains(t, pe.Error(), "WithRetryAfterMax")
	assert.Less(t, time.Since(start), time.Second, "no sleeping in vain")
}

// A reset time that cannot be a rate-limit window (milliseconds sent as
// seconds, a broken clock) is ignored rather than stalling or overflowing.
func TestPacerIgnoresAbsurdReset(t *testing.T) {
	for _, reset := range []int64{time.Now().Add(48 * time.Hour).Unix(), time.Now().UnixMilli(), 1<<63 - 1} {
		p := NewPacer(0, 0)
		p.take(time.Now())
		resp := rateResponse(200, 10, 0, time.Now())
		resp.Header.Set("X-Ratelimit-Reset", strconv.FormatInt(reset, 10))
		p.Done(resp)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := p.Wait(ctx, time.Hour)
		cancel()
		assert.NoError(t, err, "reset %d", reset)
	}
}
