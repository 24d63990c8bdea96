package httpcore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func statusResponse(code int) *http.Response {
	return &http.Response{StatusCode: code, Header: http.Header{}}
}

// dialError is what net/http returns when nothing answers on the port.
func dialError() error {
	return &url.Error{Op: "Post", URL: "https://api.example/x", Err: &net.OpError{
		Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused"),
	}}
}

func TestPolicyRetryableStatuses(t *testing.T) {
	cases := []struct {
		status     int
		idempotent bool // retried when the request is idempotent
		unsafe     bool // retried when it is not
	}{
		{http.StatusRequestTimeout, true, false},
		{http.StatusTooManyRequests, true, true},
		{http.StatusInternalServerError, true, false},
		{http.StatusBadGateway, true, false},
		{http.StatusServiceUnavailable, true, false},
		{http.StatusGatewayTimeout, true, false},
		{http.StatusOK, false, false},
		{http.StatusCreated, false, false},
		{http.StatusFound, false, false},
		{http.StatusBadRequest, false, false},
		{http.StatusUnauthorized, false, false},
		{http.StatusForbidden, false, false},
		{http.StatusNotFound, false, false},
		{http.StatusConflict, false, false},
		{http.StatusUnprocessableEntity, false, false},
		{http.StatusNotImplemented, false, false},
		{http.StatusHTTPVersionNotSupported, false, false},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			p := DefaultPolicy
			assert.Equal(t, tc.idempotent, p.retryable(true, statusResponse(tc.status), nil, false), "idempotent")
			assert.Equal(t, tc.unsafe, p.retryable(false, statusResponse(tc.status), nil, false), "not idempotent")
			p.RetryNonIdempotent = true
			assert.Equal(t, tc.idempotent, p.retryable(false, statusResponse(tc.status), nil, false),
				"with RetryNonIdempotent a non-idempotent request follows the idempotent rules")
		})
	}
}

func TestPolicyRetryableErrors(t *testing.T) {
	certErr := &url.Error{Op: "Get", URL: "https://api.example/x", Err: &tls.CertificateVerificationError{
		Err: x509.UnknownAuthorityError{},
	}}
	cases := []struct {
		name       string
		err        error
		idempotent bool
		unsafe     bool
	}{
		{"dial refused", dialError(), true, true},
		{"dns", &url.Error{Op: "Get", URL: "https://nx.example", Err: &net.DNSError{Err: "no such host", Name: "nx.example"}}, true, true},
		{"eof after sending", &url.Error{Op: "Post", URL: "https://api.example/x", Err: io.EOF}, true, false},
		{"reset while reading", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, true, false},
		{"unknown cause", errors.New("something broke"), true, false},
		{"certificate", certErr, false, false},
		{"hostname", x509.HostnameError{Host: "api.example", Certificate: &x509.Certificate{}}, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultPolicy
			assert.Equal(t, tc.idempotent, p.retryable(true, nil, tc.err, MaybeSent(tc.err)), "idempotent")
			assert.Equal(t, tc.unsafe, p.retryable(false, nil, tc.err, MaybeSent(tc.err)), "not idempotent")
			p.RetryNonIdempotent = true
			assert.Equal(t, tc.idempotent, p.retryable(false, nil, tc.err, MaybeSent(tc.err)), "with RetryNonIdempotent")
		})
	}
}

