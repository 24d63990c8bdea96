package httpcore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fastPolicy = Policy{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond, RetryAfterMax: time.Minute}

// countingServer answers each request with answer(n), n counting from 1.
func countingServer(t *testing.T, answer func(w http.ResponseWriter, n int)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		answer(w, int(count.Add(1)))
	}))
	t.Cleanup(srv.Close)
	return srv, &count
}

func TestSendReturnsLastResponseAfterRetries(t *testing.T) {
	srv, count := countingServer(t, func(w http.ResponseWriter, n int) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "answer "+strconv.Itoa(n))
	})
	s := NewSender(srv.Client(), nil, nil)
	p := fastPolicy
	p.MaxRetries = 2
	resp, out, err := s.Send(context.Background(), p, &Request{Method: http.MethodGet, URL: srv.URL, Idempotent: true})
	require.NoError(t, err, "an exhausted retry hands back the response, not an error")
	defer resp.Release()
	body := resp.Body
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "answer 3", string(body))
	assert.Equal(t, 3, out.Attempts)
	assert.EqualValues(t, 3, count.Load())
}

func TestSendResendsBodyOnRetry(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	s := NewSender(srv.Client(), nil, nil)
	resp, out, err := s.Send(context.Background(), fastPolicy, &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte(`{"a":1}`)})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, 2, out.Attempts)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{`{"a":1}`, `{"a":1}`}, bodies)
}

func TestSendNonIdempotentNotRetriedAfter5xx(t *testing.T) {
	srv, count := countingServer(t, func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusBadGateway) })
	s := NewSender(srv.Client(), nil, nil)
	resp, out, err := s.Send(context.Background(), fastPolicy, &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte("{}")})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, 1, out.Attempts)
	assert.EqualValues(t, 1, count.Load())
}

func TestSendServerWaitBeyondLimitsReturnsAtOnce(t *testing.T) {
	cases := []struct {
		name       string
		retryAfter string
		policy     Policy
		timeout    time.Duration
	}{
		{"past RetryAfterMax", "120", fastPolicy, 0},
		{"past the deadline", "30", fastPolicy, 5 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, count := countingServer(t, func(w http.ResponseWriter, _ int) {
				w.Header().Set("Retry-After", tc.retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
			})
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			start := time.Now()
			resp, out, err := NewSender(srv.Client(), nil, nil).Send(ctx, tc.policy, &Request{Method: http.MethodGet, URL: srv.URL, Idempotent: true})
			require.NoError(t, err)
			resp.Release()
			assert.Less(t, time.Since(start), time.Second)
			assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
			assert.Equal(t, 1, out.Attempts)
			assert.EqualValues(t, 1, count.Load())
		})
	}
}

func TestSendCancelEndsWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, count := countingServer(t, func(w http.ResponseWriter, _ int) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
		time.AfterFunc(50*time.Millisecond, cancel)
	})
	start := time.Now()
	_, _, err := NewSender(srv.Client(), nil, nil).Send(ctx, fastPolicy, &Request{Method: http.MethodGet, URL: srv.URL, Idempotent: true})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	assert.Less(t, time.Since(start), time.Second)
	assert.EqualValues(t, 1, count.Load())
}

func TestSendHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Clone() }))
	defer srv.Close()
	h := http.Header{}
	h.Set("X-Test", "yes")
	resp, _, err := NewSender(srv.Client(), nil, nil).Send(context.Background(), fastPolicy, &Request{Method: http.MethodGet, URL: srv.URL, Header: h})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, "yes", (<-got).Get("X-Test"))
}

