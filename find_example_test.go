package asset_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func ExampleInvoiceService_FindByNumbers() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	due := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	batch := []asset.InvoiceCreate{
		{Number: "INV-1", DueAt: due, Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("10.00")}}},
		{Number: "INV-2", DueAt: due, Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("20.00")}}},
	}

	srv.DropNext(assettest.RouteCreateInvoices, 1, assettest.DropAfterApply) // the answer is lost
	_, err := client.Invoices.Create(ctx, "biz_example", batch)
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		// One walk, narrowed to the due dates the batch was sent with.
		found, err := client.Invoices.FindByNumbers(ctx, "biz_example", []string{"INV-1", "INV-2"},
			asset.WithDueWindow(due.AddDate(0, 0, -1), due.AddDate(0, 0, 1)))
		if err != nil {
			fmt.Println("still unknown:", err)
			return
		}
		for _, n := range []string{"INV-1", "INV-2"} {
			inv, ok := found[n]
			fmt.Println(n, "exists:", ok, inv.TotalAmount) // what is not found can be sent again
		}
	}
	// Output:
	// INV-1 exists: true 10.00
	// INV-2 exists: true 20.00
}

func ExampleRefundService_FindByExternalID() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	invs, _ := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{{Number: "INV-9",
		Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("30.00")}}}})
	txn := srv.AddTransaction("biz_example", asset.MustDecimal("30.00"))
	_, _ = client.Payments.Apply(ctx, "biz_example", asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txn})

	srv.DropNext(assettest.RouteCreateRefund, 1, assettest.DropAfterApply) // the answer is lost
	_, err := client.Refunds.Create(ctx, "biz_example", asset.RefundCreate{
		Amount: asset.MustDecimal("5.00"), ExternalID: "rf-1", RefundedAt: time.Now(), Method: asset.RefundMethodCash,
		InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: invs[0].ID, Amount: asset.MustDecimal("5.00")}},
	})
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		refund, err := client.Refunds.FindByExternalID(ctx, "biz_example", invs[0].ID, "rf-1")
		switch {
		case errors.Is(err, asset.ErrNotFound):
			fmt.Println("not created: create it again")
		case err != nil:
			fmt.Println("still unknown:", err)
		default:
			fmt.Println("rf-1 exists:", refund.Amount)
		}
	}
	// Output:
	// rf-1 exists: 5.00
}
