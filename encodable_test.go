package asset

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Input encoding/json would send other than as given is an *InputError
// naming its place, and nothing is sent: not for the bad item, nor for any
// batch before it.
func TestUnencodableInputIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	c, err := NewClient(WithToken(testToken), WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	huge := NewDecimal(decimal.New(1, 100))
	valid := func(n int) []InvoiceCreate {
		in := make([]InvoiceCreate, n)
		for i := range in {
			in[i] = InvoiceCreate{Number: "N-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676)),
				Lines: []InvoiceLineCreate{{Description: "x", Amount: MustDecimal("1")}}}
		}
		return in
	}
	tests := []struct {
		name, field string
		call        func() error
	}{
		{"a number with a bad byte", "invoices[1].number", func() error {
			in := valid(2)
			in[1].Number = "M-\xfe"
			_, err := c.Invoices.Create(ctx, testBiz, in)
			return err
		}},
		{"an amount beyond what can be written, in the third batch", "invoices[250].lines[0].amount", func() error {
			in := valid(300)
			in[250].Lines[0].Amount = huge
			_, err := c.Invoices.CreateMany(ctx, testBiz, in)
			return err
		}},
		{"a metadata value with a bad byte", "invoices[0].lines[0].metadata[note][1]", func() error {
			in := valid(1)
			in[0].Lines[0].Metadata = map[string]any{"note": []any{"ok", "\xff"}}
			_, err := c.Invoices.CreateMany(ctx, testBiz, in)
			return err
		}},
		{"a credit memo's number", "memos[0].number", func() error {
			_, err := c.CreditMemos.Create(ctx, testBiz, []CreditMemoCreate{{CustomerID: "cus_1", Number: "C-\xff", Amount: MustDecimal("1")}})
			return err
		}},
		{"an update's tag", "update.tags[Region]", func() error {
			_, err := c.Invoices.Update(ctx, testBiz, testInv, InvoiceUpdate{Tags: map[string]*string{"Region": TagSet("\xc3")}})
			return err
		}},
		{"a tag's name", "update.tags key", func() error {
			_, err := c.Invoices.Update(ctx, testBiz, testInv, InvoiceUpdate{Tags: map[string]*string{"Re\xc3gion": TagSet("x")}})
			return err
		}},
		{"a payment beyond what can be written", "payment.payment_amount", func() error {
			_, err := c.Payments.Apply(ctx, testBiz, InvoicePaymentCreate{InvoiceID: testInv, PaymentAmount: huge})
			return err
		}},
		{"a refund's memo", "refund.memo", func() error {
			_, err := c.Refunds.Create(ctx, testBiz, RefundCreate{Amount: MustDecimal("1"), ExternalID: "r-1", RefundedAt: time.Now(),
				Method: RefundMethodCash, Memo: "\xed\xa0\x80", InvoicesToRefund: []RefundInvoiceCreate{{InvoiceID: testInv, Amount: MustDecimal("1")}}})
			return err
		}},
		{"a write-off's description", "writeOff.description", func() error {
			_, err := c.Invoices.WriteOff(ctx, testBiz, testInv, InvoiceWriteOff{Amount: MustDecimal("1"), Description: "\x80"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var inputErr *InputError
			require.ErrorAs(t, err, &inputErr)
			assert.Equal(t, tt.field, inputErr.Field)
			assert.ErrorIs(t, err, ErrValidation)
			assert.Zero(t, requests.Load(), "nothing sent")
		})
	}
}

func TestValidInputPassesTheEncodingCheck(t *testing.T) {
	t.Parallel()
	inv := InvoiceCreate{Number: "Ünïcødé-1", Description: "日本", DueAt: time.Now(), CreditAmount: MustDecimal("1.50"),
		Metadata: map[string]any{"n": 1.5, "s": "ok", "l": []any{"a", map[string]any{"b": nil}}},
		Lines:    []InvoiceLineCreate{{Amount: MustDecimal("1"), Metadata: map[string]any{}}}}
	assert.NoError(t, checkEncodable("invoice", inv))
	assert.NoError(t, checkEncodable("update", InvoiceUpdate{Tags: map[string]*string{"a": nil, "b": TagSet("x")}}))
}
