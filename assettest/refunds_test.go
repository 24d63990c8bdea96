package assettest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// paidInvoice creates an invoice of amount and pays it in full from a
// transaction, so that it can be refunded; it returns the invoice's id.
func (h *tester) paidInvoice(biz, number, amount string) string {
	h.t.Helper()
	id := h.createOne(biz, number, amount)
	txn := h.srv.AddTransaction(biz, mustDec(amount))
	h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "transaction_id": txn}).
		requireStatus(h.t, http.StatusOK)
	return id
}

// refundBody is a refund of amount from one invoice.
func refundBody(externalID, invoiceID, amount string) map[string]any {
	return map[string]any{
		"amount": json.Number(amount), "refund_external_id": externalID, "refunded_at": "2025-01-15T14:30:00Z",
		"method": "cash", "invoices_to_refund": []any{map[string]any{"invoice_id": invoiceID, "amount": json.Number(amount)}},
	}
}

// refundOne refunds amount of an invoice and returns the refund's id.
func (h *tester) refundOne(biz, externalID, invoiceID, amount string) string {
	h.t.Helper()
	rep := h.do("POST", bizPath(biz, "/refund"), refundBody(externalID, invoiceID, amount)).requireStatus(h.t, http.StatusCreated)
	return str(rep.get("data", "id"))
}

// A refund the API would refuse as a body gets FastAPI's 422 at the field.
func TestRefundCreateValidation(t *testing.T) {
	h := newTester(t)
	inv := h.paidInvoice(biz, "RV-1", "10")
	with := func(mod func(b map[string]any)) map[string]any {
		b := refundBody("rv-ext", inv, "5")
		mod(b)
		return b
	}
	item := func(b map[string]any) map[string]any { return b["invoices_to_refund"].([]any)[0].(map[string]any) }
	tests := []struct {
		name string
		body map[string]any
		typ  string
		loc  []any
	}{
		{"no amount", with(func(b map[string]any) { delete(b, "amount") }), "missing", []any{"body", "amount"}},
		{"zero amount", with(func(b map[string]any) { b["amount"] = 0 }), "greater_than", []any{"body", "amount"}},
		{"no external id", with(func(b map[string]any) { delete(b, "refund_external_id") }), "missing", []any{"body", "refund_external_id"}},
		{"long external id", with(func(b map[string]any) { b["refund_external_id"] = strings.Repeat("x", 256) }), "string_too_long", []any{"body", "refund_external_id"}},
		{"no refunded_at", with(func(b map[string]any) { delete(b, "refunded_at") }), "missing", []any{"body", "refunded_at"}},
		{"unknown method", with(func(b map[string]any) { b["method"] = "wire" }), "enum", []any{"body", "method"}},
		{"long memo", with(func(b map[string]any) { b["memo"] = strings.Repeat("x", 256) }), "string_too_long", []any{"body", "memo"}},
		{"long processor", with(func(b map[string]any) { b["processor"] = strings.Repeat("x", 256) }), "string_too_long", []any{"body", "processor"}},
		{"no invoices", with(func(b map[string]any) { b["invoices_to_refund"] = []any{} }), "too_short", []any{"body", "invoices_to_refund"}},
		{"invoice without id", with(func(b map[string]any) { delete(item(b), "invoice_id") }), "value_error", []any{"body", "invoices_to_refund", 0}},
		{"invoice without amount", with(func(b map[string]any) { delete(item(b), "amount") }), "missing", []any{"body", "invoices_to_refund", 0, "amount"}},
		{"amounts do not add up", with(func(b map[string]any) { item(b)["amount"] = 4 }), "value_error", []any{"body", "amount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.do("POST", bizPath(biz, "/refund"), tt.body).requireDetailAt(t, tt.typ, tt.loc...)
		})
	}
	require.Empty(t, h.srv.Refunds(biz), "nothing refused was stored")
}

func TestRefundPaymentValidation(t *testing.T) {
	h := newTester(t)
	tests := []struct {
		name string
		body map[string]any
		typ  string
		loc  []any
	}{
		{"no refund", map[string]any{"transaction_id": "txn_1"}, "missing", []any{"body", "refund_id"}},
		{"no transaction", map[string]any{"refund_id": "rfu_1"}, "missing", []any{"body", "transaction_id"}},
		{"negative amount", map[string]any{"refund_id": "rfu_1", "transaction_id": "txn_1", "payment_amount": -1}, "greater_than_equal", []any{"body", "payment_amount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.do("POST", bizPath(biz, "/refund-payment"), tt.body).requireDetailAt(t, tt.typ, tt.loc...)
		})
	}
}

func TestRefundListValidation(t *testing.T) {
	h := newTester(t)
	h.do("GET", bizPath(biz, "/refunds?status=refunded"), nil).requireDetailAt(t, "enum", "query", "status")
	// The API takes one status here and its server keeps the last of two,
	// a silent subset: the fake refuses two out loud instead.
	h.do("GET", bizPath(biz, "/refunds?status=pending&status=completed"), nil).requireDetailAt(t, "value_error", "query", "status")
	h.do("GET", bizPath(biz, "/refunds?page_size=0"), nil).requireDetailAt(t, "greater_than_equal", "query", "page_size")
	h.do("GET", bizPath(biz, "/invoice/inv_Missing00000000000000001/refunds"), nil).requireStatus(t, http.StatusNotFound)
}
