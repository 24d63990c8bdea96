package assettest_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPaymentLifecycle(t *testing.T) {
	h := newTester(t)
	rep := h.create(biz, map[string]any{"number": "P-1", "customer_id": "cus_p", "lines": []any{map[string]any{"amount": json.Number("100.00")}}})
	id := str(rep.get("data", 0, "id"))
	txn := h.srv.AddTransaction(biz, mustDec("70"))
	h.srv.AddCredit(biz, "cus_p", mustDec("40"))
	pay := func(body map[string]any) reply { return h.do("POST", bizPath(biz, "/invoice-payment"), body) }
	n := func(s string) json.Number { return json.Number(s) }

	// Each step runs on the state the previous one left.
	steps := []struct {
		name       string
		body       map[string]any
		status     int
		paid       string // total_paid after the step
		invStatus  string
		txnLeft    string
		creditLeft string
	}{
		{"partial from a transaction", map[string]any{"invoice_id": id, "transaction_id": txn, "payment_amount": n("30.5")}, 200, "30.5", "open", "39.5", "40"},
		{"beyond the transaction", map[string]any{"invoice_id": id, "transaction_id": txn, "payment_amount": 40}, 422, "30.5", "open", "39.5", "40"},
		{"unknown transaction", map[string]any{"invoice_id": id, "transaction_id": "txn_nope"}, 404, "30.5", "open", "39.5", "40"},
		{"default is what remains of the transaction", map[string]any{"invoice_id": id, "transaction_id": txn}, 200, "70.0", "open", "0.0", "40"},
		{"a spent transaction", map[string]any{"invoice_id": id, "transaction_id": txn}, 422, "70.0", "open", "0.0", "40"},
		{"credit without an amount", map[string]any{"invoice_id": id}, 422, "70.0", "open", "0.0", "40"},
		{"zero amount", map[string]any{"invoice_id": id, "payment_amount": 0}, 422, "70.0", "open", "0.0", "40"},
		{"beyond the balance", map[string]any{"invoice_id": id, "payment_amount": n("30.01")}, 422, "70.0", "open", "0.0", "40"},
		{"the rest from credit pays it", map[string]any{"invoice_id": id, "payment_amount": n("30.00")}, 200, "100.00", "paid", "0.0", "10.00"},
		{"nothing left to pay", map[string]any{"invoice_id": id, "payment_amount": n("0.01")}, 422, "100.00", "paid", "0.0", "10.00"},
		{"unknown invoice", map[string]any{"invoice_id": "inv_nope", "payment_amount": 1}, 404, "100.00", "paid", "0.0", "10.00"},
		{"missing invoice_id", map[string]any{"payment_amount": 1}, 422, "100.00", "paid", "0.0", "10.00"},
	}
	for _, st := range steps {
		rep := pay(st.body).requireStatus(t, st.status)
		inv, ok := h.srv.Invoice(biz, id)
		require.True(t, ok)
		assert.Equal(t, st.paid, inv.TotalPaid.String(), st.name)
		assert.Equal(t, st.invStatus, string(inv.Status), st.name)
		left, _ := h.srv.TransactionRemaining(biz, txn)
		assert.True(t, left.Equal(mustDec(st.txnLeft)), "%s: %s left", st.name, left)
		credit, _ := h.srv.CreditRemaining(biz, "cus_p")
		assert.Equal(t, st.creditLeft, credit.String(), "%s: the customer's credit", st.name)
		if st.status == 200 {
			assert.Equal(t, st.paid, num(rep.get("data", "total_paid")), st.name)
		} else {
			assert.NotNil(t, rep.get("detail"), st.name)
		}
	}

	inv, _ := h.srv.Invoice(biz, id)
	require.Len(t, inv.Payments, 3)
	assert.Equal(t, txn, inv.Payments[0].TransactionID)
	assert.Equal(t, "", inv.Payments[2].TransactionID)
	assert.False(t, inv.Payments[0].IsWriteOff)
	assert.Regexp(t, `^inp_`, inv.Payments[0].ID)
	assert.False(t, inv.Payments[0].Datetime.IsZero())
}

