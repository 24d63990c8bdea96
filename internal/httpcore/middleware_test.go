package httpcore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMiddlewareRunsOncePerTry: two 503s then a 200 on a read are three
// tries, each passing through the middleware once, with its attempt
// number, the route and the pause before it.
func TestMiddlewareRunsOncePerTry(t *testing.T) {
	srv, count := countingServer(t, func(w http.ResponseWriter, n int) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	var mu sync.Mutex
	var seen []TryInfo
	mw := func(req *http.Request, next Next) (*http.Response, error) {
		info, ok := TryOf(req.Context())
		assert.True(t, ok)
		mu.Lock()
		seen = append(seen, info)
		mu.Unlock()
		return next(req)
	}
	s := NewSender(srv.Client(), nil, nil)
	resp, out, err := s.Send(context.Background(), fastPolicy, &Request{
		Method: http.MethodGet, URL: srv.URL, Idempotent: true,
		Route: "/v0/business/{business_id}/invoice", Key: "biz_1", Middleware: []Middleware{mw},
	})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, 3, out.Attempts)
	assert.EqualValues(t, 3, count.Load())
	require.Len(t, seen, 3)
	for i, info := range seen {
		assert.Equal(t, i+1, info.Attempt)
		assert.Equal(t, "/v0/business/{business_id}/invoice", info.Route)
		assert.Equal(t, "biz_1", info.Key)
		assert.Equal(t, http.MethodGet, info.Method)
	}
	assert.Zero(t, seen[0].Backoff, "no pause before the first try")
	assert.Positive(t, seen[1].Backoff, "the backoff before a retry is reported")
}

// TestMiddlewareCannotSendTwice: whatever a middleware does, a try puts its
// request on the wire at most once. For a change, the second next fails
// without sending and the call's outcome is marked maybe applied.
func TestMiddlewareCannotSendTwice(t *testing.T) {
	for _, tc := range []struct {
		name       string
		method     string
		idempotent bool
	}{
		{"change", http.MethodPost, false},
		{"read", http.MethodGet, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, count := countingServer(t, func(w http.ResponseWriter, n int) { w.WriteHeader(http.StatusBadGateway) })
			var secondErr error
			twice := func(req *http.Request, next Next) (*http.Response, error) {
				resp, err := next(req)
				if err != nil {
					return nil, err
				}
				resp.Body.Close()
				_, secondErr = next(req)
				return nil, secondErr
			}
			s := NewSender(srv.Client(), nil, nil)
			p := fastPolicy
			p.MaxRetries = 0
			_, out, err := s.Send(context.Background(), p, &Request{
				Method: tc.method, URL: srv.URL, Body: []byte(`{"a":1}`), Idempotent: tc.idempotent,
				Middleware: []Middleware{twice},
			})
			require.Error(t, err)
			assert.ErrorIs(t, secondErr, ErrNextAgain)
			assert.EqualValues(t, 1, count.Load(), "the request reached the server once")
			assert.Equal(t, 1, out.Attempts)
			assert.True(t, out.MaybeApplied, "the first next did reach the server")
		})
	}
}

