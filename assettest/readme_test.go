package assettest_test

// docs/testing.md shows this test; it is kept here, verbatim,
// so that the snippet is known to compile and pass.

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func TestBilling(t *testing.T) {
	srv := assettest.NewServer()
	t.Cleanup(srv.Close)
	client := srv.Client() // an *asset.Client wired to srv, token included
	ctx := t.Context()     // cancelled when the test ends

	invs, err := client.Invoices.Create(ctx, "biz_test", []asset.InvoiceCreate{{
		Number: "INV-1",
		Lines:  []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("120.50")}},
	}})
	require.NoError(t, err)

	txn := srv.AddTransaction("biz_test", asset.MustDecimal("120.50")) // money received
	inv, err := client.Payments.Apply(ctx, "biz_test", asset.InvoicePaymentCreate{
		InvoiceID: invs[0].ID, TransactionID: txn,
	})
	require.NoError(t, err)
	require.Equal(t, asset.InvoiceStatusPaid, inv.Status)
}
