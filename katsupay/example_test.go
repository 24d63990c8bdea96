package katsupay_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/katsupay"
	"github.com/assetkit/asset-go/katsupay/katsupaytest"
)

func Example() {
	// A fake deployment; a real one has an address such as
	// "https://pay.example.com" and credentials of its own.
	srv := katsupaytest.NewServer()
	defer srv.Close()

	client, err := katsupay.NewClient(srv.URL,
		katsupay.WithToken(katsupaytest.Token),
		katsupay.WithServiceKey(katsupaytest.APIKey, katsupaytest.APICode),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	inv, err := client.Invoices.Create(context.Background(), katsupay.CreateInvoice{
		CounterPartyID:     "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		ReceivingAccountID: "9b2e6c1a-4d3f-4e8b-a5c7-1f0d2e3b4a5c",
		CounterPartyName:   "Lovelace Analytical Engines Ltd",
		AccountName:        "Operating account",
		DueDate:            time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC),
		Currency:           katsupay.Currency(2),
		Products: []katsupay.Product{
			{ProductID: "1c8f4a2e-7b6d-4c5e-9a8b-0f1e2d3c4b5a", Quantity: 2, UnitPrice: asset.MustDecimal("500.00")},
			{ProductID: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", Quantity: 1, UnitPrice: asset.MustDecimal("49.99")},
		},
		Description: "March consulting",
		SendInvoice: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created", inv.InvoiceID, "for", inv.Amount)
	// Output: created 00000000-0000-4000-8000-000000000001 for 1049.99
}

func ExampleInvoiceService_Create_errors() {
	srv := katsupaytest.NewServer()
	defer srv.Close()
	client := srv.Client()
	srv.FailNext(
		katsupaytest.Fault{Status: 400, Message: "Validation failed", Errors: []string{"Counterparty not found"}},
		katsupaytest.Fault{Status: 500, Message: "Internal server error"},
	)
	inv := katsupay.CreateInvoice{
		CounterPartyID:     "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		ReceivingAccountID: "9b2e6c1a-4d3f-4e8b-a5c7-1f0d2e3b4a5c",
		DueDate:            time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC),
		Products:           []katsupay.Product{{ProductID: "1c8f4a2e-7b6d-4c5e-9a8b-0f1e2d3c4b5a", Quantity: 1, UnitPrice: asset.MustDecimal("10")}},
	}
	for range 2 {
		_, err := client.Invoices.Create(context.Background(), inv)
		var kerr *katsupay.Error
		switch {
		case errors.Is(err, asset.ErrOutcomeUnknown):
			// Katsu Pay has no idempotency key: retrying blindly could
			// invoice twice.
			fmt.Println("may have been created; check before retrying:", err)
		case errors.As(err, &kerr) && errors.Is(err, asset.ErrValidation):
			fmt.Println("refused:", kerr.Errors)
		}
	}
	// Output:
	// refused: [Counterparty not found]
	// may have been created; check before retrying: katsupay: POST /api/v1/Invoice/Create: 500 Internal Server Error (outcome unknown: the invoice may have been created; check before retrying)
}