// TestMiddlewareChangeStaysUnreplayable: a middleware that gives a change a
// rewindable body and an idempotency key does not get it to the transport
// with either, and never sees the credentials.
func TestMiddlewareChangeStaysUnreplayable(t *testing.T) {
	var got *http.Request
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: http.StatusCreated, Body: io.NopCloser(strings.NewReader("{}")), Header: http.Header{}, Request: r}, nil
	})
	var sawAuth []string
	meddle := func(req *http.Request, next Next) (*http.Response, error) {
		sawAuth = append(sawAuth, req.Header.Get("Authorization"), req.Header.Get("Service-Api-Key"))
		req = req.Clone(req.Context())
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(`{"a":1}`)), nil }
		req.Header.Set("Idempotency-Key", "k")
		req.Header.Set("X-Idempotency-Key", "k")
		req.Header.Set("Authorization", "Bearer stolen")
		req.Header.Set("X-Traced", "yes")
		return next(req)
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer secret-token")
	h.Set("Service-Api-Key", "secret-key")
	s := NewSender(&http.Client{Transport: rt}, nil, nil)
	resp, _, err := s.Send(context.Background(), fastPolicy, &Request{
		Method: http.MethodPost, URL: "http://127.0.0.1/x", Header: h, Body: []byte(`{"a":1}`),
		Middleware: []Middleware{meddle}, Credentials: []string{"Authorization", "Service-Api-Key"},
	})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, []string{"", ""}, sawAuth, "the middleware sees no credential")
	require.NotNil(t, got)
	assert.Nil(t, got.GetBody, "a change's body cannot be rewound by net/http")
	assert.Empty(t, got.Header.Get("Idempotency-Key"))
	assert.Empty(t, got.Header.Get("X-Idempotency-Key"))
	assert.Equal(t, "Bearer secret-token", got.Header.Get("Authorization"), "the client's credential is the one sent")
	assert.Equal(t, "secret-key", got.Header.Get("Service-Api-Key"))
	assert.Equal(t, "yes", got.Header.Get("X-Traced"), "a middleware's own header goes through")
	assert.Equal(t, "Bearer secret-token", h.Get("Authorization"), "the request's own header is left as it was")
}

// TestMiddlewareOrder: the first middleware is the outermost.
func TestMiddlewareOrder(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, n int) { w.WriteHeader(http.StatusOK) })
	var order []string
	named := func(name string) Middleware {
		return func(req *http.Request, next Next) (*http.Response, error) {
			order = append(order, name+" in")
			resp, err := next(req)
			order = append(order, name+" out")
			return resp, err
		}
	}
	s := NewSender(srv.Client(), nil, nil)
	resp, _, err := s.Send(context.Background(), fastPolicy, &Request{
		Method: http.MethodGet, URL: srv.URL, Idempotent: true, Middleware: []Middleware{named("a"), named("b")},
	})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, []string{"a in", "b in", "b out", "a out"}, order)
}

// TestMiddlewareWithoutNextIsNotSent: a try no middleware passed on was not
// sent, so a change is tried again, as after a refused connection, and the
// call is not marked maybe applied.
func TestMiddlewareWithoutNextIsNotSent(t *testing.T) {
	srv, count := countingServer(t, func(w http.ResponseWriter, n int) { w.WriteHeader(http.StatusCreated) })
	var calls atomic.Int32
	flaky := func(req *http.Request, next Next) (*http.Response, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("middleware gave up")
		}
		return next(req)
	}
	s := NewSender(srv.Client(), nil, nil)
	resp, out, err := s.Send(context.Background(), fastPolicy, &Request{
		Method: http.MethodPost, URL: srv.URL, Body: []byte(`{}`), Middleware: []Middleware{flaky},
	})
	require.NoError(t, err)
	resp.Release()
	assert.Equal(t, 2, out.Attempts)
	assert.False(t, out.MaybeApplied)
	assert.EqualValues(t, 1, count.Load())
}

// TestMiddlewareKeepsPerTryTimeout: a middleware that sends on a context
// of its own still has the try bounded by the per-try timeout, and the
// call says so.
func TestMiddlewareKeepsPerTryTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	for name, detach := range map[string]func(context.Context) context.Context{
		"another context": func(context.Context) context.Context { return context.Background() },
		"without cancel":  context.WithoutCancel,
	} {
		t.Run(name, func(t *testing.T) {
			mw := func(req *http.Request, next Next) (*http.Response, error) {
				return next(req.WithContext(detach(req.Context())))
			}
			s := NewSender(srv.Client(), nil, nil)
			p := fastPolicy
			p.MaxRetries = 0
			p.AttemptTimeout = 50 * time.Millisecond
			_, out, err := s.Send(context.Background(), p, &Request{
				Method: http.MethodPost, URL: srv.URL, Body: []byte(`{}`), Middleware: []Middleware{mw},
			})
			var tte *TryTimeoutError
			require.ErrorAs(t, err, &tte, "the per-try timeout ended the try")
			assert.True(t, out.MaybeApplied, "the trace still saw the request written")
		})
	}
}
