package asset_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// The measured load: 10,000 invoices, 100 batches, at 50 requests a second
// (the API's 300 a minute, scaled up so the run takes seconds, not
// minutes: the pacing reads the same headers either way). The floor is
// the rate limit's: the 100th request may start 99 intervals after the
// first.
const (
	measureInvoices = 10_000
	measureLimit    = 50
	measurePer      = time.Second
	measureFloor    = (measureInvoices/100 - 1) * measurePer / measureLimit
)

// measured is what a measured run did.
type measured struct {
	srv     *assettest.Server
	input   []asset.InvoiceCreate
	created []asset.Invoice
	err     error
	took    time.Duration
}

// measureRun creates the load on a server limited per business, through a
// client paced to the same limit, after faults sets up what goes wrong.
func measureRun(t *testing.T, faults func(*assettest.Server, asset.Progress)) measured {
	t.Helper()
	srv := assettest.NewServer(
		assettest.WithRateLimit(measureLimit, measurePer),
		// The tenant's own default (300 a minute) would be the tighter.
		assettest.WithTenantRateLimit(10*measureLimit, measurePer),
	)
	t.Cleanup(srv.Close)
	faults(srv, asset.Progress{Total: measureInvoices})
	in := bulkInput("M", measureInvoices)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	began := time.Now()
	progress := asset.WithProgress(func(p asset.Progress) { faults(srv, p) })
	created, err := srv.Client(asset.WithRateLimit(measureLimit, measurePer)).Invoices.CreateMany(ctx, bulkBiz, in, progress)
	return measured{srv, in, created, err, time.Since(began)}
}

func logMeasure(t *testing.T, srv *assettest.Server, took time.Duration) {
	st := srv.Stats(assettest.RouteCreateInvoices)
	t.Logf("%d invoices in %s: %.2f× the rate limit's floor of %s; create route %+v",
		measureInvoices, took.Round(time.Millisecond), float64(took)/float64(measureFloor), measureFloor, st)
}

// TestCreateManyAtTheRateLimit: paced to the server's limit, CreateMany
// draws no 429 and creates every invoice once, at about the limit's speed
// (the ratio is logged, not asserted).
func TestCreateManyAtTheRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the rate limit's 2 seconds")
	}
	t.Parallel() // waits on the rate limit, as does the faulted run
	m := measureRun(t, func(*assettest.Server, asset.Progress) {})
	srv, in, created, err, took := m.srv, m.input, m.created, m.err, m.took
	require.NoError(t, err)
	requireAccounted(t, in, created, err)
	requireOnServerOnce(t, srv, measureInvoices)
	st := srv.Stats(assettest.RouteCreateInvoices)
	assert.Zero(t, st.RateLimited, "429 responses")
	assert.Equal(t, measureInvoices/100, st.Requests)
	assert.Equal(t, measureInvoices/100, st.Applied, "each batch applied once, 100 invoices each")
	logMeasure(t, srv, took)
}

// TestCreateManyAtTheRateLimitWithFaults: one batch's answer is lost after
// it was applied and two batches get a 503; still every invoice exists
// once, and each comes back created: each faulted batch sent again, the
// lost one's refusals then found by a lookup.
func TestCreateManyAtTheRateLimitWithFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the rate limit's 2 seconds")
	}
	t.Parallel()
	m := measureRun(t, func(s *assettest.Server, p asset.Progress) {
		switch p.Done {
		case 0:
			s.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
		case measureInvoices / 3 / 100 * 100, 2 * measureInvoices / 3 / 100 * 100:
			s.FailNext(assettest.RouteCreateInvoices, 1, http.StatusServiceUnavailable)
		}
	})
	srv, in, created, err, took := m.srv, m.input, m.created, m.err, m.took
	require.NoError(t, err)
	requireAccounted(t, in, created, err)
	requireOnServerOnce(t, srv, measureInvoices)
	// The lookup stops once it has found the lost batch, among the first
	// batches applied.
	lookups := srv.Requests(assettest.RouteListInvoices)
	assert.True(t, lookups >= 1 && lookups <= 4, "%d pages walked", lookups)
	st := srv.Stats(assettest.RouteCreateInvoices)
	assert.Zero(t, st.RateLimited, "429 responses")
	assert.Equal(t, measureInvoices/100+3, st.Requests, "the three faulted batches sent again")
	assert.Equal(t, measureInvoices/100, st.Applied, "each batch applied once")
	logMeasure(t, srv, took)
}
