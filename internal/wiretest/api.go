package wiretest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// API is one test's own loopback API server: handlers are registered with
// Go's method-and-path patterns, and every request it gets, answered or
// not, is recorded. A request no handler matches fails the test and is
// answered 501. Nothing is shared between tests, so tests using one each
// run in parallel.
type API struct {
	URL string
	mux *http.ServeMux

	mu   sync.Mutex
	log  []Request
	hits map[string]int // by pattern
}

// Request is a request as an API got it, body included.
type Request struct {
	Method string
	Path   string // escaped
	Query  string // raw, as the client encoded it
	Header http.Header
	Body   []byte
}

// StartAPI starts an API for t, closed when t ends.
func StartAPI(t testing.TB) *API {
	t.Helper()
	a := &API{mux: http.NewServeMux(), hits: map[string]int{}}
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("no handler for %s %s", r.Method, r.URL)
		w.WriteHeader(http.StatusNotImplemented)
	})
	srv := httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// serve records the request, body included, and hands it to the mux.
func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	_, pattern := a.mux.Handler(r)
	a.mu.Lock()
	a.log = append(a.log, Request{
		Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body,
	})
	a.hits[pattern]++
	a.mu.Unlock()
	a.mux.ServeHTTP(w, r)
}

// Handle registers h for pattern ("GET /v0/business/{business_id}/invoice").
func (a *API) Handle(pattern string, h http.HandlerFunc) { a.mux.HandleFunc(pattern, h) }

// Sent is every request the server got so far, in order.
func (a *API) Sent() []Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Request(nil), a.log...)
}

// Requests is how many requests the server got, matched or not.
func (a *API) Requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.log)
}

// Hits is how many requests pattern's handler was given.
func (a *API) Hits(pattern string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hits[pattern]
}

// Values is the request's query, parsed; a query that does not parse
// fails the test.
func (r Request) Values(t testing.TB) url.Values {
	t.Helper()
	q, err := url.ParseQuery(r.Query)
	if err != nil {
		t.Fatalf("query %q: %v", r.Query, err)
	}
	return q
}
