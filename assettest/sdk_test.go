package assettest_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// These tests run the SDK against the server: they prove the two agree on
// the wire, and show how users are meant to test with it.

func newSDK(t *testing.T, opts ...assettest.Option) (*assettest.Server, *asset.Client) {
	t.Helper()
	srv := assettest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, srv.Client()
}

func TestSDKLifecycle(t *testing.T) {
	srv, c := newSDK(t, assettest.WithTagFields("Location", "Job"))
	ctx := context.Background()
	due := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

	var batch []asset.InvoiceCreate
	for i := 1; i <= 5; i++ {
		batch = append(batch, asset.InvoiceCreate{
			Number:     fmt.Sprintf("L-%d", i),
			CustomerID: "cus_lifecycle",
			DueAt:      due.AddDate(0, 0, i),
			Lines: []asset.InvoiceLineCreate{
				{UnitPrice: asset.MustDecimal("19.99"), Quantity: asset.MustDecimal("3"), DiscountAmount: asset.MustDecimal("5"), TaxAmount: asset.MustDecimal("1.5")},
				{Amount: asset.MustDecimal("0.03")},
			},
			Metadata: map[string]any{"order": "A1"},
			Tags:     map[string]string{"Location": "NYC"},
		})
	}
	invs, err := c.Invoices.Create(ctx, biz, batch)
	require.NoError(t, err)
	require.Len(t, invs, 5)
	inv := invs[0]
	assert.Equal(t, "56.50", inv.TotalAmount.String())
	assert.Equal(t, "56.47", inv.Lines[0].Amount.String())
	assert.Equal(t, asset.InvoiceStatusOpen, inv.Status)
	assert.Equal(t, asset.InvoiceSourceManual, inv.Source)
	assert.Equal(t, "NYC", inv.Tags["Location"].String())
	assert.Equal(t, map[string]any{"order": "A1"}, inv.Metadata)
	assert.Equal(t, srv.Invoices(biz)[0], inv, "the state reads as the SDK decodes")

	// A number that exists is reported, the rest created.
	more, err := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{Number: "L-1"}, {Number: "L-6"}})
	var batchErr *asset.BatchError
	require.ErrorAs(t, err, &batchErr)
	assert.Equal(t, []string{"L-1"}, batchErr.Numbers())
	require.Len(t, more, 1)

	got, err := c.Invoices.Get(ctx, biz, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, inv, *got)
	_, err = c.Invoices.Get(ctx, biz, "inv_missing")
	assert.ErrorIs(t, err, asset.ErrNotFound)

	// List with a filter, walk every page, and page both ways.
	page, err := c.Invoices.List(ctx, biz, &asset.InvoiceListParams{DueAtStart: due.AddDate(0, 0, 2), DueAtEnd: due.AddDate(0, 0, 4), PageSize: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"L-2", "L-3"}, invoiceNumbers(page.Data))
	assert.True(t, page.HasNext())
	assert.False(t, page.HasPrevious())

	var all []asset.Invoice
	for inv, err := range c.Invoices.All(ctx, biz, &asset.InvoiceListParams{PageSize: 2}) {
		require.NoError(t, err)
		all = append(all, inv)
	}
	assert.Equal(t, []string{"L-1", "L-2", "L-3", "L-4", "L-5", "L-6"}, invoiceNumbers(all))

	pager := c.Invoices.Pager(biz, &asset.InvoiceListParams{PageSize: 4})
	p1, err := pager.Next(ctx)
	require.NoError(t, err)
	p2, err := pager.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"L-5", "L-6"}, invoiceNumbers(p2.Data))
	_, err = pager.Next(ctx)
	assert.ErrorIs(t, err, asset.ErrNoMorePages)
	back, err := pager.Previous(ctx)
	require.NoError(t, err)
	assert.Equal(t, invoiceNumbers(p1.Data), invoiceNumbers(back.Data))

	// Pay in part, then in full.
	txn := srv.AddTransaction(biz, asset.MustDecimal("100"))
	paid, err := c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: inv.ID, TransactionID: txn, PaymentAmount: asset.MustDecimal("50")})
	require.NoError(t, err)
	assert.Equal(t, "6.50", paid.Balance().String())
	assert.Equal(t, asset.InvoiceStatusOpen, paid.Status)
	srv.AddCredit(biz, "cus_lifecycle", asset.MustDecimal("10"))
	paid, err = c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: inv.ID, PaymentAmount: asset.MustDecimal("6.50")})
	require.NoError(t, err)
	credit, _ := srv.CreditRemaining(biz, "cus_lifecycle")
	assert.Equal(t, "3.50", credit.String(), "drawn from the customer's credit")
	assert.Equal(t, asset.InvoiceStatusPaid, paid.Status)
	require.Len(t, paid.Payments, 2)
	assert.Equal(t, txn, paid.Payments[0].TransactionID)

	// Line changes, then void, then a payment is refused.
	second := invs[1]
	upd, err := c.Invoices.Update(ctx, biz, second.ID, asset.InvoiceUpdate{
		LineChanges: &asset.InvoiceLineChanges{
			CreateLines: []asset.InvoiceLineUpdate{{Description: "fee", Amount: asset.MustDecimal("10")}},
			DeleteLines: []string{second.Lines[1].ID},
		},
		Tags: map[string]*string{"Location": asset.TagRemove(), "Job": asset.TagSet("Roof")},
	})
	require.NoError(t, err)
	assert.Equal(t, "66.47", upd.TotalAmount.String())
	assert.Equal(t, "Roof", upd.Tags["Job"].String())
	assert.NotContains(t, upd.Tags, "Location")

	voided, err := c.Invoices.Update(ctx, biz, second.ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
	require.NoError(t, err)
	assert.False(t, voided.VoidedAt.IsZero())
	_, err = c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: second.ID, TransactionID: txn})
	var apiErr *asset.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 422, apiErr.StatusCode)
	assert.Equal(t, "Invoice is voided", apiErr.Message)
	assert.True(t, strings.HasPrefix(apiErr.RequestID, "req_"))

	// Write off what remains of a third.
	wo, err := c.Invoices.WriteOff(ctx, biz, invs[2].ID, asset.InvoiceWriteOff{Description: "bad debt"})
	require.NoError(t, err)
	assert.Equal(t, asset.InvoiceStatusPaid, wo.Status)
	assert.True(t, wo.Payments[0].IsWriteOff)

	// A validation error from the server carries FastAPI's details.
	_, err = c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: invs[3].ID, TransactionID: "txn_nope"})
	assert.ErrorIs(t, err, asset.ErrNotFound)

	assert.Len(t, srv.Invoices(biz), 6)
}

