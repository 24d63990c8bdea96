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

func rateHeader(limit, remaining int, reset time.Time) http.Header {
	h := http.Header{}
	h.Set("X-Ratelimit-Limit", strconv.Itoa(limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	return h
}

const biz = "biz_a"

func TestPacerFollowsServerWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	reset := now.Add(10 * time.Second)
	p := NewPacer(0, 0, time.Minute)

	if _, ok := p.take(biz, now); !ok {
		t.Fatal("a pacer that knows nothing must let the first request go")
	}
	p.observe(biz, rateHeader(5, 2, reset), 200, now)
	for i := 0; i < 2; i++ {
		if _, ok := p.take(biz, now); !ok {
			t.Fatalf("request %d: the server said 2 remain", i)
		}
	}
	wait, ok := p.take(biz, now)
	if ok {
		t.Fatal("the window is spent: the request must wait")
	}
	if wait < 10*time.Second || wait > 11*time.Second {
		t.Fatalf("wait %s, want until the reset at +10s", wait)
	}
	// Once the window starts over the server's full limit is available.
	for i := 0; i < 5; i++ {
		if _, ok := p.take(biz, reset.Add(time.Millisecond)); !ok {
			t.Fatalf("request %d of the new window refused", i)
		}
	}
	if _, ok := p.take(biz, reset.Add(time.Millisecond)); ok {
		t.Fatal("a sixth request in a window of 5 must wait")
	}
}

// Each key has the server window its answers tell of: the token
// endpoint's ("") or one business's spent window holds back no other.
func TestPacerWindowPerKey(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0, time.Hour)
	for _, key := range []string{"", biz} {
		p.take(key, now)
		p.observe(key, rateHeader(10, 0, now.Add(30*time.Minute)), 200, now)
		_, ok := p.take(key, now)
		assert.False(t, ok, "key %q: its window is spent", key)
	}
	_, ok := p.take("biz_b", now)
	assert.True(t, ok, "another business's window held this one back")
}

func TestPacerCountsInflightAsSpent(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0, time.Minute)
	p.take(biz, now)
	p.take(biz, now)
	p.take(biz, now) // three in flight
	// The first answer says 3 remain, but two requests are still in flight
	// and may not have been counted: only one slot is safe.
	p.Observe(biz, rateHeader(10, 3, now.Add(time.Minute)), 200)
	if _, ok := p.take(biz, now); !ok {
		t.Fatal("one slot should remain")
	}
	if _, ok := p.take(biz, now); ok {
		t.Fatal("in-flight requests must count as spent")
	}
}

// An answer about a window that is already over (a slow answer from the
// window before) must not reopen the current one.
func TestPacerIgnoresEndedWindowAnswers(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0, time.Hour)
	p.take(biz, now)
	p.take(biz, now)
	p.observe(biz, rateHeader(10, 0, now.Add(2*time.Minute)), 200, now)
	p.observe(biz, rateHeader(10, 9, now.Add(-time.Second)), 200, now)
	if _, ok := p.take(biz, now); ok {
		t.Fatal("an answer from an ended window reopened the current one")
	}
}

func TestPacerTrustsLaterAnswer(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0, time.Hour)
	p.take(biz, now)
	p.take(biz, now)
	p.observe(biz, rateHeader(10, 0, now.Add(30*time.Second)), 200, now)
	// A later answer tells of a window that resets sooner, with room: the
	// earlier word was not the last.
	p.observe(biz, rateHeader(10, 5, now.Add(2*time.Second)), 200, now)
	if _, ok := p.take(biz, now); !ok {
		t.Fatal("the later answer was ignored")
	}
}

func TestPacerTrustsLowestAnswerInWindow(t *testing.T) {
	now := time.Now()
	reset := now.Add(time.Minute)
	p := NewPacer(0, 0, time.Hour)
	p.take(biz, now)
	p.take(biz, now)
	p.observe(biz, rateHeader(10, 0, reset), 200, now)
	p.observe(biz, rateHeader(10, 1, reset), 200, now) // processed earlier, answered later
	if _, ok := p.take(biz, now); ok {
		t.Fatal("a later-arriving higher count must not override the lower one")
	}
}

func TestPacer429EmptiesWindow(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0, time.Hour)
	p.take(biz, now)
	h := rateHeader(10, 4, now.Add(30*time.Second))
	h.Set("Retry-After", "45")
	p.observe(biz, h, http.StatusTooManyRequests, now)
	wait, ok := p.take(biz, now)
	if ok {
		t.Fatal("after a 429 no request may start before the window resets")
	}
	if wait < 40*time.Second {
		t.Fatalf("wait %s, want Retry-After's 45s", wait)
	}
}

// One answer's word, however far its reset or Retry-After, holds the
// key's calls back for at most maxWait.
func TestPacerBelievesOneAnswerAtMostMaxWait(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header func(now time.Time) http.Header
	}{
		{"remaining 0, reset in 59 minutes", 200, func(now time.Time) http.Header {
			return rateHeader(10, 0, now.Add(59*time.Minute))
		}},
		{"429, Retry-After 3000", http.StatusTooManyRequests, func(now time.Time) http.Header {
			h := rateHeader(10, 0, now.Add(50*time.Minute))
			h.Set("Retry-After", "3000")
			return h
		}},
		{"reset in milliseconds", 200, func(now time.Time) http.Header {
			h := rateHeader(10, 0, now)
			h.Set("X-Ratelimit-Reset", strconv.FormatInt(now.UnixMilli(), 10))
			return h
		}},
		{"reset at the end of time", 200, func(now time.Time) http.Header {
			h := rateHeader(10, 0, now)
			h.Set("X-Ratelimit-Reset", strconv.FormatInt(1<<63-1, 10))
			return h
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now()
			p := NewPacer(0, 0, time.Minute)
			p.take(biz, now)
			p.observe(biz, tc.header(now), tc.status, now)
			wait, ok := p.take(biz, now)
			require.False(t, ok, "the window is spent")
			assert.LessOrEqual(t, wait, time.Minute+100*time.Millisecond)
			_, ok = p.take(biz, now.Add(time.Minute+time.Millisecond))
			assert.True(t, ok, "the pause outlived maxWait")
		})
	}
}

