package assettest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// BenchmarkCreateMany10k is 10,000 invoices created through CreateMany
// (100 batches of 100, 4 at once), on the in-memory server and on one that
// keeps a state file, side by side: a change made durable costs one append
// and one sync, never a rewrite of the state, so the two stay close. Each
// iteration works on a business of its own, the state growing as it would
// in use.
func BenchmarkCreateMany10k(b *testing.B) {
	invoices := benchInvoices(10_000)
	for _, bc := range []struct {
		name  string
		state bool
	}{{"memory", false}, {"state", true}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := []assettest.Option{assettest.WithoutRateLimit()}
			if bc.state {
				opts = append(opts, assettest.WithState(filepath.Join(b.TempDir(), "asset.state")))
			}
			srv := assettest.NewServer(opts...)
			defer srv.Close()
			c := srv.Client()
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				created, err := c.Invoices.CreateMany(ctx, fmt.Sprintf("biz_bench%d", i), invoices)
				if err != nil || len(created) != len(invoices) {
					b.Fatalf("created %d of %d: %v", len(created), len(invoices), err)
				}
			}
			b.ReportMetric(float64(b.N*len(invoices))/b.Elapsed().Seconds(), "invoices/s")
		})
	}
}

// benchInvoices is n invoices of two lines.
func benchInvoices(n int) []asset.InvoiceCreate {
	invoices := make([]asset.InvoiceCreate, n)
	for i := range invoices {
		invoices[i] = asset.InvoiceCreate{
			Number:             fmt.Sprintf("B-%05d", i),
			CustomerExternalID: fmt.Sprintf("erp-%d", i%50),
			Lines: []asset.InvoiceLineCreate{
				{Description: "Consulting", UnitPrice: asset.MustDecimal("150.00"), Quantity: asset.MustDecimal("10")},
				{Description: "Travel", Amount: asset.MustDecimal("80.00")},
			},
		}
	}
	return invoices
}

// BenchmarkStartOn10k is a start on a state file that holds 10,000
// invoices (100 batches): what a restart costs, the journal being replayed
// and rewritten.
func BenchmarkStartOn10k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "asset.state")
	srv := assettest.NewServer(assettest.WithoutRateLimit(), assettest.WithState(path))
	_, err := srv.Client().Invoices.CreateMany(context.Background(), "biz_bench", benchInvoices(10_000))
	srv.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		srv, err := assettest.Start(assettest.WithState(path))
		if err != nil {
			b.Fatal(err)
		}
		if n := len(srv.Invoices("biz_bench")); n != 10_000 {
			b.Fatalf("%d invoices after a restart", n)
		}
		srv.Close()
	}
}
