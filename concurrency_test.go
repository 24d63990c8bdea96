package asset_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

const concBiz = "biz_Concurrency0000000000001"

// concRecord is what one goroutine did and saw succeed.
type concRecord struct {
	invoices map[string]asset.Decimal   // id: the total it should have
	paid     map[string][]asset.Decimal // id: every payment and write-off applied
	payments []string                   // ids of the payments it made
	txn      string
	drawn    asset.Decimal // what its payments took from txn
	walked   int
}

func concDec(s string) asset.Decimal { return asset.MustDecimal(s) }

// concWorker creates, reads, updates, pays and writes off invoices of its
// own, walks everyone's while they change, and races every other worker
// for a shared invoice's balance and a shared invoice number. It returns
// the errors it did not expect.
func concWorker(ctx context.Context, srv *assettest.Server, c *asset.Client, w int, shared string, rec *concRecord) (errs []error, sharedPaid bool) {
	fail := func(step string, err error) { errs = append(errs, fmt.Errorf("worker %d, %s: %w", w, step, err)) }
	rec.invoices, rec.paid = map[string]asset.Decimal{}, map[string][]asset.Decimal{}

	// Payments without a transaction draw on the customer's credit.
	customer := fmt.Sprintf("cus_worker%d", w)
	srv.AddCredit(concBiz, customer, concDec("0.01"))
	invs, err := c.Invoices.Create(ctx, concBiz, []asset.InvoiceCreate{
		{Number: fmt.Sprintf("C-%d-a", w), CustomerID: customer, Lines: []asset.InvoiceLineCreate{{Amount: concDec("0.10")}, {Amount: concDec("0.20")}}},
		{Number: fmt.Sprintf("C-%d-b", w), CustomerID: customer, Lines: []asset.InvoiceLineCreate{{UnitPrice: concDec("3.33"), Quantity: concDec("3")}}},
	})
	if err != nil || len(invs) != 2 {
		fail("create", err)
		return errs, false
	}
	a, b := invs[0].ID, invs[1].ID
	rec.invoices[a], rec.invoices[b] = concDec("0.30"), concDec("9.99")

	if got, err := c.Invoices.Get(ctx, concBiz, a); err != nil {
		fail("get", err)
	} else if got.Number != invs[0].Number || !got.TotalAmount.Equal(concDec("0.30")) {
		fail("get", fmt.Errorf("got %s with total %s", got.Number, got.TotalAmount))
	}

	if _, err := c.Invoices.Update(ctx, concBiz, a, asset.InvoiceUpdate{
		LineChanges: &asset.InvoiceLineChanges{CreateLines: []asset.InvoiceLineUpdate{{Description: "fee", Amount: concDec("0.70")}}},
		Tags:        map[string]*string{"worker": asset.TagSet(fmt.Sprint(w))},
	}); err != nil {
		fail("update", err)
	} else {
		rec.invoices[a] = concDec("1.00")
	}

	rec.txn = srv.AddTransaction(concBiz, concDec("5.55"))
	rec.drawn = asset.DecimalFromInt(0)
	for _, p := range []struct {
		inv, amount string
		txn         bool
	}{{a, "0.10", true}, {a, "0.20", true}, {b, "3.33", true}, {b, "0.01", false}} {
		pay := asset.InvoicePaymentCreate{InvoiceID: p.inv, PaymentAmount: concDec(p.amount)}
		if p.txn {
			pay.TransactionID = rec.txn
		}
		inv, err := c.Payments.Apply(ctx, concBiz, pay)
		if err != nil {
			fail("apply "+p.amount, err)
			continue
		}
		rec.paid[p.inv] = append(rec.paid[p.inv], concDec(p.amount))
		rec.payments = append(rec.payments, inv.Payments[len(inv.Payments)-1].ID)
		if p.txn {
			rec.drawn = rec.drawn.Add(concDec(p.amount))
		}
	}
	if inv, err := c.Invoices.WriteOff(ctx, concBiz, b, asset.InvoiceWriteOff{Amount: concDec("0.05")}); err != nil {
		fail("write off", err)
	} else {
		rec.paid[b] = append(rec.paid[b], concDec("0.05"))
		rec.payments = append(rec.payments, inv.Payments[len(inv.Payments)-1].ID)
	}

	// Walks overlap creations and payments: the page tokens are cursors, so
	// no invoice may come twice.
	seen := map[string]bool{}
	for inv, err := range c.Invoices.All(ctx, concBiz, &asset.InvoiceListParams{PageSize: 20}) {
		if err != nil {
			fail("walk", err)
			break
		}
		if seen[inv.ID] {
			fail("walk", fmt.Errorf("invoice %s came twice", inv.ID))
		}
		seen[inv.ID] = true
	}
	rec.walked = len(seen)
	if _, err := c.Invoices.List(ctx, concBiz, &asset.InvoiceListParams{PageSize: 3, Status: []asset.InvoiceStatus{asset.InvoiceStatusOpen}}); err != nil {
		fail("list", err)
	}

	// The races every worker loses but one, or but the first 25.
	_, err = c.Invoices.Create(ctx, concBiz, []asset.InvoiceCreate{{Number: "C-SHARED-NUMBER"}})
	var batchErr *asset.BatchError
	if err != nil && !errors.As(err, &batchErr) {
		fail("create the shared number", err)
	}
	inv, err := c.Payments.Apply(ctx, concBiz, asset.InvoicePaymentCreate{InvoiceID: shared, PaymentAmount: concDec("1.00")})
	switch {
	case err == nil:
		rec.payments = append(rec.payments, inv.Payments[len(inv.Payments)-1].ID)
		return errs, true
	case errors.Is(err, asset.ErrValidation):
		// Refused cleanly: the balance was spent by others.
	default:
		fail("pay the shared invoice", err)
	}
	return errs, false
}