func invoiceNumbers(invs []asset.Invoice) []string {
	var out []string
	for _, inv := range invs {
		out = append(out, inv.Number)
	}
	return out
}

func TestSDKAuth(t *testing.T) {
	srv, _ := newSDK(t)
	ctx := context.Background()

	_, err := srv.Client(asset.WithToken("tok_wrong")).Invoices.List(ctx, biz, nil)
	assert.ErrorIs(t, err, asset.ErrUnauthorized)

	c := srv.Client(asset.WithClientCredentials(srv.ClientCredentials()))
	_, err = c.Invoices.List(ctx, biz, nil)
	require.NoError(t, err)
	_, err = c.Invoices.List(ctx, biz, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Requests(assettest.RouteToken), "the token is cached")

	// A revoked token is renewed once, and the call goes through.
	srv.RevokeTokens()
	_, err = c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{Number: "A-1"}})
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Requests(assettest.RouteToken))
	assert.Len(t, srv.Invoices(biz), 1)

	bad := srv.Client(asset.WithClientCredentials(asset.ClientCredentials{ClientID: "x", ClientSecret: "y"}))
	_, err = bad.Invoices.List(ctx, biz, nil)
	assert.ErrorIs(t, err, asset.ErrUnauthorized)
}

func TestSDKFaults(t *testing.T) {
	ctx := context.Background()
	one := []asset.InvoiceCreate{{Number: "F-1", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("10")}}}}

	t.Run("a lost create response is not retried", func(t *testing.T) {
		srv, c := newSDK(t)
		srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply)
		_, err := c.Invoices.Create(ctx, biz, one)
		assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.Requests(assettest.RouteCreateInvoices))
		assert.Len(t, srv.Invoices(biz), 1)
	})
	t.Run("a 503 on a create is not retried", func(t *testing.T) {
		srv, c := newSDK(t)
		srv.FailNext(assettest.RouteCreateInvoices, 1, 503)
		_, err := c.Invoices.Create(ctx, biz, one)
		assert.ErrorIs(t, err, asset.ErrServer)
		assert.Equal(t, 1, srv.Requests(assettest.RouteCreateInvoices))
		assert.Empty(t, srv.Invoices(biz))
	})
	t.Run("a 429 on a create is retried after Retry-After", func(t *testing.T) {
		srv, c := newSDK(t)
		srv.FailNextWith(assettest.RouteCreateInvoices, 2, assettest.Failure{Status: 429, Header: http.Header{"Retry-After": {"0"}}})
		invs, err := c.Invoices.Create(ctx, biz, one)
		require.NoError(t, err)
		require.Len(t, invs, 1)
		assert.Equal(t, 3, srv.Requests(assettest.RouteCreateInvoices))
		assert.Equal(t, 1, srv.Applied(assettest.RouteCreateInvoices))
	})
	t.Run("5xx on a read is retried", func(t *testing.T) {
		srv, c := newSDK(t)
		srv.FailNext(assettest.RouteListInvoices, 2, 502)
		_, err := c.Invoices.List(ctx, biz, nil)
		require.NoError(t, err)
		assert.Equal(t, 3, srv.Requests(assettest.RouteListInvoices))
	})
	t.Run("a garbled payment response", func(t *testing.T) {
		srv, c := newSDK(t)
		invs, err := c.Invoices.Create(ctx, biz, one)
		require.NoError(t, err)
		txn := srv.AddTransaction(biz, asset.MustDecimal("4"))
		srv.MalformedNext(assettest.RouteApplyPayment, 1)
		_, err = c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txn})
		assert.ErrorIs(t, err, asset.ErrInvalidReply)
		inv, _ := srv.Invoice(biz, invs[0].ID)
		assert.Len(t, inv.Payments, 1, "applied once")
	})
	t.Run("the rate limit", func(t *testing.T) {
		srv, c := newSDK(t, assettest.WithRateLimit(2, time.Minute))
		var resp asset.Response
		_, err := c.Invoices.List(ctx, biz, nil, asset.WithResponseInto(&resp))
		require.NoError(t, err)
		assert.Equal(t, asset.RateLimit{Limit: 2, Remaining: 1, Reset: resp.RateLimit.Reset}, resp.RateLimit)
		assert.True(t, strings.HasPrefix(resp.RequestID, "req_"))
		_, err = c.Invoices.List(ctx, biz, nil)
		require.NoError(t, err)
		_, err = c.Invoices.List(ctx, biz, nil, asset.WithMaxRetries(0))
		var apiErr *asset.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.ErrorIs(t, err, asset.ErrRateLimited)
		assert.Greater(t, apiErr.RetryAfter, 50*time.Second)
		assert.Equal(t, 1, srv.Stats(assettest.RouteListInvoices).RateLimited)
	})
}

