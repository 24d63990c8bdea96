package asset_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// A customer is created with your own id for it; should the outcome be
// unknown, that id finds it again.
func ExampleCustomerService_Create() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	in := asset.CustomerCreate{Name: "Acme Corp", ExternalID: "erp-42", Email: "ap@acme.example",
		BillingAddress: &asset.Address{Street1: "1 Main St", City: "Springfield", Country: "US"}}
	cus, err := client.Customers.Create(ctx, "biz_example", in)
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		cus, err = client.Customers.FindByExternalID(ctx, "biz_example", in.ExternalID)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cus.Name, cus.ExternalID, cus.BillingAddress.City)

	// Clear the email, keep the rest.
	none := ""
	cus, err = client.Customers.Update(ctx, "biz_example", cus.ID, asset.CustomerUpdate{Email: &none})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("email %q\n", cus.Email)
	// Output:
	// Acme Corp erp-42 Springfield
	// email ""
}

// A batch of bank transactions whose outcome is unknown is settled by the
// external ids it was sent with: only what is not found is sent again.
func ExampleTransactionService_FindByExternalIDs() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	srv.DropNext(assettest.RouteCreateTransactions, 1, assettest.DropAfterApply) // the answer is lost

	batch := []asset.TransactionCreate{
		{Description: "Wire from Acme", Datetime: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), Amount: asset.MustDecimal("570.00"),
			ExternalID: "bank-1001", ExternalAccountID: "eac_checking"},
		{Description: "Check from Globex", Datetime: time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC), Amount: asset.MustDecimal("1200.00"),
			ExternalID: "bank-1002", ExternalAccountID: "eac_checking"},
	}
	_, err := client.Transactions.Create(ctx, "biz_example", batch)
	fmt.Println("outcome unknown:", errors.Is(err, asset.ErrOutcomeUnknown))

	found, err := client.Transactions.FindByExternalIDs(ctx, "biz_example", []string{"bank-1001", "bank-1002"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var again []asset.TransactionCreate
	for _, tx := range batch {
		if _, ok := found[tx.ExternalID]; !ok {
			again = append(again, tx)
		}
	}
	fmt.Println("found", len(found), "to send again", len(again))
	// Output:
	// outcome unknown: true
	// found 2 to send again 0
}

// A payment is applied from the transaction its external id finds; the
// transaction then lists the invoice payments drawn on it.
func ExampleTransactionService_Get() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	txns, err := client.Transactions.Create(ctx, "biz_example", []asset.TransactionCreate{{Description: "Wire from Acme",
		Datetime: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), Amount: asset.MustDecimal("570.00"), ExternalID: "bank-1001", ExternalAccountID: "eac_checking"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	invs, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{
		{Number: "INV-1", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("570.00")}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := client.Payments.Apply(ctx, "biz_example", asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txns[0].ID}); err != nil {
		fmt.Println(err)
		return
	}
	tx, err := client.Transactions.Get(ctx, "biz_example", txns[0].ID, []string{asset.TransactionIncludeInvoicePayments})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range tx.InvoicePayments {
		fmt.Println(tx.ExternalID, "paid", p.PaymentAmount, "on", p.Invoice.Number, p.Invoice.Status)
	}
	// Output:
	// bank-1001 paid 570.00 on INV-1 paid
}

// The chart of accounts gives the ldg_ id an invoice line names.
func ExampleLedgerService_List() {
	srv := assettest.NewServer()
	defer srv.Close()
	ledgers, err := srv.Client().Ledgers.List(context.Background(), "biz_example")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range ledgers {
		if l.Type == asset.LedgerTypeRevenue && l.Name == "Sales" {
			fmt.Println(l.Name, l.Subtype, len(l.ID) > len("ldg_"))
		}
	}
	// Output:
	// Sales operating_revenue true
}
