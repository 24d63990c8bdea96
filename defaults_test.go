package asset

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/internal/wiretest"
)

// These tests hold the defaults the documentation states, by what a client
// made without options does, not by reading the settings back.

// defaultClient is a client of srv with nothing but its token and address.
func defaultClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(append([]Option{WithToken(testToken), WithBaseURL(url)}, opts...)...)
	require.NoError(t, err)
	return c
}

// Every retry waits at least the 250 ms minimum after the try before.
func TestDefaultBackoffMinimum(t *testing.T) {
	t.Parallel()
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		replyJSON(w, http.StatusServiceUnavailable, `{"detail": "busy"}`)
	})
	// Long enough for a retry or two however loaded the machine; the
	// waits are read from when the server saw each try, which a slow
	// machine only spreads further apart.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := defaultClient(t, srv.URL).Invoices.Get(ctx, testBiz, testInv)
	require.Error(t, err)
	reqs := srv.requests()
	require.GreaterOrEqual(t, len(reqs), 2, "no retry within 3 s")
	for i := 1; i < len(reqs); i++ {
		gap := reqs[i].At.Sub(reqs[i-1].At)
		assert.GreaterOrEqual(t, gap, 250*time.Millisecond, "retry %d came %s after the try before, sooner than 250 ms, the documented least wait", i, gap)
	}
}

// A Retry-After of exactly a minute is waited on; one second more is
// handed back at once, as the 429 with RetryAfter set. The call's context
// has no deadline, so only the one-minute cap can tell the two apart.
func TestDefaultRetryAfterMax(t *testing.T) {
	t.Parallel()
	get := func(c *Client) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.Invoices.Get(ctx, testBiz, testInv)
			return err
		}
	}
	t.Run("61s returned at once", func(t *testing.T) {
		t.Parallel()
		srv := newRecServer(t, refuse429(map[string]string{"Retry-After": "61"}))
		err := wiretest.Promise("a Retry-After past the one-minute default cap is handed back at once, not waited on").Within(t, wiretest.Bound,
			get(defaultClient(t, srv.URL)))
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusTooManyRequests, apiErr.StatusCode)
		assert.Equal(t, 61*time.Second, apiErr.RetryAfter)
		assert.Equal(t, 1, srv.count())
	})
	t.Run("60s waited on", func(t *testing.T) {
		t.Parallel()
		srv := newRecServer(t, refuse429(map[string]string{"Retry-After": "60"}))
		call := get(defaultClient(t, srv.URL))
		// However slow the machine, a call that waits a minute has not
		// returned when this cancels it; one that refused to wait
		// returns at once.
		const patience = 300 * time.Millisecond
		var waited bool
		err := wiretest.Promise("cancelling the context ends a wait between tries at once").Within(t, patience+wiretest.Bound,
			func(ctx context.Context) error {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				stop := time.AfterFunc(patience, cancel)
				defer stop.Stop()
				err := call(ctx)
				waited = ctx.Err() != nil
				return err
			})
		require.True(t, waited, "the call returned %v instead of waiting on a Retry-After of 60s", err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, srv.count())
	})
}

// deadlineSeen is a transport that records the deadline each request's
// context carries and answers 200 with body.
type deadlineSeen struct {
	body      string
	deadlines chan time.Time
}

func (d *deadlineSeen) RoundTrip(r *http.Request) (*http.Response, error) {
	dl, _ := r.Context().Deadline()
	d.deadlines <- dl
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(d.body)), Request: r,
	}, nil
}

// Each try is bounded by a minute even when neither the context nor the
// HTTP client has a deadline: the try's own context says so.
func TestDefaultAttemptTimeout(t *testing.T) {
	t.Parallel()
	rt := &deadlineSeen{body: invoiceBody, deadlines: make(chan time.Time, 1)}
	c := defaultClient(t, "http://127.0.0.1:1", WithHTTPClient(&http.Client{Transport: rt}))
	before := time.Now()
	_, err := c.Invoices.Get(context.Background(), testBiz, testInv)
	after := time.Now()
	require.NoError(t, err)
	dl := <-rt.deadlines
	require.False(t, dl.IsZero(), "the try had no deadline")
	assert.False(t, dl.Before(before.Add(time.Minute)), "the try's deadline %v is less than a minute away", dl.Sub(before))
	assert.False(t, dl.After(after.Add(time.Minute)), "the try's deadline %v is more than a minute away", dl.Sub(after))
}

