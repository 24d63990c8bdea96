package httpcore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/internal/wiretest"
)

// sdkTransport is the SDK's default transport, trusting roots, with HTTP/2
// negotiated as it is against the real API.
func sdkTransport(t *testing.T, roots *x509.CertPool) *http.Transport {
	t.Helper()
	tr := NewHTTPClient().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	tr.ForceAttemptHTTP2 = true
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// sendChange sends one change through the SDK's default transport.
func sendChange(t *testing.T, tr http.RoundTripper, r *Request) (Outcome, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, out, err := NewSender(&http.Client{Transport: tr}, nil, nil).Send(ctx, fastPolicy, r)
	if resp != nil {
		resp.Release()
	}
	return out, err
}

// A change the server read and applied, and whose answer was lost, reaches
// the server once: neither net/http (HTTP/1.1 or HTTP/2) nor the retry loop
// sends it again, and the outcome says it may have been applied.
func TestSendChangeNeverReplayedBelowTheSDK(t *testing.T) {
	changes := []struct {
		name   string
		method string
		body   []byte
	}{
		{"POST", http.MethodPost, []byte(`{"payment_amount": "10.00"}`)},
		{"PATCH", http.MethodPatch, []byte(`{"description": "fee"}`)},
		{"POST without a body", http.MethodPost, nil},
	}
	faults := []struct {
		name   string
		fault  wiretest.Fault
		header http.Header
	}{
		{"HTTP/2 stream reset with PROTOCOL_ERROR", wiretest.H2Reset, nil},
		{"HTTP/2 GOAWAY with last stream 0", wiretest.H2GoAway, nil},
		{"TLS answered in plain text", wiretest.TLSGarbage, nil},
		{"HTTP/1.1 kept-alive connection dropped, Idempotency-Key", wiretest.DropKeptAlive, http.Header{"Idempotency-Key": {"k1"}}},
		{"HTTP/1.1 kept-alive connection dropped, X-Idempotency-Key", wiretest.DropKeptAlive, http.Header{"X-Idempotency-Key": {"k1"}}},
	}
	for _, f := range faults {
		for _, c := range changes {
			t.Run(f.name+"/"+c.name, func(t *testing.T) {
				srv := wiretest.Start(t, f.fault, []byte(`{"data": {}}`))
				tr := sdkTransport(t, srv.Roots)
				if f.fault == wiretest.DropKeptAlive {
					// A first change leaves a kept-alive connection that the
					// next one is sent on.
					_, err := sendChange(t, tr, &Request{Method: c.method, URL: srv.URL + "/first", Body: c.body})
					require.NoError(t, err)
				}
				before := srv.Applied()
				out, err := sendChange(t, tr, &Request{Method: c.method, URL: srv.URL + "/pay", Header: f.header, Body: c.body})
				require.Error(t, err)
				assert.Equal(t, 1, srv.Applied()-before, "times the server applied the change")
				assert.Equal(t, 1, out.Attempts, "attempts")
				assert.True(t, out.MaybeApplied, "MaybeApplied: %v", err)
			})
		}
	}
}

// Reads are safe to send again: the same faults are retried, by net/http
// or by the retry loop, and the call succeeds.
func TestSendReadRecoversFromTransportFaults(t *testing.T) {
	for _, fault := range []wiretest.Fault{wiretest.H2Reset, wiretest.H2GoAway, wiretest.TLSGarbage} {
		srv := wiretest.Start(t, fault, []byte(`{"data": {}}`))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp, _, err := NewSender(&http.Client{Transport: sdkTransport(t, srv.Roots)}, nil, nil).Send(ctx, fastPolicy,
			&Request{Method: http.MethodGet, URL: srv.URL + "/invoice", Idempotent: true})
		cancel()
		require.NoError(t, err, "fault %d", fault)
		resp.Release()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, 2, srv.Requests(), "fault %d: requests", fault)
	}
}

// A proxy that is down sends nothing on: a change is retried like a refused
// connection and reported as surely not applied.
func TestSendDeadProxyIsNothingSent(t *testing.T) {
	tr := sdkTransport(t, nil)
	proxy, err := url.Parse(wiretest.DeadProxy(t))
	require.NoError(t, err)
	tr.Proxy = http.ProxyURL(proxy)
	out, err := sendChange(t, tr, &Request{Method: http.MethodPost, URL: "https://api.example.invalid/pay", Body: []byte(`{}`)})
	require.Error(t, err)
	assert.Equal(t, fastPolicy.MaxRetries+1, out.Attempts, "attempts: %v", err)
	assert.False(t, out.MaybeApplied, "MaybeApplied: %v", err)
}

