package httpcore

import (
	"bytes"
	"context"
	"errors"
	"io"
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
	s := &Sender{HTTP: srv.Client()}
	p := fastPolicy
	p.MaxRetries = 2
	resp, out, err := s.Send(context.Background(), p, &Request{Method: http.MethodGet, URL: srv.URL, Idempotent: true})
	require.NoError(t, err, "an exhausted retry hands back the response, not an error")
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
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
	s := &Sender{HTTP: srv.Client()}
	resp, out, err := s.Send(context.Background(), fastPolicy, &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte(`{"a":1}`)})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, 2, out.Attempts)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{`{"a":1}`, `{"a":1}`}, bodies)
}

func TestSendNonIdempotentNotRetriedAfter5xx(t *testing.T) {
	srv, count := countingServer(t, func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusBadGateway) })
	s := &Sender{HTTP: srv.Client()}
	resp, out, err := s.Send(context.Background(), fastPolicy, &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte("{}")})
	require.NoError(t, err)
	resp.Body.Close()
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
			resp, out, err := (&Sender{HTTP: srv.Client()}).Send(ctx, tc.policy, &Request{Method: http.MethodGet, URL: srv.URL, Idempotent: true})
			require.NoError(t, err)
			resp.Body.Close()
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
	_, _, err := (&Sender{HTTP: srv.Client()}).Send(ctx, fastPolicy, &Request{Method: http.MethodGet, URL: srv.URL, Idempotent: true})
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
	resp, _, err := (&Sender{HTTP: srv.Client()}).Send(context.Background(), fastPolicy, &Request{Method: http.MethodGet, URL: srv.URL, Header: h})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "yes", (<-got).Get("X-Test"))
}

func TestReadBody(t *testing.T) {
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
		truncated, err := ReadBody(&buf, rc, tc.limit)
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
