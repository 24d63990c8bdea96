package asset_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
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
	t.Parallel()
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
	t.Parallel()
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

// recorder is a RateLimiter that records what the client tells it.
type recorder struct {
	mu       sync.Mutex
	waits    []string
	observed []string
	refuse   error
}

func (r *recorder) Wait(_ context.Context, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, key)
	return r.refuse
}

func (r *recorder) Observe(key string, h http.Header, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.observed = append(r.observed, fmt.Sprintf("%s %d %v", key, status, h != nil))
}

// Every try goes through the limiter, retries and the token endpoint
// included, keyed by its business.
func TestRateLimiterSeesEveryTry(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	rec := &recorder{}
	c, err := asset.NewClient(asset.WithClientCredentials(srv.ClientCredentials()), asset.WithBaseURL(srv.URL),
		asset.WithRateLimiter(rec), asset.WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	srv.FailNext(assettest.RouteListInvoices, 1, http.StatusServiceUnavailable)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Invoices.List(ctx, "biz_a", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"", "biz_a", "biz_a"}, rec.waits, "token, first try, retry")
	assert.Equal(t, []string{" 200 true", "biz_a 503 true", "biz_a 200 true"}, rec.observed)
}

// A limiter's refusal fails the call with nothing sent, its error kept.
func TestRateLimiterRefusalFailsTheCall(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer()
	defer srv.Close()
	down := errors.New("limiter store down")
	c := srv.Client(asset.WithRateLimiter(&recorder{refuse: down}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Payments.Apply(ctx, "biz_a", asset.InvoicePaymentCreate{InvoiceID: "inv_1", TransactionID: "txn_1", PaymentAmount: asset.MustDecimal("1")})
	require.ErrorIs(t, err, down)
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown, "nothing was sent")
	var netErr *asset.NetworkError
	assert.False(t, errors.As(err, &netErr), "not a network failure: %v", err)
	assert.Zero(t, srv.Requests(assettest.RouteApplyPayment))
}

func TestWithRateLimiterChecks(t *testing.T) {
	t.Parallel()
	_, err := asset.NewClient(asset.WithToken("tok"), asset.WithRateLimiter(nil))
	var inErr *asset.InputError
	require.ErrorAs(t, err, &inErr)
	c, err := asset.NewClient(asset.WithToken("tok"))
	require.NoError(t, err)
	_, err = c.Invoices.Get(context.Background(), "biz_a", "inv_1", asset.WithRateLimiter(&recorder{}))
	require.ErrorAs(t, err, &inErr, "a client's option, refused on a call")
}
