package assettest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// BenchmarkCreateMany10k is 10,000 invoices created through CreateMany
// (100 batches of 100, 4 at once) on the in-memory server and on one that
// keeps a state file, side by side: a change made durable costs one append
// and a sync shared with the changes written meanwhile, never a rewrite of
// the state. Each iteration runs both, one after the other, so that a
// machine busy with something else slows both alike; it reports each one's
// time and state/memory, their ratio over the whole run. Each iteration
// works on a business of its own, the state growing as it would in use.
func BenchmarkCreateMany10k(b *testing.B) {
	invoices := benchInvoices(10_000)
	memory := assettest.NewServer(assettest.WithoutRateLimit())
	defer memory.Close()
	state := assettest.NewServer(assettest.WithoutRateLimit(), assettest.WithState(filepath.Join(b.TempDir(), "asset.state")))
	defer state.Close()
	servers := []*assettest.Server{memory, state}
	clients := []*asset.Client{memory.Client(), state.Client()}
	var took [2]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for n := range clients {
			// Each goes first every other time, so that neither always
			// pays for the garbage the other left.
			k := (i + n) % 2
			c := clients[k]
			begin := time.Now()
			created, err := c.Invoices.CreateMany(context.Background(), fmt.Sprintf("biz_bench%d", i), invoices)
			took[k] += time.Since(begin)
			if err != nil || len(created) != len(invoices) {
				b.Fatalf("%s: created %d of %d: %v", servers[k].URL, len(created), len(invoices), err)
			}
		}
	}
	b.ReportMetric(float64(took[0].Milliseconds())/float64(b.N), "memory-ms/op")
	b.ReportMetric(float64(took[1].Milliseconds())/float64(b.N), "state-ms/op")
	b.ReportMetric(float64(took[1])/float64(took[0]), "state/memory")
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
