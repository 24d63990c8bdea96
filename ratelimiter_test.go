package asset_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
)

// windowServer answers every call with an empty invoice list; the token
// endpoint issues a token. header decides the x-ratelimit-* headers of
// answer number n (from 1), path being the request's.
func windowServer(t *testing.T, header func(n int32, path string, h http.Header)) *httptest.Server {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header(n.Add(1), r.URL.Path, w.Header())
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/auth/token") {
			_, _ = w.Write([]byte(`{"access_token":"tok","token_type":"bearer","expires_in":3600}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":[],"next_page_token":null,"previous_page_token":null}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func setWindow(h http.Header, remaining int, reset time.Time) {
	h.Set("X-Ratelimit-Limit", "300")
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset.Unix(), 10))
}

// TestRateLimitOneHeaderWaitsAtMostRetryAfterMax: an answer saying the
// window is spent until an hour from now is believed for at most
// WithRetryAfterMax; then the next call goes, and the server's next answer
// is what counts.
func TestRateLimitOneHeaderWaitsAtMostRetryAfterMax(t *testing.T) {
	srv := windowServer(t, func(n int32, _ string, h http.Header) {
		if n == 1 {
			setWindow(h, 0, time.Now().Add(59*time.Minute))
			return
		}
		setWindow(h, 299, time.Now().Add(time.Minute))
	})
	c, err := asset.NewClient(asset.WithToken("tok"), asset.WithBaseURL(srv.URL),
		asset.WithRateLimit(300, time.Minute), asset.WithRetryAfterMax(200*time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Invoices.List(ctx, "biz_a", nil)
	require.NoError(t, err)
	_, err = c.Invoices.List(ctx, "biz_a", nil)
	require.NoError(t, err, "one header's word held the call beyond WithRetryAfterMax")
}

// TestRateLimitTokenWindowIsItsOwn: the token endpoint counts in a window of
// its own; its spent window must not hold back the business's calls.
func TestRateLimitTokenWindowIsItsOwn(t *testing.T) {
	srv := windowServer(t, func(_ int32, path string, h http.Header) {
		if strings.HasSuffix(path, "/auth/token") {
			setWindow(h, 0, time.Now().Add(59*time.Minute))
			return
		}
		setWindow(h, 299, time.Now().Add(time.Minute))
	})
	c, err := asset.NewClient(asset.WithClientCredentials(asset.ClientCredentials{ClientID: "id", ClientSecret: "secret"}),
		asset.WithBaseURL(srv.URL), asset.WithRateLimit(300, time.Minute))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 3 {
		_, err = c.Invoices.List(ctx, "biz_a", nil)
		require.NoError(t, err, "the token endpoint's window held back a business call")
	}
}
