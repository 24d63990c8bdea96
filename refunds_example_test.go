package asset_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// exampleRefundSetup is a server with one invoice of 120.00 paid in full,
// and a client for it.
func exampleRefundSetup() (*assettest.Server, *asset.Client, string) {
	srv := assettest.NewServer()
	client := srv.Client()
	ctx := context.Background()
	invs, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{
		{Number: "INV-100", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("120.00")}}},
	})
	if err != nil {
		panic(err)
	}
	txn := srv.AddTransaction("biz_example", asset.MustDecimal("120.00"))
	if _, err := client.Payments.Apply(ctx, "biz_example", asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txn}); err != nil {
		panic(err)
	}
	return srv, client, invs[0].ID
}

func ExampleRefundService_Create() {
	srv, client, invoiceID := exampleRefundSetup()
	defer srv.Close()
	ctx := context.Background()

	refund := asset.RefundCreate{
		Amount:     asset.MustDecimal("45.00"),
		ExternalID: "crm-refund-881", // your own id: how a lost answer is found again
		RefundedAt: time.Date(2025, 1, 15, 14, 30, 0, 0, time.UTC),
		Method:     asset.RefundMethodCheck,
		InvoicesToRefund: []asset.RefundInvoiceCreate{
			{InvoiceID: invoiceID, Amount: asset.MustDecimal("45.00")},
		},
		Memo: "damaged on delivery",
	}
	r, err := client.Refunds.Create(ctx, "biz_example", refund)
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		// The refund may exist: look for its external id among the
		// invoice's refunds before creating it again.
		found, lerr := client.Refunds.ListForInvoice(ctx, "biz_example", invoiceID)
		if lerr != nil {
			fmt.Println(lerr)
			return
		}
		for i := range found {
			if found[i].ExternalID == refund.ExternalID {
				r, err = &found[i], nil
			}
		}
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Status, r.Amount, r.Outstanding())
	inv, _ := client.Invoices.Get(ctx, "biz_example", invoiceID)
	fmt.Println(inv.Status)

	// The same external id again is a conflict, never a second refund.
	_, err = client.Refunds.Create(ctx, "biz_example", refund)
	fmt.Println(errors.Is(err, asset.ErrConflict))
	// Output:
	// pending 45.00 45.00
	// partially_refunded
	// true
}

func ExampleRefundService_ApplyPayment() {
	srv, client, invoiceID := exampleRefundSetup()
	defer srv.Close()
	ctx := context.Background()

	r, err := client.Refunds.Create(ctx, "biz_example", asset.RefundCreate{
		Amount: asset.MustDecimal("120.00"), ExternalID: "crm-refund-882",
		RefundedAt: time.Date(2025, 1, 15, 14, 30, 0, 0, time.UTC), Method: asset.RefundMethodACH,
		InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: invoiceID, Amount: asset.MustDecimal("120.00")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The money leaving the bank account, as a transaction.
	txn := srv.AddTransaction("biz_example", asset.MustDecimal("120.00"))
	r, err = client.Refunds.ApplyPayment(ctx, "biz_example", asset.RefundPaymentCreate{
		RefundID: r.ID, TransactionID: txn, // no amount: the transaction's
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Status, r.AmountPaid, len(r.Payments))
	// Output:
	// completed 120.00 1
}

func ExampleRefundService_All() {
	srv, client, invoiceID := exampleRefundSetup()
	defer srv.Close()
	ctx := context.Background()
	for i, amount := range []string{"10.00", "20.00"} {
		_, err := client.Refunds.Create(ctx, "biz_example", asset.RefundCreate{
			Amount: asset.MustDecimal(amount), ExternalID: fmt.Sprintf("crm-refund-%d", i),
			RefundedAt: time.Date(2025, 1, 15, 14, 30, 0, 0, time.UTC), Method: asset.RefundMethodCash,
			InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: invoiceID, Amount: asset.MustDecimal(amount)}},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
	}

	pending := &asset.RefundListParams{Status: asset.RefundStatusPending}
	for r, err := range client.Refunds.All(ctx, "biz_example", pending) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.ExternalID, r.Amount)
	}
	// Output:
	// crm-refund-0 10.00
	// crm-refund-1 20.00
}

func ExampleRefundService_ListForInvoice() {
	srv, client, invoiceID := exampleRefundSetup()
	defer srv.Close()
	ctx := context.Background()
	_, err := client.Refunds.Create(ctx, "biz_example", asset.RefundCreate{
		Amount: asset.MustDecimal("120.00"), ExternalID: "crm-refund-883",
		RefundedAt: time.Date(2025, 1, 15, 14, 30, 0, 0, time.UTC), Method: asset.RefundMethodCreditCard,
		InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: invoiceID, Amount: asset.MustDecimal("120.00")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	refunds, err := client.Refunds.ListForInvoice(ctx, "biz_example", invoiceID)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range refunds {
		fmt.Println(r.ExternalID, r.Amount, r.Method)
	}
	inv, _ := client.Invoices.Get(ctx, "biz_example", invoiceID)
	fmt.Println(inv.Status)
	// Output:
	// crm-refund-883 120.00 credit_card
	// refunded
}