// The documented range: every wait is between WaitMin and WaitMax (the
// defaults, 250ms and 8s, are what the docs quote), the first no longer
// than twice WaitMin, each later one drawn from twice the range before.
func TestBackoffWithinDocumentedRange(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
	}{
		{"default", DefaultPolicy},
		{"10ms to 80ms", Policy{WaitMin: 10 * time.Millisecond, WaitMax: 80 * time.Millisecond}},
		{"max not a power of two of min", Policy{WaitMin: 30 * time.Millisecond, WaitMax: 100 * time.Millisecond}},
		{"min equals max", Policy{WaitMin: 50 * time.Millisecond, WaitMax: 50 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			for n := 0; n <= 8; n++ {
				hi := min(p.WaitMin<<(n+1), p.WaitMax)
				lo := max(hi/2, p.WaitMin)
				for range 200 {
					d := p.backoff(n)
					require.GreaterOrEqual(t, d, p.WaitMin, "retry %d is shorter than the minimum", n)
					require.LessOrEqual(t, d, p.WaitMax, "retry %d is longer than the maximum", n)
					require.GreaterOrEqual(t, d, lo, "retry %d", n)
					require.LessOrEqual(t, d, hi, "retry %d", n)
				}
			}
		})
	}
	assert.Equal(t, 250*time.Millisecond, DefaultPolicy.WaitMin, "the documented default minimum")
	assert.Equal(t, 8*time.Second, DefaultPolicy.WaitMax, "the documented default maximum")
	// Retry 0 draws from [10ms, 20ms] and retry 2 from [40ms, 80ms]: any
	// two draws show the growth.
	p := Policy{WaitMin: 10 * time.Millisecond, WaitMax: 80 * time.Millisecond}
	assert.Greater(t, p.backoff(2), p.backoff(0))
}

func TestBackoffZeroWait(t *testing.T) {
	p := Policy{}
	for n := range 5 {
		assert.Zero(t, p.backoff(n))
	}
}

func TestBackoffDoesNotOverflow(t *testing.T) {
	// A caller may pass a huge maximum to mean "no cap"; doubling must not
	// wrap around to a negative or zero wait.
	cases := []Policy{
		{WaitMin: time.Nanosecond, WaitMax: math.MaxInt64},
		{WaitMin: time.Hour, WaitMax: math.MaxInt64},
		{WaitMin: time.Second, WaitMax: math.MaxInt64 - 1},
	}
	for _, p := range cases {
		t.Run(fmt.Sprint(p.WaitMin), func(t *testing.T) {
			prev := time.Duration(0)
			for n := 0; n <= 100; n++ {
				d := p.backoff(n)
				require.GreaterOrEqual(t, d, p.WaitMin, "retry %d", n)
				require.LessOrEqual(t, d, p.WaitMax, "retry %d", n)
				// Each wait is drawn from a range at least half as high as
				// the one before.
				require.GreaterOrEqual(t, d, prev/4, "retry %d shrank", n)
				prev = d
			}
		})
	}
}

func TestPolicyWait(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := Policy{WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond, RetryAfterMax: time.Minute}

	withHeader := func(code int, k, v string) *http.Response {
		r := statusResponse(code)
		r.Header.Set(k, v)
		return r
	}

	d, ok := p.wait(0, withHeader(429, "Retry-After", "30"), now)
	assert.True(t, ok)
	assert.Equal(t, 30*time.Second, d, "Retry-After is honoured in full, past WaitMax")

	d, ok = p.wait(0, withHeader(503, "Retry-After", "7"), now)
	assert.True(t, ok)
	assert.Equal(t, 7*time.Second, d)

	_, ok = p.wait(0, withHeader(429, "Retry-After", "61"), now)
	assert.False(t, ok, "a wait past RetryAfterMax ends the retries")

	d, ok = p.wait(0, withHeader(429, "Retry-After", "60"), now)
	assert.True(t, ok, "RetryAfterMax itself is allowed")
	assert.Equal(t, time.Minute, d)

	d, ok = p.wait(0, withHeader(500, "Retry-After", "30"), now)
	assert.True(t, ok)
	assert.LessOrEqual(t, d, p.WaitMax, "Retry-After only counts on 429 and 503")

	reset := strconv.FormatInt(now.Add(45*time.Second).Unix(), 10)
	d, ok = p.wait(0, withHeader(429, "X-Ratelimit-Reset", reset), now)
	assert.True(t, ok)
	assert.Equal(t, 45*time.Second, d, "a 429 without Retry-After waits for the window to reset")

	d, ok = p.wait(0, withHeader(503, "X-Ratelimit-Reset", reset), now)
	assert.True(t, ok)
	assert.LessOrEqual(t, d, p.WaitMax, "every answer carries x-ratelimit-reset; on a 503 it is no request to wait")

	d, ok = p.wait(3, statusResponse(429), now)
	assert.True(t, ok)
	assert.LessOrEqual(t, d, p.WaitMax, "a 429 without a wait falls back to the backoff")

	d, ok = p.wait(0, nil, now)
	assert.True(t, ok)
	assert.LessOrEqual(t, d, p.WaitMax)
}

