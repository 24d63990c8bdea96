package asset_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// 3,000 invoices, three of whose thirty batches are applied and their
// answers lost, on a server that words its refusals as assettest does not:
// every invoice exists once, and CreateMany returns each with its id. The
// lookups walk a business of 3,000 invoices; more would cost time, not
// cover more.
func TestCreateManySettlesLostBatchesWhateverTheWording(t *testing.T) {
	t.Parallel()
	const n = 3_000
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	c := rewriting(t, srv, rewordDuplicates)
	in := bulkInput("W", n)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := c.Invoices.CreateMany(ctx, bulkBiz, in, asset.WithProgress(func(p asset.Progress) {
		if p.Done == 100 || p.Done == 1000 || p.Done == 2000 { // the batch after each
			srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
		}
	}))
	require.NoError(t, err)
	requireAccounted(t, in, created, err)
	on := requireOnServerOnce(t, srv, n)
	ids := map[string]string{}
	for _, inv := range srv.Invoices(bulkBiz) {
		ids[inv.Number] = inv.ID
	}
	for _, inv := range created {
		require.Equal(t, ids[inv.Number], inv.ID, "%s comes back with its id", inv.Number)
	}
	assert.Len(t, on, n)
	assert.GreaterOrEqual(t, srv.Requests(assettest.RouteListInvoices), 3, "a lookup per lost batch")
}

// A cancel in the middle stops the sending, but the batches in flight are
// waited for: every invoice the server created is returned as created.
func TestCreateManyCancelledWaitsForBatchesInFlight(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit(), assettest.WithLatency(100*time.Millisecond))
	defer srv.Close()
	c := rewriting(t, srv, rewordDuplicates)
	in := bulkInput("C", 2000)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := c.Invoices.CreateMany(ctx, bulkBiz, in, asset.WithProgress(func(p asset.Progress) {
		switch p.Done {
		case 200:
			srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
		case 600:
			cancel() // with batches in flight, one of them lost
		}
	}))
	failures := requireAccounted(t, in, created, err)
	on := requireOnServerOnce(t, srv, len(created))
	for _, inv := range created {
		require.True(t, on[inv.Number])
	}
	require.NotEmpty(t, failures)
	for _, f := range failures {
		assert.ErrorIs(t, f.Err, context.Canceled, "failure %d", f.Index)
		assert.NotErrorIs(t, f.Err, asset.ErrOutcomeUnknown, "failure %d: the server answered for every batch sent", f.Index)
		assert.False(t, on[f.Number], "failure %d exists", f.Index)
	}
	assert.Greater(t, len(created), 600, "the batches in flight at the cancel were created")
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
}

// The wait for batches in flight is bounded: past WithDrainTimeout, what
// was sent and not answered is outcome unknown, what was not sent is not.
func TestCreateManyDrainTimeoutBoundsTheWait(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit(), assettest.WithLatency(time.Minute))
	defer srv.Close()
	in := bulkInput("Y", 500)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		// Once both goroutines have their batch in flight.
		for srv.Requests(assettest.RouteCreateInvoices) < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	created, err := srv.Client().Invoices.CreateMany(ctx, bulkBiz, in,
		asset.WithConcurrency(2), asset.WithDrainTimeout(100*time.Millisecond))
	failures := requireAccounted(t, in, created, err)
	require.Empty(t, created)
	for _, f := range failures {
		assert.ErrorIs(t, f.Err, context.Canceled, "failure %d", f.Index)
		if f.Index < 200 {
			assert.ErrorIs(t, f.Err, asset.ErrOutcomeUnknown, "failure %d was sent", f.Index)
		} else {
			assert.NotErrorIs(t, f.Err, asset.ErrOutcomeUnknown, "failure %d was not sent", f.Index)
		}
	}
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Equal(t, 2, srv.Requests(assettest.RouteCreateInvoices), "nothing sent after the cancel")
}

// One bad value sinks no neighbour: a 422 naming one invoice of a batch
// applied nothing, so the others are sent again.
func TestCreateManySplitsABatchRefusedFor422(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	in := bulkInput("S", 250)
	in[102].Lines[0].Amount = asset.MustDecimal("1.005") // the API takes cents
	in[140].Lines[0].Amount = asset.MustDecimal("0.001")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created, err := srv.Client().Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(1))
	failures := requireAccounted(t, in, created, err)
	require.Len(t, failures, 2)
	for i, want := range []int{102, 140} {
		f := failures[i]
		assert.Equal(t, want, f.Index)
		assert.Nil(t, f.Err, "refused by the server for itself")
		assert.Contains(t, f.Message, "lines.0.amount: ")
		assert.Contains(t, f.Message, "2 decimal places")
	}
	assert.Len(t, created, 248)
	requireOnServerOnce(t, srv, 248)
	assert.Equal(t, 3+1, srv.Requests(assettest.RouteCreateInvoices), "the refused batch sent again without its two")
	assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown)
}

