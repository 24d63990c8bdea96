package asset_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func ExampleInvoiceService_CreateMany() {
	srv := assettest.NewServer() // stands in for the API
	defer srv.Close()
	ctx := context.Background()
	// An earlier run of the sync created one of the rows already.
	_, _ = srv.Client().Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{{Number: "ERP-00042"}})

	// The API allows 300 requests a minute per business: pace to it.
	client := srv.Client(asset.WithRateLimit(300, time.Minute))

	// Rows from an ERP: any number of them.
	invoices := make([]asset.InvoiceCreate, 150)
	for i := range invoices {
		invoices[i] = asset.InvoiceCreate{
			Number: fmt.Sprintf("ERP-%05d", i),
			Lines:  []asset.InvoiceLineCreate{{Description: "Subscription", Amount: asset.MustDecimal("49.00")}},
		}
	}
	created, err := client.Invoices.CreateMany(ctx, "biz_example", invoices,
		asset.WithConcurrency(2),
		asset.WithProgress(func(p asset.Progress) {
			if p.Done == p.Total { // called as each batch finishes
				fmt.Printf("%d of %d done: %d created, %d failed\n", p.Done, p.Total, p.Created, p.Failed)
			}
		}))
	fmt.Println("created:", len(created))
	var batchErr *asset.BatchError
	if errors.As(err, &batchErr) {
		for _, f := range batchErr.Failures {
			switch {
			case errors.Is(f.Err, asset.ErrOutcomeUnknown):
				fmt.Printf("row %d (%s) may exist: look it up\n", f.Index, f.Number)
			case errors.Is(f.Err, context.Canceled):
				fmt.Printf("row %d (%s) was not sent\n", f.Index, f.Number)
			default:
				fmt.Printf("row %d (%s) was refused: %s\n", f.Index, f.Number, f.Message)
			}
		}
	}
	// Output:
	// 150 of 150 done: 149 created, 1 failed
	// created: 149
	// row 42 (ERP-00042) was refused: An invoice with number "ERP-00042" already exists
}
