package asset_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// e2eRefundedAt is when the refunds of these tests were made.
var e2eRefundedAt = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

// e2ePaid creates an invoice of total and pays paid of it, in one payment
// per amount, each from a transaction of its own.
func e2ePaid(t *testing.T, srv *assettest.Server, c *asset.Client, number, total string, paid ...string) asset.Invoice {
	t.Helper()
	ctx := context.Background()
	invs, err := c.Invoices.Create(ctx, e2eBiz, []asset.InvoiceCreate{{Number: number, Lines: e2eAmount(total)}})
	require.NoError(t, err)
	inv := &invs[0]
	for _, p := range paid {
		txn := srv.AddTransaction(e2eBiz, asset.MustDecimal(p))
		inv, err = c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: inv.ID, TransactionID: txn})
		require.NoError(t, err)
	}
	return *inv
}

// e2eRefund is a refund of the given invoice ids and amounts, in pairs.
func e2eRefund(externalID string, idsAndAmounts ...string) asset.RefundCreate {
	r := asset.RefundCreate{ExternalID: externalID, RefundedAt: e2eRefundedAt, Method: asset.RefundMethodCheck, Amount: asset.DecimalFromInt(0)}
	for i := 0; i < len(idsAndAmounts); i += 2 {
		amount := asset.MustDecimal(idsAndAmounts[i+1])
		r.InvoicesToRefund = append(r.InvoicesToRefund, asset.RefundInvoiceCreate{InvoiceID: idsAndAmounts[i], Amount: amount})
		r.Amount = r.Amount.Add(amount)
	}
	return r
}

func e2eStatus(t *testing.T, srv *assettest.Server, invoiceID string) asset.InvoiceStatus {
	t.Helper()
	inv, ok := srv.Invoice(e2eBiz, invoiceID)
	require.True(t, ok)
	return inv.Status
}

func TestE2ERefundMovesInvoices(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	a := e2ePaid(t, srv, c, "RF-A", "100.00", "100.00")
	b := e2ePaid(t, srv, c, "RF-B", "80.00", "50.00") // open, 30.00 still owed

	in := e2eRefund("ref-1", a.ID, "100.00", b.ID, "30.00")
	in.Memo, in.Processor, in.IsReturn = "returned", "Jane", true
	r, err := c.Refunds.Create(ctx, e2eBiz, in)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(r.ID, "rfu_"), r.ID)
	assert.Equal(t, []string{e2eBiz, "ref-1", "130.00", "0", "returned", "Jane", "check", "pending"},
		[]string{r.BusinessID, r.ExternalID, r.Amount.String(), r.AmountPaid.String(), r.Memo, r.Processor, string(r.Method), string(r.Status)})
	assert.True(t, r.IsReturn)
	assert.Equal(t, e2eRefundedAt, r.RefundedAt)
	assert.Empty(t, r.Payments)
	require.Len(t, r.RefundInvoices, 2)
	assert.Equal(t, []string{a.ID, "100.00", b.ID, "30.00"},
		[]string{r.RefundInvoices[0].InvoiceID, r.RefundInvoices[0].Amount.String(), r.RefundInvoices[1].InvoiceID, r.RefundInvoices[1].Amount.String()})
	assert.True(t, strings.HasPrefix(r.RefundInvoices[0].ID, "rfi_"), r.RefundInvoices[0].ID)

	// Everything paid on A came back; B got back 30.00 of the 50.00 paid.
	assert.Equal(t, asset.InvoiceStatusRefunded, e2eStatus(t, srv, a.ID))
	assert.Equal(t, asset.InvoiceStatusPartiallyRefunded, e2eStatus(t, srv, b.ID))
	assert.Equal(t, []asset.Refund{*r}, srv.Refunds(e2eBiz), "the server holds what the client got, once")

	// The rest of B's payments refunded: B is refunded too.
	_, err = c.Refunds.Create(ctx, e2eBiz, e2eRefund("ref-2", b.ID, "20.00"))
	require.NoError(t, err)
	assert.Equal(t, asset.InvoiceStatusRefunded, e2eStatus(t, srv, b.ID))
}

