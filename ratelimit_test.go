package asset_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// The server's limit, scaled down from the API's 300 a minute so that the
// test takes seconds: the pacing reads the same headers either way.
const (
	rlLimit   = 20
	rlPer     = time.Second
	rlWorkers = 8
	rlRounds  = 1
	rlBiz     = "biz_RateLimit000000000000001"
	rlSeeded  = 60
)

// rlRun is the fleet's load: every worker creates invoices and walks them
// all, over one shared client. It returns the 429s the server sent and the
// calls that failed.
func rlRun(t *testing.T, opts ...asset.Option) (rateLimited int, failed []error) {
	t.Helper()
	srv := assettest.NewServer(assettest.WithRateLimit(rlLimit, rlPer))
	defer srv.Close()
	c := srv.Client(opts...)
	ctx := context.Background()

	seed := make([]asset.InvoiceCreate, rlSeeded)
	for i := range seed {
		seed[i] = asset.InvoiceCreate{Number: fmt.Sprintf("RL-SEED-%d", i)}
	}
	_, err := c.Invoices.Create(ctx, rlBiz, seed)
	require.NoError(t, err)

	var mu sync.Mutex
	var wg sync.WaitGroup
	created := map[string]bool{} // whether each number's Create succeeded
	for i := range seed {
		created[seed[i].Number] = true
	}
	for w := range rlWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var errs []error
			for r := range rlRounds {
				number := fmt.Sprintf("RL-%d-%d", w, r)
				_, err := c.Invoices.Create(ctx, rlBiz, []asset.InvoiceCreate{{Number: number}})
				if err != nil {
					errs = append(errs, err)
				}
				mu.Lock()
				created[number] = err == nil
				mu.Unlock()
				for _, err := range c.Invoices.All(ctx, rlBiz, &asset.InvoiceListParams{PageSize: 25}) {
					if err != nil {
						errs = append(errs, err)
						break
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			failed = append(failed, errs...)
		}()
	}
	wg.Wait()
	creates, lists := srv.Stats(assettest.RouteCreateInvoices), srv.Stats(assettest.RouteListInvoices)
	t.Logf("create %+v, list %+v", creates, lists)
	// Every walk crosses three pages: the load is well above the limit.
	require.Greater(t, creates.Requests+lists.Requests, rlLimit+rlWorkers*rlRounds)
	// A create refused with 429 was not applied; one that succeeded was
	// applied exactly once, retries or not.
	stored := map[string]int{}
	for _, inv := range srv.Invoices(rlBiz) {
		stored[inv.Number]++
	}
	require.Len(t, created, rlSeeded+rlWorkers*rlRounds)
	for number, ok := range created {
		want := 0
		if ok {
			want = 1
		}
		assert.Equal(t, want, stored[number], "invoice %s (create succeeded: %t)", number, ok)
	}
	for number := range stored {
		_, ok := created[number]
		assert.True(t, ok, "invoice %s was never asked for", number)
	}
	return creates.RateLimited + lists.RateLimited, failed
}

// TestRateLimitFleet runs the same load twice, on two servers at once:
// without pacing the server refuses some of it with 429; with
// WithRateLimit, whose budget is four times the server's, it refuses
// nothing, which only the pacing by the x-ratelimit headers can achieve.
//
// The limit is low enough for the unpaced run to pass it beside the other
// parallel tests: under -race there, the fleet managed 26 requests a second.
func TestRateLimitFleet(t *testing.T) {
	t.Parallel()
	t.Run("unpaced", func(t *testing.T) {
		t.Parallel() // mostly waiting on the rate limit, as is the other
		limited, failed := rlRun(t)
		assert.Positive(t, limited, "429 responses")
		for _, err := range failed {
			// Past the retries a 429 is handed back, cleanly.
			var apiErr *asset.APIError
			assert.True(t, errors.As(err, &apiErr) && errors.Is(err, asset.ErrRateLimited), "unexpected error %v", err)
		}
	})
	t.Run("paced", func(t *testing.T) {
		t.Parallel()
		limited, failed := rlRun(t, asset.WithRateLimit(4*rlLimit, rlPer))
		assert.Zero(t, limited, "429 responses")
		assert.Empty(t, failed)
	})
}
