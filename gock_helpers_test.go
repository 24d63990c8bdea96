package asset

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"
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
