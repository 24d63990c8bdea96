package asset

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplyBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payment InvoicePaymentCreate
		golden  string
	}{
		{"transaction and amount", InvoicePaymentCreate{
			InvoiceID: testInv, TransactionID: "txn_WQMDNUHpBThYSNh4AprDBo", PaymentAmount: MustDecimal("10.50"),
		}, "golden_apply.json"},
		// The amount defaults to the transaction's: it must be left out, not sent as 0 or null.
		{"transaction only", InvoicePaymentCreate{
			InvoiceID: testInv, TransactionID: "txn_WQMDNUHpBThYSNh4AprDBo",
		}, "golden_apply_transaction_only.json"},
		// Without a transaction the payment is drawn from the customer's credit.
		{"credit", InvoicePaymentCreate{
			InvoiceID: testInv, PaymentAmount: MustDecimal("25.00"),
		}, "golden_apply_credit.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("POST "+pathPayments, replyFile(t, http.StatusOK, "seed_payment_response.json"))

			inv, err := c.Payments.Apply(context.Background(), testBiz, tt.payment)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, "Bearer "+testToken, sent[0].Header.Get("Authorization"))
			assert.Equal(t, []string{"application/json"}, sent[0].Header.Values("Content-Type"))
			requireSameJSON(t, testdataFile(t, tt.golden), sent[0].Body)
			assert.NotContains(t, string(sent[0].Body), "business_id")
			require.NotNil(t, inv)
			assert.Equal(t, InvoiceStatusOpen, inv.Status)
		})
	}
}

func TestApplySeed(t *testing.T) {
	// The seed's own request, sent as the SDK would build it, and its answer.
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("POST "+pathPayments, replyFile(t, http.StatusOK, "seed_payment_response.json"))

	inv, err := c.Payments.Apply(context.Background(), testBiz, InvoicePaymentCreate{
		InvoiceID: "<string>", TransactionID: "<string>", PaymentAmount: DecimalFromInt(1),
	})
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	requireSameJSON(t, testdataFile(t, "seed_payment_request.json"), sent[0].Body)
	assert.Equal(t, "<string>", inv.ID)
	assertDecimal(t, "123", inv.TotalAmount, "total_amount")
	assertDecimal(t, "0", inv.TotalPaid, "total_paid")
	assertDecimal(t, "123", inv.CreditAmount, "credit_amount")
	assert.Equal(t, InvoiceSourceManual, inv.Source)
	require.Len(t, inv.Lines, 1)
	assertDecimal(t, "123", inv.Lines[0].Quantity, "quantity")
	require.Len(t, inv.Payments, 1)
	p := inv.Payments[0]
	assertDecimal(t, "123", p.PaymentAmount, "payment_amount")
	assert.True(t, p.Datetime.Equal(time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC)))
}

func TestApplyUserID(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, WithUserID("usr_42"))
	srv.Handle("POST "+pathPayments, replyFile(t, http.StatusOK, "seed_payment_response.json"))

	payment := InvoicePaymentCreate{InvoiceID: testInv, PaymentAmount: MustDecimal("5")}
	_, err := c.Payments.Apply(context.Background(), testBiz, payment, WithUserID("usr_7"))
	require.NoError(t, err)
	_, err = c.Payments.Apply(context.Background(), testBiz, payment)
	require.NoError(t, err)
	require.Equal(t, 2, srv.Hits("POST "+pathPayments))
	sent := srv.Sent()
	assert.Equal(t, []string{"usr_7"}, sent[0].Header.Values("X-User-Id"), "the call's user id")
	assert.Equal(t, []string{"usr_42"}, sent[1].Header.Values("X-User-Id"), "the client's, once the call is done")
}
