package asset

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"
)

// Shared by the package's tests.

const (
	testBaseURL = "https://api.sandbox.getasset.com"
	testToken   = "tok_secret_abc123"
	testBiz     = "biz_Pk2fNFDd8wj7EFeLWJywc7"
	testInv     = "inv_WQMDNUHpBThYSNh4AprDBo"
)

// newGockClient returns a client whose inner *http.Client is intercepted by
// gock, with fast retries. Every mock registered must be used by the end of
// the test, and nothing unmocked may reach the network.
func newGockClient(t *testing.T, opts ...Option) *Client {
	t.Helper()
	hc := &http.Client{}
	gock.InterceptClient(hc)
	t.Cleanup(func() {
		pending := gock.Pending()
		gock.Off()
		gock.RestoreClient(hc)
		if !t.Failed() && len(pending) > 0 {
			t.Errorf("%d gock mocks were not used, the first %s %s", len(pending),
				pending[0].Request().Method, pending[0].Request().URLStruct)
		}
	})
	base := []Option{
		WithToken(testToken),
		WithBaseURL(testBaseURL),
		WithHTTPClient(hc),
		WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// countRequests counts the requests that reach gock, matched or not, so a
// test can assert that bad input sent nothing.
func countRequests(t *testing.T) *atomic.Int32 {
	t.Helper()
	var n atomic.Int32
	gock.Observe(func(*http.Request, gock.Mock) { n.Add(1) })
	t.Cleanup(func() { gock.Observe(nil) })
	return &n
}

// sentRequest is a request as a mock saw it, body included.
type sentRequest struct {
	Method string
	Path   string
	Query  string // raw, as encoded by the client
	Header http.Header
	Body   []byte
}

// capture returns a gock matcher that records each request reaching it and
// matches everything. gock runs it after the mock's own matchers, so it only
// records requests that the mock answers.
func capture(dst *[]sentRequest) gock.MatchFunc {
	return func(req *http.Request, _ *gock.Request) (bool, error) {
		var body []byte
		if req.Body != nil {
			var err error
			if body, err = io.ReadAll(req.Body); err != nil {
				return false, err
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		*dst = append(*dst, sentRequest{
			Method: req.Method,
			Path:   req.URL.EscapedPath(),
			Query:  req.URL.RawQuery,
			Header: req.Header.Clone(),
			Body:   body,
		})
		return true, nil
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
