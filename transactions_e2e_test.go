package asset_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// e2eDeposit is a bank transaction that pays one invoice in full: the
// bank's id for it is the invoice's number, prefixed.
type e2eDeposit struct {
	number, amount string
}

func (d e2eDeposit) externalID() string { return "bank-" + d.number }

// e2eReconcile is what a user's job does: it creates the customer, the
// invoices and the bank transactions, then pays each invoice from its
// transaction, found through its external id. Every step is safe to run
// again after any error: what may have been done is looked up before it is
// done again. It returns how many rounds it took.
func e2eReconcile(ctx context.Context, c *asset.Client, deposits []e2eDeposit) (int, error) {
	for round := 1; round <= 8; round++ {
		if err := e2eReconcileOnce(ctx, c, deposits); err != nil {
			if errors.Is(err, asset.ErrValidation) && !errors.Is(err, asset.ErrOutcomeUnknown) {
				var be *asset.BatchError
				if !errors.As(err, &be) {
					return round, err // a refusal would repeat
				}
			}
			continue
		}
		return round, nil
	}
	return 8, errors.New("not settled in 8 rounds")
}

func e2eReconcileOnce(ctx context.Context, c *asset.Client, deposits []e2eDeposit) error {
	// The customer, by its external id.
	cus, err := c.Customers.FindByExternalID(ctx, e2eBiz, "erp-42")
	if errors.Is(err, asset.ErrNotFound) {
		cus, err = c.Customers.Create(ctx, e2eBiz, asset.CustomerCreate{Name: "Acme", ExternalID: "erp-42"})
	}
	if err != nil {
		return err
	}
	// Its invoices: CreateMany settles what it leaves unknown itself, and a
	// number already taken is one created before.
	var numbers []string
	for _, d := range deposits {
		numbers = append(numbers, d.number)
	}
	invs, err := c.Invoices.FindByNumbers(ctx, e2eBiz, numbers)
	if err != nil {
		return err
	}
	var missing []asset.InvoiceCreate
	for _, d := range deposits {
		if _, ok := invs[d.number]; !ok {
			missing = append(missing, asset.InvoiceCreate{Number: d.number, CustomerID: cus.ID, Lines: e2eAmount(d.amount)})
		}
	}
	if len(missing) > 0 {
		if _, err := c.Invoices.CreateMany(ctx, e2eBiz, missing); err != nil {
			return err
		}
		if invs, err = c.Invoices.FindByNumbers(ctx, e2eBiz, numbers); err != nil {
			return err
		}
	}
	// The bank's transactions, one batch; those already recorded are not
	// sent again.
	var ids []string
	for _, d := range deposits {
		ids = append(ids, d.externalID())
	}
	txns, err := c.Transactions.FindByExternalIDs(ctx, e2eBiz, ids, []string{asset.TransactionIncludeInvoicePayments})
	if err != nil {
		return err
	}
	var batch []asset.TransactionCreate
	for _, d := range deposits {
		if _, ok := txns[d.externalID()]; !ok {
			batch = append(batch, asset.TransactionCreate{Description: "deposit for " + d.number, Datetime: e2eNow,
				Amount: asset.MustDecimal(d.amount), ExternalID: d.externalID(), ExternalAccountID: "eac_e2eChecking00000000001"})
		}
	}
	if len(batch) > 0 {
		if _, err := c.Transactions.Create(ctx, e2eBiz, batch); err != nil {
			return err
		}
		if txns, err = c.Transactions.FindByExternalIDs(ctx, e2eBiz, ids, []string{asset.TransactionIncludeInvoicePayments}); err != nil {
			return err
		}
	}
	// Each payment, unless its transaction already shows it.
	for _, d := range deposits {
		tx, inv := txns[d.externalID()], invs[d.number]
		if tx.ID == "" || inv.ID == "" {
			return fmt.Errorf("%s or its transaction is missing", d.number)
		}
		paid := false
		for _, p := range tx.InvoicePayments {
			paid = paid || p.InvoiceID == inv.ID
		}
		if paid {
			continue
		}
		if _, err := c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: inv.ID, TransactionID: tx.ID}); err != nil {
			return err
		}
	}
	return nil
}

// A customer, its invoices and a batch of bank transactions, each payment
// applied by finding its transaction through external_ids: under each of
// the faults the matrix injects, on each change and on the lookups, the
// totals are exact and nothing is applied twice.
func TestE2EReconcileDepositsUnderFaults(t *testing.T) {
	t.Parallel()
	deposits := []e2eDeposit{{"R-1", "100.00"}, {"R-2", "250.50"}, {"R-3", "0.01"}, {"R-4", "999.99"}}
	type fault struct {
		name   string
		inject func(srv *assettest.Server, r assettest.Route)
	}
	faults := []fault{
		{"503", func(srv *assettest.Server, r assettest.Route) { srv.FailNext(r, 1, http.StatusServiceUnavailable) }},
		{"429", func(srv *assettest.Server, r assettest.Route) { srv.FailNext(r, 1, http.StatusTooManyRequests) }},
		{"dropped before", func(srv *assettest.Server, r assettest.Route) { srv.DropNext(r, 1, assettest.DropBeforeApply) }},
		{"dropped after", func(srv *assettest.Server, r assettest.Route) { srv.DropNext(r, 1, assettest.DropAfterApply) }},
		{"malformed", func(srv *assettest.Server, r assettest.Route) { srv.MalformedNext(r, 1) }},
	}
	routes := []assettest.Route{
		assettest.RouteCreateCustomer, assettest.RouteCreateInvoices, assettest.RouteCreateTransactions,
		assettest.RouteApplyPayment, assettest.RouteListTransactions, assettest.RouteListCustomers,
	}
	for _, f := range faults {
		for _, route := range routes {
			t.Run(f.name+"/"+string(route), func(t *testing.T) {
				t.Parallel()
				srv, _ := e2eServer(t)
				c := srv.Client(asset.WithRetryWait(time.Millisecond, 2*time.Millisecond))
				f.inject(srv, route)
				// A second fault of the kind on the payments: one more
				// payment whose answer is lost.
				f.inject(srv, assettest.RouteApplyPayment)
				rounds, err := e2eReconcile(context.Background(), c, deposits)
				require.NoError(t, err)
				assert.LessOrEqual(t, rounds, 4)

				require.Len(t, srv.Customers(e2eBiz), 1, "one customer")
				txns := srv.Transactions(e2eBiz)
				require.Len(t, txns, len(deposits), "one transaction per deposit")
				invs := srv.Invoices(e2eBiz)
				require.Len(t, invs, len(deposits), "one invoice per deposit")
				byNumber := map[string]asset.Invoice{}
				for _, inv := range invs {
					byNumber[inv.Number] = inv
					assert.Equal(t, srv.Customers(e2eBiz)[0].ID, inv.CustomerID)
				}
				for i, d := range deposits {
					inv := byNumber[d.number]
					require.Len(t, inv.Payments, 1, "%s paid once", d.number)
					assert.Equal(t, d.amount, inv.TotalPaid.String(), "%s paid in full", d.number)
					assert.Equal(t, asset.InvoiceStatusPaid, inv.Status)
					tx := txns[i]
					assert.Equal(t, d.externalID(), tx.ExternalID)
					assert.Equal(t, tx.ID, inv.Payments[0].TransactionID)
					left, _ := srv.TransactionRemaining(e2eBiz, tx.ID)
					assert.Equal(t, "0.00", left.StringFixed(2), "%s spent exactly", tx.ExternalID)
					require.Len(t, tx.InvoicePayments, 1)
				}
			})
		}
	}
}