func TestPaymentValidation(t *testing.T) {
	h := newTester(t)
	id := h.createOne(biz, "PV", "10")
	tests := []struct {
		name string
		body any
		typ  string
		loc  []any
	}{
		{"missing invoice_id", map[string]any{"payment_amount": 1}, "missing", []any{"body", "invoice_id"}},
		{"no amount without a transaction", map[string]any{"invoice_id": id}, "missing", []any{"body", "payment_amount"}},
		{"negative amount", map[string]any{"invoice_id": id, "payment_amount": -1}, "greater_than", []any{"body", "payment_amount"}},
		{"amount not a number", map[string]any{"invoice_id": id, "payment_amount": "lots"}, "decimal_parsing", []any{"body", "payment_amount"}},
		{"body a list", []any{}, "model_attributes_type", []any{"body"}},
		{"no body", "", "missing", []any{"body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.do("POST", bizPath(biz, "/invoice-payment"), tt.body).requireDetailAt(t, tt.typ, tt.loc...)
		})
	}
}

func TestPaymentOnVoidedInvoice(t *testing.T) {
	h := newTester(t)
	id := h.createOne(biz, "V-1", "10")
	txn := h.srv.AddTransaction(biz, mustDec("10"))
	h.do("PATCH", bizPath(biz, "/invoice/"+id), map[string]any{"status": "voided"}).requireStatus(t, 200)

	rep := h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "transaction_id": txn}).requireStatus(t, 422)
	assert.Equal(t, "Invoice is voided", rep.get("detail"))
	h.do("POST", bizPath(biz, "/invoice/"+id+"/write-off"), map[string]any{}).requireStatus(t, 422)
	left, _ := h.srv.TransactionRemaining(biz, txn)
	assert.Equal(t, "10", left.String(), "a refused payment draws nothing")
}

func TestWriteOff(t *testing.T) {
	h := newTester(t)
	writeOff := func(id string, body any) reply {
		return h.do("POST", bizPath(biz, "/invoice/"+id+"/write-off"), body)
	}
	t.Run("part, then the rest by default", func(t *testing.T) {
		id := h.createOne(biz, "W-1", "50.00")
		txn := h.srv.AddTransaction(biz, mustDec("20"))
		h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "transaction_id": txn}).requireStatus(t, 200)
		rep := writeOff(id, map[string]any{"amount": json.Number("10.25"), "description": "goodwill"}).requireStatus(t, 200)
		assert.Equal(t, "30.25", num(rep.get("data", "total_paid")))
		assert.Equal(t, "open", rep.get("data", "status"))
		assert.Equal(t, true, rep.get("data", "payments", 1, "is_write_off"))
		assert.Nil(t, rep.get("data", "payments", 1, "transaction_id"))
		left, _ := h.srv.TransactionRemaining(biz, txn)
		assert.Equal(t, "0", left.String(), "a write-off draws on no transaction")

		rep = writeOff(id, map[string]any{}).requireStatus(t, 200)
		assert.Equal(t, "50.00", num(rep.get("data", "total_paid")))
		assert.Equal(t, "19.75", num(rep.get("data", "payments", 2, "payment_amount")))
		assert.Equal(t, "paid", rep.get("data", "status"))

		writeOff(id, map[string]any{}).requireStatus(t, 422)
	})
	t.Run("beyond the balance", func(t *testing.T) {
		id := h.createOne(biz, "W-2", "5")
		writeOff(id, map[string]any{"amount": json.Number("5.01")}).requireStatus(t, 422)
		inv, _ := h.srv.Invoice(biz, id)
		assert.Empty(t, inv.Payments)
	})
	t.Run("validation", func(t *testing.T) {
		id := h.createOne(biz, "W-3", "5")
		writeOff(id, map[string]any{"amount": 0}).requireDetailAt(t, "greater_than", "body", "amount")
		writeOff(id, "").requireDetailAt(t, "missing", "body")
		writeOff("inv_nope", map[string]any{}).requireStatus(t, 404)
	})
}