// roundTripFunc is a transport that emits no trace events, as gock's or a
// user's own.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A transport that says nothing of what it did is assumed to have sent the
// request, unless its error proves otherwise.
func TestSendUntracedTransportIsConservative(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		attempts int
		maybe    bool
	}{
		{"TLS record error", tls.RecordHeaderError{Msg: "not TLS"}, 1, true},
		{"unknown error", errors.New("boom"), 1, true},
		{"dial refused", dialError(), fastPolicy.MaxRetries + 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, tc.err })
			out, err := sendChange(t, tr, &Request{Method: http.MethodPost, URL: "https://api.example/pay", Body: []byte(`{}`)})
			require.Error(t, err)
			assert.Equal(t, tc.attempts, out.Attempts)
			assert.Equal(t, tc.maybe, out.MaybeApplied)
		})
	}
}

// A change leaves the SDK with no way for net/http to rewind it, and with a
// body even when empty: net/http and HTTP/2 resend a request whose body is
// nil or can be fetched again.
func TestSendChangeCannotBeRewound(t *testing.T) {
	for _, body := range [][]byte{nil, {}, []byte(`{}`)} {
		var seen *http.Request
		tr := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			seen = r
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
		})
		_, err := sendChange(t, tr, &Request{Method: http.MethodPost, URL: "https://api.example/pay", Body: body})
		require.NoError(t, err)
		require.NotNil(t, seen)
		assert.Nil(t, seen.GetBody, "GetBody of %q", body)
		assert.False(t, seen.Body == nil || seen.Body == http.NoBody, "Body of %q is nil or NoBody", body)
	}
}

// NewHTTPClient uses a default transport that was replaced (gock, tracing
// agents) as it is, instead of panicking on its type.
func TestNewHTTPClientWithReplacedDefaultTransport(t *testing.T) {
	orig := http.DefaultTransport
	t.Cleanup(func() { http.DefaultTransport = orig })
	var calls int
	http.DefaultTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
	})
	var hc *http.Client
	require.NotPanics(t, func() { hc = NewHTTPClient() })
	resp, _, err := NewSender(hc, nil, nil).Send(context.Background(), fastPolicy,
		&Request{Method: http.MethodGet, URL: "https://api.example/x", Idempotent: true})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, 204, resp.StatusCode)
	assert.Equal(t, 1, calls)
}

// hook is one event of a try's trace, as a transport reports it.
type hook func(*httptrace.ClientTrace)

var (
	getConn      hook = func(tr *httptrace.ClientTrace) { tr.GetConn("api.example:443") }
	gotConn      hook = func(tr *httptrace.ClientTrace) { tr.GotConn(httptrace.GotConnInfo{}) }
	gotIdleConn  hook = func(tr *httptrace.ClientTrace) { tr.GotConn(httptrace.GotConnInfo{Reused: true, WasIdle: true}) }
	wroteHeaders hook = func(tr *httptrace.ClientTrace) { tr.WroteHeaders() }
	wroteRequest hook = func(tr *httptrace.ClientTrace) { tr.WroteRequest(httptrace.WroteRequestInfo{}) }
	writeFailed  hook = func(tr *httptrace.ClientTrace) {
		tr.WroteRequest(httptrace.WroteRequestInfo{Err: errors.New("write: broken pipe")})
	}
)

