// Package httpcore is the HTTP machinery shared by the asset and katsupay
// clients: the Sender, its retry policy and backoff, the rate-limit pacer,
// body limits, header and base URL checks, the user agent and logging.
//
// Every call goes through one loop, Sender.Send in send.go, readable top
// to bottom: the limiter's slot, one try (traced, bounded by the per-try
// timeout, its body read), the policy's decision, the pause. The Sender's
// go-retryablehttp client makes each try and rewinds its body; it calls
// back into nothing of this package.
package httpcore

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Policy decides whether and when a failed attempt is tried again.
type Policy struct {
	// MaxRetries is how many times a request is retried after the first try.
	MaxRetries int
	// WaitMin and WaitMax bound the exponential backoff between tries:
	// every wait is within them (see backoff).
	WaitMin, WaitMax time.Duration
	// RetryAfterMax is the longest server-requested wait (Retry-After or
	// x-ratelimit-reset) that is honoured. A longer one ends the retries and
	// hands the response back to the caller, who can decide.
	RetryAfterMax time.Duration
	// RetryNonIdempotent allows requests that may change state to be retried
	// after failures that may have reached the server.
	RetryNonIdempotent bool
	// AttemptTimeout bounds each try, from sending to the end of the body,
	// so that a server that stops answering cannot hang a call whose
	// context has no deadline. Zero leaves only the HTTP client's Timeout.
	AttemptTimeout time.Duration
}

// DefaultPolicy is the policy both clients start from.
var DefaultPolicy = Policy{
	MaxRetries:     3,
	WaitMin:        250 * time.Millisecond,
	WaitMax:        8 * time.Second,
	RetryAfterMax:  time.Minute,
	AttemptTimeout: time.Minute,
}

// retryable reports whether an attempt that ended with resp or err may be
// tried again. idempotent says whether repeating the request is harmless,
// sent whether a failed attempt may have reached the server.
func (p Policy) retryable(idempotent bool, resp *http.Response, err error, sent bool) bool {
	safe := idempotent || p.RetryNonIdempotent
	if err != nil {
		if permanent(err) {
			return false
		}
		return safe || !sent
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		// A rate-limited request was refused before any work was done.
		return true
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return safe
	}
	return false
}

// wait is how long to sleep before retry number n (0 for the first retry).
// It returns false when the server asked for a wait longer than RetryAfterMax.
func (p Policy) wait(n int, resp *http.Response, now time.Time) (time.Duration, bool) {
	// x-ratelimit-reset comes with every answer, so only a 429 makes it a
	// request to wait; a 503 must say Retry-After.
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "") {
		if d, ok := ServerWait(resp.Header, now); ok {
			return d, d <= p.RetryAfterMax
		}
	}
	return p.backoff(n), true
}

// backoff is exponential with jitter, within [WaitMin, WaitMax]: retry n
// waits between hi/2 and hi, hi being WaitMin doubled n+1 times (at most
// WaitMax), and never less than WaitMin. The fixed half makes waits grow,
// the random half spreads a fleet of clients out; the bounds are the ones
// WithRetryWait promises.
func (p Policy) backoff(n int) time.Duration {
	hi := p.WaitMin
	for i := 0; i <= n && hi < p.WaitMax; i++ {
		if hi > p.WaitMax/2 {
			hi = p.WaitMax // doubling would pass it, or overflow
			break
		}
		hi *= 2
	}
	hi = min(hi, p.WaitMax)
	lo := max(hi/2, p.WaitMin)
	if hi <= lo {
		return max(lo, 0)
	}
	return lo + rand.N(hi-lo+1)
}

// ServerWait reads how long the server asked the client to wait: Retry-After
// in seconds or as an HTTP date, else x-ratelimit-reset as unix seconds.
func ServerWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			return clampSeconds(secs), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return nonNegative(t.Sub(now)), true
		}
	}
	if v := h.Get("X-Ratelimit-Reset"); v != "" {
		if unix, err := strconv.ParseInt(v, 10, 64); err == nil && unix > 0 {
			// Subtracting seconds first keeps an absurd reset from
			// overflowing time.Unix into a time in the past.
			return nonNegative(clampSeconds(unix-now.Unix()) - time.Duration(now.Nanosecond())), true
		}
	}
	return 0, false
}

// clampSeconds turns seconds into a Duration without overflowing on absurd values.
func clampSeconds(secs int64) time.Duration {
	const maxSecs = int64(1<<63-1) / int64(time.Second)
	if secs > maxSecs {
		secs = maxSecs
	}
	return time.Duration(secs) * time.Second
}

func nonNegative(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// MaybeSent reports whether a transport error may have happened after the
// request reached the server, judging by the error alone: it is the
// fallback for transports that report nothing through net/http/httptrace.
// Only errors that can come from connecting alone (DNS, dial, a certificate
// that does not verify) prove that nothing was sent. A TLS record or alert
// error does not: it also comes from a middlebox answering in plain text
// after the request went through.
func MaybeSent(err error) bool {
	if permanent(err) {
		return false // the handshake failed before any request byte
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return false
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return false
	}
	return true
}

// permanent reports transport errors that another try cannot fix: a
// certificate that does not verify will not verify on the next try either.
func permanent(err error) bool {
	var verifyErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	return errors.As(err, &verifyErr) || errors.As(err, &unknownAuthority) ||
		errors.As(err, &hostnameErr) || errors.As(err, &invalidErr)
}