// A 422 that points outside the batch's items refuses the whole batch.
func TestCreateManyA422ThatNamesNoInvoiceRefusesTheBatch(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	srv.FailNextWith(assettest.RouteCreateInvoices, 1, assettest.Failure{Status: http.StatusUnprocessableEntity,
		Body: []byte(`{"detail":[{"type":"x","loc":["body",0,"number"],"msg":"bad"},{"type":"y","loc":["query","z"],"msg":"worse"}]}`)})
	in := bulkInput("Q", 150)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created, err := srv.Client().Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(1))
	failures := requireAccounted(t, in, created, err)
	require.Len(t, failures, 100)
	assert.ErrorIs(t, err, asset.ErrValidation)
	assert.Equal(t, 2, srv.Requests(assettest.RouteCreateInvoices))
}

// A panic in the progress function reaches the caller's goroutine, once
// the batches in flight are done, and nothing more is sent.
func TestCreateManyProgressPanicReachesTheCaller(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	in := bulkInput("P", 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_, _ = srv.Client().Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(2),
			asset.WithProgress(func(p asset.Progress) { panic("progress broke") }))
	}()
	assert.Equal(t, "progress broke", recovered)
	sent := srv.Requests(assettest.RouteCreateInvoices)
	assert.LessOrEqual(t, sent, 2, "only the batches in flight at the panic")
	requireOnServerOnce(t, srv, 100*sent)
}

// The invoices created come back in the input's order whatever order the
// server answers in, and a refusal's Index counts from the whole input.
func TestCreateManyOrderAndIndexWhateverTheAnswer(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	c := rewriting(t, srv, editBatchAnswer(func(data []json.RawMessage) []json.RawMessage {
		slices.Reverse(data)
		return data
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Invoices.Create(ctx, bulkBiz, bulkInput("O", 101)[100:]) // O-100 exists: the second batch's first
	require.NoError(t, err)
	in := bulkInput("O", 250)
	created, err := c.Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(3))
	failures := requireAccounted(t, in, created, err) // requires the input's order
	require.Len(t, failures, 1)
	assert.Equal(t, 100, failures[0].Index)
	assert.Equal(t, "O-100", failures[0].Number)
	assert.Nil(t, failures[0].Err, "refused by the server for itself")
	assert.Len(t, created, 249)
}

// An invoice a 201 leaves out is looked up: created, it is returned so.
func TestCreateManyFindsWhatAnAnswerLeftOut(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	c := rewriting(t, srv, editBatchAnswer(func(data []json.RawMessage) []json.RawMessage {
		return slices.DeleteFunc(data, func(inv json.RawMessage) bool { return strings.Contains(string(inv), `"L-7"`) })
	}))
	in := bulkInput("L", 150)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created, err := c.Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(1))
	require.NoError(t, err)
	requireAccounted(t, in, created, err)
	requireOnServerOnce(t, srv, 150)
	assert.Equal(t, "L-7", created[7].Number)
	assert.NotEmpty(t, created[7].ID)
	assert.Equal(t, 1, srv.Requests(assettest.RouteListInvoices))
}

// When the lookup itself fails, what it was to settle stays unknown, and
// says so.
func TestCreateManyLookupFailureLeavesUnknown(t *testing.T) {
	t.Parallel()
	srv := assettest.NewServer(assettest.WithoutRateLimit())
	defer srv.Close()
	srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
	srv.FailNext(assettest.RouteListInvoices, 10, http.StatusServiceUnavailable)
	in := bulkInput("K", 150)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created, err := srv.Client(asset.WithMaxRetries(1)).Invoices.CreateMany(ctx, bulkBiz, in, asset.WithConcurrency(1))
	failures := requireAccounted(t, in, created, err)
	require.Len(t, failures, 100)
	for _, f := range failures {
		assert.ErrorIs(t, f.Err, asset.ErrOutcomeUnknown)
		var netErr *asset.NetworkError
		assert.True(t, errors.As(f.Err, &netErr), "the lost send's error: %v", f.Err)
		assert.Contains(t, f.Message, "looking it up failed")
	}
	assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Len(t, created, 50)
}