func TestConcurrentUse(t *testing.T) {
	// 400 requests: more than the default limit allows in a minute.
	srv, c := newSDK(t, assettest.WithoutRateLimit())
	ctx := context.Background()
	const workers, perWorker = 16, 5
	txn := srv.AddTransaction(biz, asset.MustDecimal("1000000"))

	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker*3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				invs, err := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{
					Number: fmt.Sprintf("C-%d-%d", w, i),
					Lines:  []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("0.1")}, {Amount: asset.MustDecimal("0.2")}},
				}})
				if err != nil {
					errs <- err
					continue
				}
				// Every worker also races on one shared invoice number.
				_, _ = c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{Number: "SHARED"}})
				for _, amount := range []string{"0.1", "0.2"} {
					if _, err := c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txn, PaymentAmount: asset.MustDecimal(amount)}); err != nil {
						errs <- err
					}
				}
				if _, err := c.Invoices.List(ctx, biz, &asset.InvoiceListParams{PageSize: 7}); err != nil {
					errs <- err
				}
				srv.Stats(assettest.RouteListInvoices)
				srv.Invoices(biz)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	all := srv.Invoices(biz)
	require.Len(t, all, workers*perWorker+1)
	seen := map[string]bool{}
	for _, inv := range all {
		assert.False(t, seen[inv.Number], "duplicate number %s", inv.Number)
		seen[inv.Number] = true
		if inv.Number == "SHARED" {
			continue
		}
		assert.Equal(t, "0.3", inv.TotalAmount.String())
		assert.Equal(t, "0.3", inv.TotalPaid.String())
		assert.Equal(t, asset.InvoiceStatusPaid, inv.Status)
	}
	left, _ := srv.TransactionRemaining(biz, txn)
	assert.Equal(t, "999976.0", left.String())
}

// TestNoGoroutineLeft checks that Close ends everything the server started,
// even with connections kept alive and requests still waiting.
func TestNoGoroutineLeft(t *testing.T) {
	srv := assettest.NewServer(assettest.WithLatency(time.Millisecond))
	c := srv.Client()
	for i := range 5 {
		_, err := c.Invoices.Create(context.Background(), biz, []asset.InvoiceCreate{{Number: fmt.Sprint(i)}})
		require.NoError(t, err)
	}
	srv.SetLatency(time.Hour)
	go func() { _, _ = c.Invoices.List(context.Background(), biz, nil) }()
	for srv.Requests(assettest.RouteListInvoices) == 0 {
		time.Sleep(time.Millisecond)
	}
	srv.Close()

	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		leaked := strings.Contains(stacks, "assettest.(*Server)") || strings.Contains(stacks, "net/http.(*conn).serve") ||
			strings.Contains(stacks, "net/http.(*persistConn)")
		if !leaked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Close:\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