func TestE2ERefundByInvoiceExternalID(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	inv := e2ePaid(t, srv, c, "RF-EXT", "40.00", "40.00")
	r, err := c.Refunds.Create(context.Background(), e2eBiz, asset.RefundCreate{
		Amount: asset.MustDecimal("15.00"), ExternalID: "ref-ext", RefundedAt: e2eRefundedAt, Method: asset.RefundMethodACH,
		InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceExternalID: "RF-EXT", InvoiceLineID: inv.Lines[0].ID, Amount: asset.MustDecimal("15.00"), Memo: "one line"}},
	})
	require.NoError(t, err)
	require.Len(t, r.RefundInvoices, 1)
	ri := r.RefundInvoices[0]
	assert.Equal(t, []string{inv.ID, "RF-EXT", inv.Lines[0].ID, "one line"}, []string{ri.InvoiceID, ri.ExternalID, ri.InvoiceLineID, ri.Memo})
	assert.Equal(t, asset.InvoiceStatusPartiallyRefunded, e2eStatus(t, srv, inv.ID))
}

func TestE2ERefundRefused(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	paid := e2ePaid(t, srv, c, "RF-1", "100.00", "60.00", "40.00")
	half := e2ePaid(t, srv, c, "RF-2", "100.00", "50.00")
	unpaid := e2ePaid(t, srv, c, "RF-3", "100.00")
	written := e2ePaid(t, srv, c, "RF-4", "100.00", "30.00")
	_, err := c.Invoices.WriteOff(ctx, e2eBiz, written.ID, asset.InvoiceWriteOff{})
	require.NoError(t, err)
	voided := e2ePaid(t, srv, c, "RF-5", "100.00", "10.00")
	_, err = c.Invoices.Update(ctx, e2eBiz, voided.ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
	require.NoError(t, err)
	other, err := c.Invoices.Create(ctx, "biz_e2e_other", []asset.InvoiceCreate{{Number: "O-1", Lines: e2eAmount("10.00")}})
	require.NoError(t, err)
	first, err := c.Refunds.Create(ctx, e2eBiz, e2eRefund("ref-taken", paid.ID, "70.00"))
	require.NoError(t, err)

	mismatched := e2eRefund("ref-sum", half.ID, "10.00")
	mismatched.Amount = asset.MustDecimal("11.00")
	for _, tc := range []struct {
		name     string
		refund   asset.RefundCreate
		want     error
		contains string
	}{
		{"beyond what was paid", e2eRefund("ref-a", half.ID, "50.01"), asset.ErrValidation, "exceeds the 50.00 paid and not yet refunded"},
		{"beyond what is left after a refund", e2eRefund("ref-b", paid.ID, "30.01"), asset.ErrValidation, "exceeds the 30.00 paid and not yet refunded"},
		{"twice the same invoice, beyond what was paid", e2eRefund("ref-c", half.ID, "30.00", half.ID, "30.00"), asset.ErrValidation, "Refund of 60.00 exceeds"},
		{"an unpaid invoice", e2eRefund("ref-d", unpaid.ID, "1.00"), asset.ErrValidation, "exceeds the 0 paid"},
		{"a write-off", e2eRefund("ref-e", written.ID, "30.01"), asset.ErrValidation, "exceeds the 30.00 paid"},
		{"a voided invoice", e2eRefund("ref-f", voided.ID, "1.00"), asset.ErrValidation, "is voided"},
		{"an invoice of another business", e2eRefund("ref-g", other[0].ID, "1.00"), asset.ErrNotFound, "Invoice not found"},
		{"an unknown invoice", e2eRefund("ref-h", "inv_unknownunknownunknow", "1.00"), asset.ErrNotFound, "Invoice not found"},
		{"a line of another invoice", asset.RefundCreate{
			Amount: asset.MustDecimal("1.00"), ExternalID: "ref-i", RefundedAt: e2eRefundedAt, Method: asset.RefundMethodCash,
			InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: half.ID, InvoiceLineID: paid.Lines[0].ID, Amount: asset.MustDecimal("1.00")}},
		}, asset.ErrValidation, "is not a line of invoice"},
		{"amounts that do not add up", mismatched, asset.ErrValidation, "not the sum"},
		{"a refund_external_id already used", e2eRefund("ref-taken", half.ID, "1.00"), asset.ErrConflict, "already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Requests(assettest.RouteCreateRefund)
			r, err := c.Refunds.Create(ctx, e2eBiz, tc.refund)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, r)
			assert.Contains(t, err.Error(), tc.contains)
			assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown, "a refusal is a known outcome")
			assert.Equal(t, 1, srv.Requests(assettest.RouteCreateRefund)-before, "sent once, never retried")
		})
	}
	assert.Equal(t, []asset.Refund{*first}, srv.Refunds(e2eBiz), "no refused refund was stored")
	assert.Equal(t, 1, srv.Applied(assettest.RouteCreateRefund))
	for inv, want := range map[string]asset.InvoiceStatus{
		paid.ID: asset.InvoiceStatusPartiallyRefunded, half.ID: asset.InvoiceStatusOpen, unpaid.ID: asset.InvoiceStatusOpen,
		written.ID: asset.InvoiceStatusPaid, voided.ID: asset.InvoiceStatusVoided,
	} {
		assert.Equal(t, want, e2eStatus(t, srv, inv), inv)
	}
}

