package assettest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func Example() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	const biz = "biz_example"

	invs, err := client.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{
		Number: "INV-001",
		Lines: []asset.InvoiceLineCreate{
			{Description: "Widgets", UnitPrice: asset.MustDecimal("19.99"), Quantity: asset.MustDecimal("3")},
			{Description: "Setup", Amount: asset.MustDecimal("50")},
		},
	}})
	if err != nil {
		fmt.Println("create:", err)
		return
	}
	inv := invs[0]
	fmt.Println(inv.Number, inv.Status, inv.TotalAmount)

	// Money arrives; pay part of the invoice with it, then the rest.
	txn := srv.AddTransaction(biz, asset.MustDecimal("200"))
	for _, amount := range []string{"50", "59.97"} {
		got, err := client.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{
			InvoiceID: inv.ID, TransactionID: txn, PaymentAmount: asset.MustDecimal(amount),
		})
		if err != nil {
			fmt.Println("pay:", err)
			return
		}
		fmt.Println("paid", got.TotalPaid, "of", got.TotalAmount, "->", got.Status)
	}

	// The API's rules hold: nothing more can be paid.
	_, err = client.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{
		InvoiceID: inv.ID, TransactionID: txn, PaymentAmount: asset.MustDecimal("1"),
	})
	fmt.Println("overpay refused:", errors.Is(err, asset.ErrValidation))

	left, _ := srv.TransactionRemaining(biz, txn)
	fmt.Println("left on the transaction:", left)
	// Output:
	// INV-001 open 109.97
	// paid 50 of 109.97 -> open
	// paid 109.97 of 109.97 -> paid
	// overpay refused: true
	// left on the transaction: 90.03
}

// A payment whose response is lost on the way back: the SDK does not retry
// it (that could pay twice) and says the outcome is unknown, and the
// server's state shows it was applied exactly once.
func ExampleServer_DropNext() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	const biz = "biz_example"

	invs, _ := client.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{
		Number: "INV-002", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("30")}},
	}})
	txn := srv.AddTransaction(biz, asset.MustDecimal("30"))

	srv.DropNext(assettest.RouteApplyPayment, 1, assettest.DropAfterApply)
	_, err := client.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{
		InvoiceID: invs[0].ID, TransactionID: txn,
	})
	fmt.Println("outcome unknown:", errors.Is(err, asset.ErrOutcomeUnknown))
	fmt.Println("requests:", srv.Requests(assettest.RouteApplyPayment), "applied:", srv.Applied(assettest.RouteApplyPayment))

	inv, _ := srv.Invoice(biz, invs[0].ID)
	fmt.Println(inv.Status, len(inv.Payments), "payment")
	// Output:
	// outcome unknown: true
	// requests: 1 applied: 1
	// paid 1 payment
}

// A payment without a transaction is drawn from the credit of the
// invoice's customer, which a test sets up with AddCredit.
func ExampleServer_AddCredit() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	const biz = "biz_example"

	invs, _ := client.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{
		Number: "INV-003", CustomerID: "cus_acme", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("80.00")}},
	}})
	srv.AddCredit(biz, "cus_acme", asset.MustDecimal("50.00"))

	pay := asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, PaymentAmount: asset.MustDecimal("50.00")}
	inv, err := client.Payments.Apply(ctx, biz, pay)
	fmt.Println(inv.TotalPaid, "paid, balance", inv.Balance(), err)
	_, err = client.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: inv.ID, PaymentAmount: inv.Balance()})
	fmt.Println("beyond the credit refused:", errors.Is(err, asset.ErrValidation))
	left, _ := srv.CreditRemaining(biz, "cus_acme")
	fmt.Println("credit left:", left)
	// Output:
	// 50.00 paid, balance 30.00 <nil>
	// beyond the credit refused: true
	// credit left: 0.00
}

// The API refuses a tag whose field does not exist in the business; the
// server does too until the field is defined.
func ExampleWithTagFields() {
	srv := assettest.NewServer(assettest.WithTagFields("Location"))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	const biz = "biz_example"

	invs, _ := client.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{
		Number: "INV-004", Tags: map[string]string{"Location": "NYC"},
	}})
	_, err := client.Invoices.Update(ctx, biz, invs[0].ID, asset.InvoiceUpdate{
		Tags: map[string]*string{"Project": asset.TagSet("Roof")},
	})
	fmt.Println("unknown field refused:", errors.Is(err, asset.ErrValidation))

	srv.AddTagField(biz, "Project")
	inv, err := client.Invoices.Update(ctx, biz, invs[0].ID, asset.InvoiceUpdate{
		Tags: map[string]*string{"Project": asset.TagSet("Roof")},
	})
	fmt.Println(inv.Tags["Location"], inv.Tags["Project"], err)
	// Output:
	// unknown field refused: true
	// NYC Roof <nil>
}