func TestReadLimited(t *testing.T) {
	cases := []struct {
		body      string
		limit     int64
		want      string
		truncated bool
	}{
		{"hello", 10, "hello", false},
		{"hello", 5, "hello", false},
		{"hello!", 5, "hello", true},
		{"", 5, "", false},
		{strings.Repeat("x", 1000), 1, "x", true},
	}
	for _, tc := range cases {
		var buf bytes.Buffer
		rc := &closeCounter{Reader: strings.NewReader(tc.body)}
		truncated, err := readLimited(&buf, rc, tc.limit)
		require.NoError(t, err)
		assert.Equal(t, tc.want, buf.String())
		assert.Equal(t, tc.truncated, truncated)
		assert.Equal(t, 1, rc.closed, "the body is closed")
	}
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// cutBody answers with a Content-Length it does not honour: half the body,
// then the connection is closed, as a proxy that drops a long transfer.
func cutBody(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, body[:len(body)/2])
	w.(http.Flusher).Flush()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestSendRetriesReadBodyCutShort(t *testing.T) {
	const body = `{"data": {"id": "inv_1", "number": "INV-1"}}`
	cases := []struct {
		name       string
		idempotent bool
		requests   int32
	}{
		{"idempotent: read again", true, 2},
		// A change must not be repeated because its answer was lost; the
		// caller gets the cut and reports the outcome as unknown.
		{"not idempotent: not repeated", false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, count := countingServer(t, func(w http.ResponseWriter, n int) {
				if n == 1 {
					cutBody(w, body)
					return
				}
				_, _ = io.WriteString(w, body)
			})
			s := NewSender(srv.Client(), nil, nil)
			resp, out, err := s.Send(context.Background(), fastPolicy, &Request{
				Method: http.MethodPost, URL: srv.URL, Idempotent: tc.idempotent, MaxBody: 1 << 20,
			})
			require.NoError(t, err)
			defer resp.Release()
			assert.Equal(t, tc.requests, count.Load())
			assert.Equal(t, int(tc.requests), out.Attempts, "one attempt per request, although the body check asks twice")
			if tc.idempotent {
				require.NoError(t, resp.ReadErr)
				assert.Equal(t, body, string(resp.Body))
				return
			}
			assert.Error(t, resp.ReadErr, "the caller meets the cut itself")
		})
	}
}

func TestSendReadBodyCountsOneAttemptPerRequest(t *testing.T) {
	srv, count := countingServer(t, func(w http.ResponseWriter, n int) {
		if n < 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, `{"ok": true}`)
	})
	s := NewSender(srv.Client(), nil, nil)
	resp, out, err := s.Send(context.Background(), fastPolicy, &Request{
		Method: http.MethodGet, URL: srv.URL, Idempotent: true, MaxBody: 5,
	})
	require.NoError(t, err)
	defer resp.Release()
	assert.EqualValues(t, 3, count.Load())
	assert.Equal(t, 3, out.Attempts)
	assert.True(t, resp.TooLong, "a body over MaxBody is reported, not silently cut")
	assert.Equal(t, `{"ok"`, string(resp.Body))
}

