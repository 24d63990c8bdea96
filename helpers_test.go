package asset

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Shared by the package's tests.

const (
	testBaseURL = "https://api.sandbox.getasset.com"
	testToken   = "tok_secret_abc123"
	testBiz     = "biz_Pk2fNFDd8wj7EFeLWJywc7"
	testInv     = "inv_WQMDNUHpBThYSNh4AprDBo"
)

// testServer is one test's own loopback API: handlers are registered on
// its mux with Go's method-and-path patterns, and every request it gets,
// answered or not, is recorded. Nothing is shared between tests, so the
// tests using it run in parallel.
type testServer struct {
	t   *testing.T
	URL string
	mux *http.ServeMux

	mu   sync.Mutex
	log  []sentRequest
	hits map[string]int // by pattern
}

// setup starts a testServer for t and returns a client of it with fast
// retries; opts come after the defaults, so they can replace them. A
// request that no handler matches fails the test and is answered 501.
func setup(t *testing.T, opts ...Option) (*Client, *testServer) {
	t.Helper()
	srv := &testServer{t: t, mux: http.NewServeMux(), hits: map[string]int{}}
	srv.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("no handler for %s %s", r.Method, r.URL)
		w.WriteHeader(http.StatusNotImplemented)
	})
	hs := httptest.NewServer(http.HandlerFunc(srv.serve))
	t.Cleanup(hs.Close)
	srv.URL = hs.URL
	base := []Option{
		WithToken(testToken),
		WithBaseURL(hs.URL),
		WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c, srv
}

// serve records the request, body included, and hands it to the mux.
func (s *testServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	_, pattern := s.mux.Handler(r)
	s.mu.Lock()
	s.log = append(s.log, sentRequest{
		Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body,
	})
	s.hits[pattern]++
	s.mu.Unlock()
	s.mux.ServeHTTP(w, r)
}

// handle registers h for pattern ("GET /v0/business/{business_id}/invoice").
func (s *testServer) handle(pattern string, h http.HandlerFunc) { s.mux.HandleFunc(pattern, h) }

// sent is every request the server got so far, in order.
func (s *testServer) sent() []sentRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sentRequest(nil), s.log...)
}

// requests is how many requests the server got, matched or not.
func (s *testServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.log)
}

// hitsOf is how many requests pattern's handler was given.
func (s *testServer) hitsOf(pattern string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[pattern]
}

// reply answers every request with status and body, as JSON.
func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// replyValue answers every request with status and v encoded as JSON.
func replyValue(t *testing.T, status int, v any) http.HandlerFunc {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return reply(status, string(b))
}

// replyFile answers every request with status and a file under testdata/.
func replyFile(t testing.TB, status int, name string) http.HandlerFunc {
	return reply(status, string(testdataFile(t, name)))
}

// replies answers the requests in turn, one handler each; a request past
// the last fails the test.
func replies(t *testing.T, hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		if i >= len(hs) {
			t.Errorf("request %d to %s %s: only %d were expected", i+1, r.Method, r.URL.Path, len(hs))
			w.WriteHeader(http.StatusNotImplemented)
			return
		}
		hs[i](w, r)
	}
}

// sentRequest is a request as a mock saw it, body included.
type sentRequest struct {
	Method string
	Path   string
	Query  string // raw, as encoded by the client
	Header http.Header
	Body   []byte
}

// testdataFile reads a file under testdata/.
func testdataFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// requireSameJSON asserts that got is the JSON in want, and also that every
// number is written the same way: JSONEq alone compares numbers as float64,
// which would let 10.5 pass for 10.50 and hide a lost digit past 2^53.
func requireSameJSON(t *testing.T, want, got []byte) {
	t.Helper()
	require.JSONEq(t, string(want), string(got))
	exact := func(b []byte) any {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		require.NoError(t, dec.Decode(&v))
		return v
	}
	require.Equal(t, exact(want), exact(got), "same JSON, but numbers are written differently")
}