func TestE2ERefundPayments(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	inv := e2ePaid(t, srv, c, "RP-1", "300.00", "300.00")
	r, err := c.Refunds.Create(ctx, e2eBiz, e2eRefund("rp-1", inv.ID, "100.00"))
	require.NoError(t, err)

	t30 := srv.AddTransaction(e2eBiz, asset.MustDecimal("30.00"))
	r, err = c.Refunds.ApplyPayment(ctx, e2eBiz, asset.RefundPaymentCreate{RefundID: r.ID, TransactionID: t30})
	require.NoError(t, err, "the transaction's amount by default")
	assert.Equal(t, []string{"30.00", "70.00", "pending"}, []string{r.AmountPaid.String(), r.Outstanding().String(), string(r.Status)})
	require.Len(t, r.Payments, 1)
	assert.Equal(t, []string{t30, "30.00"}, []string{r.Payments[0].TransactionID, r.Payments[0].Amount.String()})
	assert.True(t, strings.HasPrefix(r.Payments[0].ID, "rfp_"), r.Payments[0].ID)

	// A transaction already drawn on by an invoice payment has only its
	// remainder left.
	t100 := srv.AddTransaction(e2eBiz, asset.MustDecimal("100.00"))
	other := e2ePaid(t, srv, c, "RP-2", "20.00")
	_, err = c.Payments.Apply(ctx, e2eBiz, asset.InvoicePaymentCreate{InvoiceID: other.ID, TransactionID: t100, PaymentAmount: asset.MustDecimal("20.00")})
	require.NoError(t, err)
	second, err := c.Refunds.Create(ctx, e2eBiz, e2eRefund("rp-2", inv.ID, "200.00"))
	require.NoError(t, err)

	for _, tc := range []struct {
		name     string
		pay      asset.RefundPaymentCreate
		want     error
		contains string
	}{
		{"a spent transaction", asset.RefundPaymentCreate{RefundID: r.ID, TransactionID: t30}, asset.ErrValidation, "has been applied in full"},
		{"beyond what the transaction has left", asset.RefundPaymentCreate{RefundID: second.ID, TransactionID: t100, PaymentAmount: asset.MustDecimal("80.01")}, asset.ErrValidation, "exceeds the 80.00 remaining"},
		{"beyond what the refund has left, by default", asset.RefundPaymentCreate{RefundID: r.ID, TransactionID: t100}, asset.ErrValidation, "exceeds the 70.00 left to pay"},
		{"an unknown refund", asset.RefundPaymentCreate{RefundID: "rfu_unknownunknownunknow", TransactionID: t100}, asset.ErrNotFound, "Refund not found"},
		{"an unknown transaction", asset.RefundPaymentCreate{RefundID: r.ID, TransactionID: "txn_unknownunknownunknow"}, asset.ErrNotFound, "Transaction not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Requests(assettest.RouteApplyRefundPayment)
			got, err := c.Refunds.ApplyPayment(ctx, e2eBiz, tc.pay)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, got)
			assert.Contains(t, err.Error(), tc.contains)
			assert.Equal(t, 1, srv.Requests(assettest.RouteApplyRefundPayment)-before, "sent once, never retried")
		})
	}
	left, _ := srv.TransactionRemaining(e2eBiz, t100)
	assert.Equal(t, "80.00", left.String(), "no refused payment drew on it")

	// Payments that cover the amount complete the refund.
	r, err = c.Refunds.ApplyPayment(ctx, e2eBiz, asset.RefundPaymentCreate{RefundID: r.ID, TransactionID: t100, PaymentAmount: asset.MustDecimal("70.00")})
	require.NoError(t, err)
	assert.Equal(t, []string{"100.00", "0.00", "completed"}, []string{r.AmountPaid.String(), r.Outstanding().String(), string(r.Status)})
	_, err = c.Refunds.ApplyPayment(ctx, e2eBiz, asset.RefundPaymentCreate{RefundID: r.ID, TransactionID: t100, PaymentAmount: asset.MustDecimal("1.00")})
	require.ErrorIs(t, err, asset.ErrValidation)
	assert.Contains(t, err.Error(), "paid in full")
	left, _ = srv.TransactionRemaining(e2eBiz, t100)
	assert.Equal(t, "10.00", left.String())

	// A refund of another business is not found.
	_, err = c.Refunds.ApplyPayment(ctx, "biz_e2e_other", asset.RefundPaymentCreate{RefundID: second.ID, TransactionID: t100})
	require.ErrorIs(t, err, asset.ErrNotFound)
	stored, ok := srv.Refund(e2eBiz, second.ID)
	require.True(t, ok)
	assert.Empty(t, stored.Payments)
}