func TestSendReadsErrorBodiesToTheirOwnBound(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, n int) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"detail": "Invoice not found"}`)
	})
	s := NewSender(srv.Client(), nil, nil)
	resp, out, err := s.Send(context.Background(), fastPolicy, &Request{
		Method: http.MethodGet, URL: srv.URL, Idempotent: true, MaxBody: 1,
	})
	require.NoError(t, err)
	defer resp.Release()
	assert.Equal(t, 1, out.Attempts)
	assert.False(t, resp.TooLong)
	assert.Equal(t, `{"detail": "Invoice not found"}`, string(resp.Body), "an error body is read up to MaxErrorBody, not MaxBody")
}

// A call cancelled during a wait between tries must not close the idle
// connections that other calls share: retryablehttp would, on every
// cancellation, if it could reach the transport's CloseIdleConnections.
func TestSendCancelKeepsPooledConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/busy" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s := NewSender(srv.Client(), nil, nil)
	get := func(ctx context.Context, path string, p Policy) {
		resp, _, err := s.Send(ctx, p, &Request{Method: http.MethodGet, URL: srv.URL + path, Idempotent: true})
		if err == nil {
			resp.Release()
		}
	}
	get(context.Background(), "/ok", fastPolicy)
	slow := fastPolicy
	slow.WaitMin, slow.WaitMax = time.Hour, time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	get(ctx, "/busy", slow) // waits an hour for its retry, cancelled first
	get(context.Background(), "/ok", fastPolicy)
	assert.EqualValues(t, 1, conns.Load(), "every call reused the one pooled connection")
}

// A server that stops answering must not hang a call whose context has no
// deadline: each try ends at AttemptTimeout, and a read tries again.
func TestSendAttemptTimeout(t *testing.T) {
	cases := []struct {
		name       string
		idempotent bool
		wantErr    bool
		requests   int32
	}{
		{"a read is tried again", true, false, 2},
		{"a change is not", false, true, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			quit := make(chan struct{})
			srv, count := countingServer(t, func(w http.ResponseWriter, n int) {
				if n == 1 {
					<-quit // never answers in time
					return
				}
				_, _ = io.WriteString(w, "ok")
			})
			defer close(quit) // before srv.Close, registered earlier, waits for the handler
			p := fastPolicy
			p.AttemptTimeout = 50 * time.Millisecond
			s := NewSender(srv.Client(), nil, nil)
			// The deadline only keeps the test from hanging if the try's
			// own timeout does not hold; the call must end long before.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			resp, out, err := s.Send(ctx, p, &Request{Method: http.MethodPost, URL: srv.URL, Idempotent: tc.idempotent})
			require.NoError(t, ctx.Err(), "the try's timeout did not end the call")
			assert.Equal(t, tc.requests, count.Load())
			if tc.wantErr {
				require.Error(t, err)
				var ne net.Error
				require.ErrorAs(t, err, &ne)
				assert.True(t, ne.Timeout())
				assert.True(t, out.MaybeApplied, "a change that timed out may have been applied")
				return
			}
			require.NoError(t, err)
			resp.Release()
			assert.Equal(t, 2, out.Attempts)
		})
	}
}

func TestSendAttemptTimeoutKeepsShorterClientTimeout(t *testing.T) {
	assert.Equal(t, time.Second, tryTimeout(time.Second, time.Minute))
	assert.Equal(t, 10*time.Millisecond, tryTimeout(time.Second, 10*time.Millisecond))
	assert.Equal(t, time.Second, tryTimeout(time.Second, 0))
	assert.Equal(t, time.Minute, tryTimeout(0, time.Minute))
}

// A caller's client that follows redirects must not take a POST, its body
// or its headers to another host.
func TestSendNeverFollowsRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	defer other.Close()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv, _ := countingServer(t, func(w http.ResponseWriter, _ int) {
				w.Header().Set("Location", other.URL+"/steal")
				w.WriteHeader(status)
			})
			s := NewSender(&http.Client{}, nil, nil) // Go's default: follows redirects
			resp, out, err := s.Send(context.Background(), fastPolicy, &Request{
				Method: http.MethodPost, URL: srv.URL, Body: []byte(`{"amount": 1}`),
				Header: http.Header{"Service-Api-Key": {"secret"}},
			})
			require.NoError(t, err)
			defer resp.Release()
			assert.Equal(t, status, resp.StatusCode, "the 3xx comes back")
			assert.Equal(t, 1, out.Attempts)
			assert.Zero(t, elsewhere.Load(), "nothing reached the other host")
		})
	}
}

// cancelAfter cancels the call's context just after the response arrives,
// as a deadline would that expires in that instant.
type cancelAfter struct {
	next   http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	c.cancel()
	return resp, err
}

// A response that arrived is handed back even if the context ended just
// after: hiding a success behind the context's error would report an
// applied change as one that was not.
func TestSendKeepsResponseThatBeatTheContext(t *testing.T) {
	srv, count := countingServer(t, func(w http.ResponseWriter, _ int) {
		_, _ = io.WriteString(w, `{"data": {"id": "inv_1"}}`)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := NewSender(&http.Client{Transport: cancelAfter{srv.Client().Transport, cancel}}, nil, nil)
	resp, out, err := s.Send(ctx, fastPolicy, &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte(`{}`)})
	require.NoError(t, err)
	defer resp.Release()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, out.Attempts)
	assert.EqualValues(t, 1, count.Load())
}

func TestSendCancelledBeforeSendingSendsNothing(t *testing.T) {
	srv, count := countingServer(t, func(w http.ResponseWriter, _ int) {})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := NewSender(srv.Client(), nil, nil)
	_, out, err := s.Send(ctx, fastPolicy, &Request{Method: http.MethodPost, URL: srv.URL})
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, out.MaybeApplied)
	assert.Zero(t, out.Attempts)
	assert.Zero(t, count.Load())
}

func TestReadLimitedWithoutRoom(t *testing.T) {
	var buf bytes.Buffer
	truncated, err := readLimited(&buf, io.NopCloser(strings.NewReader("whole body")), math.MaxInt64)
	require.NoError(t, err)
	assert.False(t, truncated)
	assert.Equal(t, "whole body", buf.String())
}

// One Sender serves calls with different policies at once: each call's
// settings and count of tries travel with its request, not with the
// retryablehttp client they share.
func TestSendOneSenderManyPolicies(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, _ int) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	s := NewSender(srv.Client(), nil, nil)
	var wg sync.WaitGroup
	for retries := 0; retries < 6; retries++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := fastPolicy
			p.MaxRetries = retries
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			resp, out, err := s.Send(ctx, p, &Request{Method: http.MethodGet, URL: srv.URL, Idempotent: true})
			if !assert.NoError(t, err) {
				return
			}
			defer resp.Release()
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.Equal(t, retries+1, out.Attempts, "MaxRetries %d", retries)
		}()
	}
	wg.Wait()
}