// TestConcurrentClient shares one client among 50 goroutines under the race
// detector, and compares what they recorded with the server's state.
func TestConcurrentClient(t *testing.T) {
	t.Parallel()
	const workers = 50
	srv := assettest.NewServer(assettest.WithoutRateLimit(), assettest.WithTagFields("worker"))
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	// Enough credit for every worker: the invoice's balance is what runs out.
	srv.AddCredit(concBiz, "cus_shared", concDec("50.00"))
	invs, err := c.Invoices.Create(ctx, concBiz, []asset.InvoiceCreate{{Number: "C-SHARED", CustomerID: "cus_shared", Lines: []asset.InvoiceLineCreate{{Amount: concDec("25.00")}}}})
	require.NoError(t, err)
	shared := invs[0].ID

	recs := make([]concRecord, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var unexpected []error
	sharedPaid := 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs, paid := concWorker(ctx, srv, c, w, shared, &recs[w])
			mu.Lock()
			defer mu.Unlock()
			unexpected = append(unexpected, errs...)
			if paid {
				sharedPaid++
			}
		}()
	}
	wg.Wait()
	for _, err := range unexpected {
		t.Error(err)
	}

	state := srv.Invoices(concBiz)
	byID := map[string]asset.Invoice{}
	numbers := map[string]bool{}
	payments := map[string]bool{}
	for _, inv := range state {
		assert.False(t, numbers[inv.Number], "number %s is used twice", inv.Number)
		numbers[inv.Number] = true
		byID[inv.ID] = inv
		for _, p := range inv.Payments {
			assert.False(t, payments[p.ID], "payment %s is recorded twice", p.ID)
			payments[p.ID] = true
		}
	}
	// Each worker's two, the shared invoice and the shared number, once.
	require.Len(t, state, 2*workers+2)
	require.Len(t, byID, len(state), "invoice ids are unique")
	assert.True(t, numbers["C-SHARED-NUMBER"])

	recorded := 0
	for w, rec := range recs {
		recorded += len(rec.payments)
		for id, total := range rec.invoices {
			inv, ok := byID[id]
			require.True(t, ok, "worker %d's invoice %s is missing", w, id)
			assert.True(t, total.Equal(inv.TotalAmount), "invoice %s: total %s, want %s", inv.Number, inv.TotalAmount, total)
			sum := asset.DecimalFromInt(0)
			for _, amount := range rec.paid[id] {
				sum = sum.Add(amount)
			}
			assert.True(t, sum.Equal(inv.TotalPaid), "invoice %s: total_paid %s, payments sum to %s", inv.Number, inv.TotalPaid, sum)
			assert.Len(t, inv.Payments, len(rec.paid[id]), "invoice %s: payments", inv.Number)
		}
		for _, id := range rec.payments {
			assert.True(t, payments[id], "worker %d's payment %s is not in the state", w, id)
		}
		left, ok := srv.TransactionRemaining(concBiz, rec.txn)
		require.True(t, ok)
		assert.True(t, concDec("5.55").Sub(rec.drawn).Equal(left), "transaction of worker %d: %s left after drawing %s", w, left, rec.drawn)
		assert.GreaterOrEqual(t, rec.walked, 2, "a walk sees at least the worker's own invoices")
	}
	assert.Equal(t, len(payments), recorded, "every payment in the state was recorded by exactly one worker")

	sharedInv := byID[shared]
	assert.Equal(t, 25, sharedPaid, "the shared balance pays exactly 25 payments of 1.00")
	assert.True(t, concDec("25.00").Equal(sharedInv.TotalPaid), "shared total_paid %s", sharedInv.TotalPaid)
	assert.Equal(t, asset.InvoiceStatusPaid, sharedInv.Status)
	assert.Zero(t, srv.Stats(assettest.RouteApplyPayment).Faulted)
}