func TestE2ERefundLists(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	a := e2ePaid(t, srv, c, "RL-A", "100.00", "100.00")
	b := e2ePaid(t, srv, c, "RL-B", "100.00", "100.00")
	var ids []string
	for _, r := range []asset.RefundCreate{
		e2eRefund("rl-1", a.ID, "10.00"),
		e2eRefund("rl-2", b.ID, "10.00"),
		e2eRefund("rl-3", a.ID, "10.00", b.ID, "10.00"),
	} {
		got, err := c.Refunds.Create(ctx, e2eBiz, r)
		require.NoError(t, err)
		ids = append(ids, got.ID)
	}
	txn := srv.AddTransaction(e2eBiz, asset.MustDecimal("10.00"))
	_, err := c.Refunds.ApplyPayment(ctx, e2eBiz, asset.RefundPaymentCreate{RefundID: ids[1], TransactionID: txn})
	require.NoError(t, err)

	refundIDs := func(rs []asset.Refund) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	forA, err := c.Refunds.ListForInvoice(ctx, e2eBiz, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{ids[0], ids[2]}, refundIDs(forA))
	none, err := c.Refunds.ListForInvoice(ctx, e2eBiz, e2ePaid(t, srv, c, "RL-C", "5.00").ID)
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = c.Refunds.ListForInvoice(ctx, e2eBiz, "inv_unknownunknownunknow")
	require.ErrorIs(t, err, asset.ErrNotFound)

	completed, err := c.Refunds.List(ctx, e2eBiz, &asset.RefundListParams{Status: asset.RefundStatusCompleted})
	require.NoError(t, err)
	assert.Equal(t, []string{ids[1]}, refundIDs(completed.Data))
	assert.False(t, completed.HasNext())

	var walked []string
	for r, err := range c.Refunds.All(ctx, e2eBiz, &asset.RefundListParams{Status: asset.RefundStatusPending, PageSize: 1}) {
		require.NoError(t, err)
		walked = append(walked, r.ID)
		require.Less(t, len(walked), 10, "the walk does not end")
	}
	assert.Equal(t, []string{ids[0], ids[2]}, walked)

	// A page token holds its filters: another status is refused.
	first, err := c.Refunds.List(ctx, e2eBiz, &asset.RefundListParams{PageSize: 1})
	require.NoError(t, err)
	require.True(t, first.HasNext())
	_, err = c.Refunds.List(ctx, e2eBiz, &asset.RefundListParams{PageSize: 1, PageToken: first.NextPageToken, Status: asset.RefundStatusVoided})
	require.ErrorIs(t, err, asset.ErrValidation)
	pager := c.Refunds.Pager(e2eBiz, &asset.RefundListParams{PageSize: 2})
	p1, err := pager.Next(ctx)
	require.NoError(t, err)
	p2, err := pager.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, ids, append(refundIDs(p1.Data), refundIDs(p2.Data)...))
}

// A refund lost on its way back is found again by its refund_external_id
// among the invoice's refunds, and sending it again cannot refund twice.
func TestE2ERefundResentAfterUnknownOutcome(t *testing.T) {
	t.Parallel()
	srv, c := e2eServer(t)
	ctx := context.Background()
	inv := e2ePaid(t, srv, c, "RU-1", "100.00", "100.00")
	in := e2eRefund("ru-1", inv.ID, "40.00")

	srv.DropNext(assettest.RouteCreateRefund, 1, assettest.DropAfterApply)
	_, err := c.Refunds.Create(ctx, e2eBiz, in)
	require.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Requests(assettest.RouteCreateRefund), "never resent by the SDK")

	refunds, err := c.Refunds.ListForInvoice(ctx, e2eBiz, inv.ID)
	require.NoError(t, err)
	require.Len(t, refunds, 1)
	assert.Equal(t, "ru-1", refunds[0].ExternalID, "the recovery finds it by its external id")

	_, err = c.Refunds.Create(ctx, e2eBiz, in)
	require.ErrorIs(t, err, asset.ErrConflict, "and sending it again cannot refund twice")
	assert.Len(t, srv.Refunds(e2eBiz), 1)
	assert.Equal(t, 1, srv.Applied(assettest.RouteCreateRefund))
}