func TestPacerDeadlineFailsFast(t *testing.T) {
	cases := []struct {
		name  string
		pacer func() *Pacer
	}{
		{"local limit", func() *Pacer {
			p := NewPacer(1, time.Hour, time.Hour)
			require.NoError(t, p.Wait(context.Background(), biz))
			return p
		}},
		{"server window", func() *Pacer {
			p := NewPacer(0, 0, 2*time.Hour)
			p.take(biz, time.Now())
			p.Observe(biz, rateHeader(10, 0, time.Now().Add(time.Hour)), 200)
			return p
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pacer()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			err := p.Wait(ctx, biz)
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

// The local budget is for all businesses together too: a fresh business
// still waits for the tenant's room. Token requests, which the API counts
// in a window of their own, have a budget of their own.
func TestPacerLocalBudgetPerKeyAndTenant(t *testing.T) {
	p := NewPacer(2, time.Hour, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	require.NoError(t, p.Wait(ctx, "biz_a"))
	var pe *PaceError
	require.ErrorAs(t, p.Wait(ctx, "biz_b"), &pe, "a fresh business, but the tenant's budget is spent")
	require.NoError(t, p.Wait(ctx, ""), "the token endpoint's budget")
	require.ErrorAs(t, p.Wait(ctx, ""), &pe, "the token endpoint's budget is spent")
}

func TestPacerLocalLimitKeepsSlotAfterDeadlineRefusal(t *testing.T) {
	p := NewPacer(1, 50*time.Millisecond, time.Hour)
	require.NoError(t, p.Wait(context.Background(), biz))
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := p.Wait(ctx, biz); err == nil {
		t.Fatal("the second slot is 50ms away, past a 1ms deadline")
	}
	// The refused wait must not have used up the next slot: a patient caller
	// gets it one interval after the first, not two.
	r := p.tenant.Reserve()
	defer r.Cancel()
	if d := r.Delay(); d > 50*time.Millisecond {
		t.Fatalf("next slot in %s: the refused wait kept a reservation", d)
	}
}

func TestPacerCancelEndsWait(t *testing.T) {
	p := NewPacer(0, 0, 2*time.Hour)
	p.take(biz, time.Now())
	p.Observe(biz, rateHeader(10, 0, time.Now().Add(time.Hour)), 200)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Wait(ctx, biz) }()
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
	p := NewPacer(0, 0, time.Minute)
	p.take(biz, now)
	h := rateHeader(0, 0, now.Add(time.Second))
	h.Del("X-Ratelimit-Limit")
	p.observe(biz, h, 200, now)
	// After the window the limit is unknown and nothing is in flight: a
	// pacer that waited for news here would wait for ever.
	if _, ok := p.take(biz, now.Add(2*time.Second)); !ok {
		t.Fatal("the pacer stalled with nothing in flight")
	}
}

// A try without an answer ends its flight, so the pacer does not wait for
// news that will never come.
func TestPacerNoAnswerEndsFlight(t *testing.T) {
	now := time.Now()
	p := NewPacer(0, 0, time.Minute)
	p.take(biz, now)
	p.observe(biz, rateHeader(1, 0, now.Add(time.Second)), 200, now)
	p.take(biz, now.Add(2*time.Second)) // the new window's only slot
	p.observe(biz, nil, 0, now.Add(2*time.Second))
	assert.Zero(t, p.keys[biz].inflight)
}

// Keys that hold nothing back are forgotten once there are many.
func TestPacerForgetsIdleKeys(t *testing.T) {
	p := NewPacer(0, 0, time.Minute)
	now := time.Now()
	for i := range sweepAt + 10 {
		key := "biz_" + strconv.Itoa(i)
		p.take(key, now)
		p.observe(key, nil, 0, now)
	}
	assert.LessOrEqual(t, len(p.keys), sweepAt)
}

// The reset header is in whole seconds, rounded up, so it can say a window
// ends almost a second after it does: in a one-second window that is a
// window lost each time. With a local budget of the server's own limit,
// the window is known to last that budget's interval, and it opened before
// the first answer about it came back: it is over one interval after that
// answer, whatever the rounded reset says.
func TestPacerWindowEndsOneIntervalAfterItsFirstAnswer(t *testing.T) {
	first := time.Unix(1_800_000_000, 100*int64(time.Millisecond)) // x.1 s
	reset := time.Unix(1_800_000_002, 0)                           // the window ends near x+1.1; reported rounded up
	for _, tc := range []struct {
		name     string
		n        int
		wantWait time.Duration // from first+900ms
	}{
		{"budget of the server's limit", 25, 100 * time.Millisecond},
		{"budget of another limit: the rounded reset", 10, 1000 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPacer(tc.n, time.Second, time.Minute)
			_, ok := p.take(biz, first)
			require.True(t, ok)
			p.observe(biz, rateHeader(25, 24, reset), 200, first)
			late := first.Add(900 * time.Millisecond)
			p.observe(biz, rateHeader(25, 0, reset), 200, late)
			wait, ok := p.take(biz, late)
			require.False(t, ok, "the window is spent")
			assert.InDelta(t, tc.wantWait+50*time.Millisecond, wait, float64(10*time.Millisecond))
		})
	}
}