// What the transport reported of the last try decides, in the order a
// transport reports it, and the error's type only when it reported
// nothing.
func TestSendTraceMaybeSent(t *testing.T) {
	timeout := &url.Error{Op: "Post", URL: "https://api.example/x", Err: context.DeadlineExceeded}
	refused := errors.New("Proxy Authentication Required")
	cases := []struct {
		name  string
		tries [][]hook // every try's events, the last one failing with err
		err   error
		want  bool
	}{
		// Go's transport writes a proxy's CONNECT outside the request's
		// trace: a refused CONNECT shows as a connection never got.
		{"proxy refused the CONNECT", [][]hook{{getConn}}, refused, false},
		{"proxy stalled the CONNECT past the try's timeout", [][]hook{{getConn}}, timeout, false},
		// A dialer that writes the CONNECT with the request's context
		// reports its headers before any connection is handed over.
		{"dialer's CONNECT written, then refused", [][]hook{{getConn, wroteHeaders, wroteRequest}}, refused, false},
		{"dialer's CONNECT written, then the try timed out", [][]hook{{getConn, wroteHeaders}}, timeout, false},
		{"dialer's CONNECT written, request not written", [][]hook{{getConn, wroteHeaders, wroteRequest, gotConn}}, errors.New("broken"), false},
		{"dialer's CONNECT written, then the request", [][]hook{{getConn, wroteHeaders, wroteRequest, gotConn, wroteHeaders, wroteRequest}}, errors.New("EOF"), true},
		{"request written, answer lost", [][]hook{{getConn, gotConn, wroteHeaders, wroteRequest}}, errors.New("EOF"), true},
		{"request written, answered in plain text", [][]hook{{getConn, gotConn, wroteHeaders, wroteRequest}}, tls.RecordHeaderError{}, true},
		{"headers buffered, flushing them failed", [][]hook{{getConn, gotIdleConn, wroteHeaders, writeFailed}}, errors.New("broken pipe"), true},
		{"headers written, body not", [][]hook{{getConn, gotConn, wroteHeaders}}, errors.New("broken pipe"), true},
		{"connected, nothing written", [][]hook{{getConn, gotConn}}, errors.New("broken"), false},
		{"connected, abandoned before writing was reported", [][]hook{{getConn, gotConn}}, timeout, true},
		{"connected, cancelled", [][]hook{{getConn, gotConn}}, context.Canceled, true},
		{"a try that wrote, then one refused by the proxy", [][]hook{{getConn, gotConn, wroteHeaders, wroteRequest}, {getConn}}, refused, false},
		{"nothing reported, dial error", [][]hook{{}}, dialError(), false},
		{"nothing reported, TLS record error", [][]hook{{}}, tls.RecordHeaderError{}, true},
		{"nothing reported after a traced try, dial error", [][]hook{{getConn, gotConn, wroteHeaders}, {}}, dialError(), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &sendTrace{}
			for _, try := range tc.tries {
				trace := w.start()
				for _, h := range try {
					h(trace)
				}
			}
			assert.Equal(t, tc.want, w.maybeSent(tc.err))
		})
	}
}

// seenRequest is what a loopback server saw of a request's framing.
type seenRequest struct {
	proto            int
	contentLength    string // the Content-Length header, "" when absent
	transferEncoding []string
	body             string
}

// A change without a body says Content-Length: 0 over HTTP/1.1, since
// proxies and load balancers answer 411 to a POST without a length, and
// still gives net/http no body it could send again (see
// TestSendChangeNeverReplayedBelowTheSDK). HTTP/2 frames the empty body
// itself, with no chunked encoding to refuse.
func TestSendEmptyChangeFraming(t *testing.T) {
	tests := []struct {
		name  string
		http2 bool
		want  seenRequest
	}{
		{"HTTP/1.1", false, seenRequest{proto: 1, contentLength: "0"}},
		{"HTTP/2", true, seenRequest{proto: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := make(chan seenRequest, 10)
			var n atomic.Int32
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				seen <- seenRequest{r.ProtoMajor, r.Header.Get("Content-Length"), r.TransferEncoding, string(b)}
				if n.Add(1)%2 == 1 {
					// Refused unprocessed: the retry goes out framed alike.
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				_, _ = io.WriteString(w, `{"data": {}}`)
			}))
			srv.EnableHTTP2 = tt.http2
			srv.StartTLS()
			t.Cleanup(srv.Close)
			roots := x509.NewCertPool()
			roots.AddCert(srv.Certificate())
			tr := sdkTransport(t, roots)
			if !tt.http2 {
				tr.ForceAttemptHTTP2 = false
				tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
			}
			for _, method := range []string{http.MethodPost, http.MethodPatch} {
				_, err := sendChange(t, tr, &Request{Method: method, URL: srv.URL + "/void"})
				require.NoError(t, err)
				require.Len(t, seen, 2, "requests the server saw: a 429, then the retry")
				assert.Equal(t, tt.want, <-seen, method)
				assert.Equal(t, tt.want, <-seen, method+", retried")
			}
		})
	}
}