func TestServerWait(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	type hdr map[string]string
	cases := []struct {
		name   string
		header hdr
		want   time.Duration
		ok     bool
	}{
		{"none", hdr{}, 0, false},
		{"seconds", hdr{"Retry-After": "5"}, 5 * time.Second, true},
		{"zero", hdr{"Retry-After": "0"}, 0, true},
		{"http date", hdr{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{"rfc 850 date", hdr{"Retry-After": now.Add(time.Minute).Format(time.RFC850)}, time.Minute, true},
		{"ansi c date", hdr{"Retry-After": now.Add(2 * time.Second).Format(time.ANSIC)}, 2 * time.Second, true},
		{"past date", hdr{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"negative seconds", hdr{"Retry-After": "-3"}, 0, false},
		{"garbage", hdr{"Retry-After": "soon"}, 0, false},
		{"fraction", hdr{"Retry-After": "1.5"}, 0, false},
		{"ratelimit reset", hdr{"X-Ratelimit-Reset": strconv.FormatInt(now.Add(42*time.Second).Unix(), 10)}, 42 * time.Second, true},
		{"ratelimit reset past", hdr{"X-Ratelimit-Reset": strconv.FormatInt(now.Add(-42*time.Second).Unix(), 10)}, 0, true},
		{"ratelimit reset zero", hdr{"X-Ratelimit-Reset": "0"}, 0, false},
		{"ratelimit reset garbage", hdr{"X-Ratelimit-Reset": "tomorrow"}, 0, false},
		{"retry-after wins", hdr{"Retry-After": "3", "X-Ratelimit-Reset": strconv.FormatInt(now.Add(time.Hour).Unix(), 10)}, 3 * time.Second, true},
		{"bad retry-after falls back", hdr{"Retry-After": "soon", "X-Ratelimit-Reset": strconv.FormatInt(now.Add(10*time.Second).Unix(), 10)}, 10 * time.Second, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			got, ok := ServerWait(h, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestServerWaitAbsurdValuesDoNotOverflow(t *testing.T) {
	now := time.Now()
	for _, h := range []http.Header{
		{"Retry-After": {strconv.FormatInt(math.MaxInt64, 10)}},
		{"Retry-After": {"9300000000"}}, // seconds * 1e9 overflows int64
		{"X-Ratelimit-Reset": {strconv.FormatInt(math.MaxInt64, 10)}},
		{"Retry-After": {"Fri, 31 Dec 9999 23:59:59 GMT"}},
	} {
		d, ok := ServerWait(h, now)
		assert.True(t, ok, "%v", h)
		assert.Greater(t, d, 100*365*24*time.Hour, "%v must read as a very long wait, not wrap around", h)
	}
}

func TestMaybeSent(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"dial", dialError(), false},
		{"bare dial", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused")}, false},
		{"dns", &net.DNSError{Err: "no such host", Name: "nx.example", IsNotFound: true}, false},
		{"wrapped dns", fmt.Errorf("lookup: %w", &net.DNSError{Err: "timeout", Name: "api.example"}), false},
		{"read", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("reset")}, true},
		{"write", &net.OpError{Op: "write", Net: "tcp", Err: errors.New("broken pipe")}, true},
		{"eof", &url.Error{Op: "Post", URL: "https://api.example/x", Err: io.EOF}, true},
		{"unexpected eof", io.ErrUnexpectedEOF, true},
		{"canceled", context.Canceled, true},
		{"deadline", context.DeadlineExceeded, true},
		{"other", errors.New("boom"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, MaybeSent(tc.err))
		})
	}
}
