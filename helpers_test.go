package asset

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/assetkit/asset-go/internal/wiretest"
	"github.com/stretchr/testify/require"
)

// Shared by the package's tests.

const (
	testBaseURL = "https://api.sandbox.getasset.com"
	testToken   = "tok_secret_abc123"
	testBiz     = "biz_Pk2fNFDd8wj7EFeLWJywc7"
	testInv     = "inv_WQMDNUHpBThYSNh4AprDBo"
)

// testServer is one test's own loopback API (see wiretest.API).
type testServer = wiretest.API

// setup starts a testServer for t and returns a client of it with fast
// retries; opts come after the defaults, so they can replace them.
func setup(t *testing.T, opts ...Option) (*Client, *testServer) {
	t.Helper()
	srv := wiretest.StartAPI(t)
	base := []Option{
		WithToken(testToken),
		WithBaseURL(srv.URL),
		WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c, srv
}

// reply answers every request with status and body, as JSON.
func reply(status int, body string) http.HandlerFunc { return replyHeaders(status, nil, body) }

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

// Paths of the invoice calls, as sent for testBiz and testInv.
const (
	pathInvoices = "/v0/business/" + testBiz + "/invoice"
	pathInvoice  = pathInvoices + "/" + testInv
	pathWriteOff = pathInvoice + "/write-off"
	pathPayments = "/v0/business/" + testBiz + "/invoice-payment"
)

// replyHeaders answers every request with status, header and body. The
// Content-Type is JSON unless header sets another.
func replyHeaders(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// byPageToken answers a list request with the handler for its page_token,
// "" for none; a token without a handler fails the test.
func byPageToken(t *testing.T, pages map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h, ok := pages[r.URL.Query().Get("page_token")]
		if !ok {
			t.Errorf("no page for %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusNotImplemented)
			return
		}
		h(w, r)
	}
}