// A success body of exactly 32 MiB is decoded; one byte more is a
// *DecodeError.
func TestDefaultMaxResponseBytes(t *testing.T) {
	t.Parallel()
	const limit = 32 << 20
	head := `{"data": {"id": "` + testInv + `", "number": "INV-1", "status": "open"}, "padding": "`
	tail := `"}`
	body := func(size int) []byte {
		return []byte(head + strings.Repeat("x", size-len(head)-len(tail)) + tail)
	}
	for _, tc := range []struct {
		size int
		ok   bool
	}{{limit, true}, {limit + 1, false}} {
		b := body(tc.size)
		require.Len(t, b, tc.size)
		srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
		})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		inv, err := defaultClient(t, srv.URL).Invoices.Get(ctx, testBiz, testInv)
		cancel()
		if tc.ok {
			require.NoError(t, err, "a body of %d bytes", tc.size)
			assert.Equal(t, "INV-1", inv.Number)
			continue
		}
		var decErr *DecodeError
		assert.ErrorAs(t, err, &decErr, "a body of %d bytes", tc.size)
	}
}

// A body that does not decode is kept in the *DecodeError by its first
// 64 KiB, where the cause of a decoding failure usually is.
func TestDecodeErrorKeepsFirst64KiB(t *testing.T) {
	t.Parallel()
	body := append([]byte(`{"data": <html>`), bytes.Repeat([]byte("0123456789abcdef"), 8<<10)...) // 128 KiB and more
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := defaultClient(t, srv.URL).Invoices.Get(ctx, testBiz, testInv)
	var decErr *DecodeError
	require.ErrorAs(t, err, &decErr)
	assert.Equal(t, body[:64<<10], decErr.Body)
}

// With WithRateLimit, a call whose slot comes after its deadline fails
// before the deadline, with an error matching ErrRateLimited, and sends
// nothing.
func TestRateLimitFailsAtOnce(t *testing.T) {
	t.Parallel()
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		replyJSON(w, http.StatusOK, invoiceBody)
	})
	c := defaultClient(t, srv.URL, WithRateLimit(1, time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Invoices.Get(ctx, testBiz, testInv)
	require.NoError(t, err, "the first call takes the only slot")
	_, err = c.Invoices.Get(ctx, testBiz, testInv)
	require.ErrorIs(t, err, ErrRateLimited)
	assert.NoError(t, ctx.Err(), "the call waited for its deadline instead of failing at once")
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.count(), "the refused call sent nothing")
}

// A Retry-After given as an HTTP date is waited on until that time, not
// cut to the backoff (here a few milliseconds).
func TestRetryAfterDateHonoured(t *testing.T) {
	t.Parallel()
	var date time.Time
	srv := newRecServer(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			// A whole second, between one and two seconds away.
			date = time.Now().Add(2 * time.Second).Truncate(time.Second)
			w.Header().Set("Retry-After", date.UTC().Format(http.TimeFormat))
			replyJSON(w, http.StatusTooManyRequests, `{"error": "Rate limit exceeded"}`)
			return
		}
		replyJSON(w, http.StatusOK, invoiceBody)
	})
	c := srv.client(t)
	err := wiretest.Promise("a Retry-After given as a date is waited on until that date, then the call is sent again").Within(t,
		2*time.Second+wiretest.Bound, func(ctx context.Context) error {
			_, err := c.Invoices.Get(ctx, testBiz, testInv)
			return err
		})
	require.NoError(t, err)
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.False(t, reqs[1].At.Before(date), "retried %v before the date the server named", date.Sub(reqs[1].At))
}
