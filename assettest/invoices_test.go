package assettest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/assettest"
)

const biz = "biz_Pk2fNFDd8wj7EFeLWJywc7"

func TestAuth(t *testing.T) {
	h := newTester(t)
	path := bizPath(biz, "/invoice")
	tests := []struct {
		name   string
		authz  string
		status int
		detail string
	}{
		{"no header", "", 401, "Not authenticated"},
		{"wrong token", "Bearer tok_nope", 401, "Invalid or expired token"},
		{"wrong scheme", "Basic " + h.srv.Token(), 401, "Not authenticated"},
		{"empty bearer", "Bearer ", 401, "Not authenticated"},
		{"right token", "Bearer " + h.srv.Token(), 200, ""},
		{"scheme is case-insensitive", "bearer " + h.srv.Token(), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do("GET", path, nil, "Authorization", tt.authz).requireStatus(t, tt.status)
			if tt.detail != "" {
				assert.Equal(t, tt.detail, rep.get("detail"))
				assert.NotEmpty(t, rep.header.Get("WWW-Authenticate"))
			}
			assert.True(t, strings.HasPrefix(rep.header.Get("X-Request-Id"), "req_"))
		})
	}
}

func TestRoutes(t *testing.T) {
	h := newTester(t)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v0/nothing", 404, ""},
		{"GET", "/v0/business/" + biz + "/vendors", 404, ""},
		{"GET", bizPath(biz, "/customers/42"), 422, ""},
		{"GET", bizPath(biz, "/transactions/42"), 422, ""},
		{"GET", bizPath(biz, "/ledger/42"), 422, ""},
		{"DELETE", bizPath(biz, "/invoice"), 405, "GET, POST"},
		{"PUT", bizPath(biz, "/invoice/inv_x"), 405, "GET, PATCH"},
		{"GET", bizPath(biz, "/invoice-payment"), 405, "POST"},
		{"GET", "/v0/auth/token", 405, "POST"},
		{"GET", bizPath(biz, "/invoice/"), 404, ""},
		{"GET", bizPath("", "/invoice"), 404, ""},
		{"GET", bizPath("acme", "/invoice"), 422, ""},
		{"GET", bizPath(biz, "/invoice/42"), 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rep := h.do(tt.method, tt.path, nil).requireStatus(t, tt.status)
			assert.NotNil(t, rep.get("detail"), "FastAPI-shaped body: %s", rep.raw)
			assert.Equal(t, tt.allow, rep.header.Get("Allow"))
			assert.Equal(t, "application/json", rep.header.Get("Content-Type"))
			assert.True(t, strings.HasPrefix(rep.header.Get("X-Request-Id"), "req_"))
			assert.NotEmpty(t, rep.header.Get("X-Ratelimit-Limit"))
		})
	}
}

func TestBusinessIsolation(t *testing.T) {
	h := newTester(t)
	const other = "biz_other"
	id := h.createOne(biz, "INV-1", "10")
	txn := h.srv.AddTransaction(biz, mustDec("10"))

	h.do("GET", bizPath(other, "/invoice/"+id), nil).requireStatus(t, 404)
	assert.Empty(t, h.do("GET", bizPath(other, "/invoice"), nil).requireStatus(t, 200).get("data"))
	h.do("PATCH", bizPath(other, "/invoice/"+id), map[string]any{"status": "voided"}).requireStatus(t, 404)
	h.do("POST", bizPath(other, "/invoice/"+id+"/write-off"), map[string]any{}).requireStatus(t, 404)
	h.do("POST", bizPath(other, "/invoice-payment"), map[string]any{"invoice_id": id, "payment_amount": 1}).requireStatus(t, 404)

	// The other business may reuse the number, and cannot draw on this
	// business's transaction.
	otherID := h.createOne(other, "INV-1", "10")
	rep := h.do("POST", bizPath(other, "/invoice-payment"), map[string]any{"invoice_id": otherID, "transaction_id": txn})
	rep.requireStatus(t, 404)
	assert.Equal(t, "Transaction not found", rep.get("detail"))

	assert.Len(t, h.srv.Invoices(biz), 1)
	assert.Len(t, h.srv.Invoices(other), 1)
	assert.Equal(t, "open", string(h.srv.Invoices(biz)[0].Status))
}

func TestCreateValidation(t *testing.T) {
	h := newTester(t)
	valid := map[string]any{"number": "N", "lines": []any{map[string]any{"amount": 1}}}
	with := func(k string, v any) map[string]any {
		m := map[string]any{"number": "N"}
		m[k] = v
		return m
	}
	line := func(l map[string]any) map[string]any { return map[string]any{"number": "N", "lines": []any{l}} }
	many := make([]any, 101)
	for i := range many {
		many[i] = valid
	}
	tests := []struct {
		name string
		body any
		typ  string
		loc  []any
	}{
		{"not JSON", `[{"number": `, "json_invalid", nil},
		{"empty body", "", "missing", []any{"body"}},
		{"object, not a list", map[string]any{"number": "N"}, "list_type", []any{"body"}},
		{"empty list", []any{}, "too_short", []any{"body"}},
		{"101 invoices", many, "too_long", []any{"body"}},
		{"item not an object", []any{valid, "x"}, "model_attributes_type", []any{"body", 1}},
		{"missing number", []any{valid, map[string]any{"description": "d"}}, "missing", []any{"body", 1, "number"}},
		{"null number", []any{map[string]any{"number": nil}}, "string_type", []any{"body", 0, "number"}},
		{"numeric number", []any{map[string]any{"number": 7}}, "string_type", []any{"body", 0, "number"}},
		{"empty number", []any{map[string]any{"number": ""}}, "string_too_short", []any{"body", 0, "number"}},
		{"number too long", []any{with("number", strings.Repeat("9", 256))}, "string_too_long", []any{"body", 0, "number"}},
		{"description too long", []any{with("description", strings.Repeat("d", 513))}, "string_too_long", []any{"body", 0, "description"}},
		{"bad due_at", []any{with("due_at", "next tuesday")}, "datetime_from_date_parsing", []any{"body", 0, "due_at"}},
		{"negative credit", []any{with("credit_amount", -1)}, "greater_than_equal", []any{"body", 0, "credit_amount"}},
		{"lines not a list", []any{with("lines", map[string]any{})}, "list_type", []any{"body", 0, "lines"}},
		{"negative amount", []any{line(map[string]any{"amount": -5})}, "greater_than_equal", []any{"body", 0, "lines", 0, "amount"}},
		{"amount not a number", []any{line(map[string]any{"amount": "ten"})}, "decimal_parsing", []any{"body", 0, "lines", 0, "amount"}},
		{"amount a bool", []any{line(map[string]any{"amount": true})}, "decimal_type", []any{"body", 0, "lines", 0, "amount"}},
		{"line without price", []any{line(map[string]any{"description": "x"})}, "value_error", []any{"body", 0, "lines", 0}},
		{"price without quantity", []any{line(map[string]any{"unit_price": 3})}, "value_error", []any{"body", 0, "lines", 0}},
		{"discount beyond price", []any{line(map[string]any{"unit_price": 3, "quantity": 1, "discount_amount": 4})}, "value_error", []any{"body", 0, "lines", 0}},
		{"is_prepayment not bool", []any{line(map[string]any{"amount": 1, "is_prepayment": "yes"})}, "bool_parsing", []any{"body", 0, "lines", 0, "is_prepayment"}},
		{"metadata not an object", []any{with("metadata", []any{})}, "dict_type", []any{"body", 0, "metadata"}},
		{"tag not a string", []any{with("tags", map[string]any{"Job": 3})}, "string_type", []any{"body", 0, "tags", "Job"}},
		{"business_id of another business", []any{with("business_id", "biz_else")}, "value_error", []any{"body", 0, "business_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do("POST", bizPath(biz, "/invoice"), tt.body)
			if tt.loc == nil {
				rep.requireStatus(t, 422)
				assert.Equal(t, tt.typ, rep.get("detail", 0, "type"))
				return
			}
			rep.requireDetailAt(t, tt.typ, tt.loc...)
		})
	}
	assert.Empty(t, h.srv.Invoices(biz), "a refused batch creates nothing")
}

func TestCreateDuplicates(t *testing.T) {
	h := newTester(t)
	h.createOne(biz, "INV-1", "1")
	rep := h.create(biz,
		map[string]any{"number": "INV-1"}, // exists already
		map[string]any{"number": "INV-2"},
		map[string]any{"number": "INV-3"},
		map[string]any{"number": "INV-2"}, // earlier in the batch
	)
	var numbers []string
	for _, d := range rep.get("data").([]any) {
		numbers = append(numbers, str(get(d, "number")))
	}
	assert.Equal(t, []string{"INV-2", "INV-3"}, numbers)
	errs := rep.get("errors").([]any)
	require.Len(t, errs, 2)
	assert.Equal(t, "INV-1", get(errs[0], "invoice_number"))
	assert.Contains(t, get(errs[0], "error"), "already exists")
	assert.Equal(t, "INV-2", get(errs[1], "invoice_number"))
	assert.Contains(t, get(errs[1], "error"), "more than once")
	assert.Len(t, h.srv.Invoices(biz), 3)

	// All refused is still a 201 with empty data.
	rep = h.create(biz, map[string]any{"number": "INV-3"})
	assert.Equal(t, []any{}, rep.get("data"))
	assert.Len(t, rep.get("errors"), 1)
}

func TestTotals(t *testing.T) {
	h := newTester(t)
	n := func(s string) json.Number { return json.Number(s) }
	tests := []struct {
		name        string
		lines       []any
		total       string
		lineAmounts []string
	}{
		{"0.1 + 0.2 is 0.3", []any{map[string]any{"amount": n("0.1")}, map[string]any{"amount": n("0.2")}}, "0.3", []string{"0.1", "0.2"}},
		{"3 × 19.99 − 5 + 1.5", []any{map[string]any{"unit_price": n("19.99"), "quantity": 3, "discount_amount": 5, "tax_amount": n("1.5")}}, "56.47", []string{"56.47"}},
		{"amount wins over price", []any{map[string]any{"amount": n("10.00"), "unit_price": 99, "quantity": 99}}, "10.00", []string{"10.00"}},
		{"rates are informational", []any{map[string]any{"unit_price": 10, "quantity": 2, "discount_rate": n("0.5"), "tax_rate": n("0.2")}}, "20", []string{"20"}},
		{"a fractional quantity is rounded to cents", []any{map[string]any{"unit_price": n("19.99"), "quantity": n("1.5")}}, "29.99", []string{"29.99"}},
		{"half a cent rounds away from zero", []any{map[string]any{"unit_price": n("0.0625"), "quantity": 2}}, "0.13", []string{"0.13"}},
		{"below half a cent rounds down", []any{map[string]any{"unit_price": n("0.3333"), "quantity": 3}}, "1.00", []string{"1.00"}},
		{"rounded after discount and tax", []any{map[string]any{"unit_price": n("2.005"), "quantity": 1, "discount_amount": n("0.01"), "tax_amount": n("0.01")}}, "2.01", []string{"2.01"}},
		{"rounded lines sum in cents", []any{map[string]any{"unit_price": n("0.125"), "quantity": 1}, map[string]any{"unit_price": n("0.125"), "quantity": 1}}, "0.26", []string{"0.13", "0.13"}},
		{"trailing zeros are not places", []any{map[string]any{"amount": n("1.500")}}, "1.500", []string{"1.500"}},
		{"numeric strings", []any{map[string]any{"amount": "520.56"}}, "520.56", []string{"520.56"}},
		{"no lines", nil, "0", nil},
		{"large and exact", []any{map[string]any{"amount": n("12345678901234567.89")}, map[string]any{"amount": n("0.01")}}, "12345678901234567.90", []string{"12345678901234567.89", "0.01"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := map[string]any{"number": "T" + string(rune('a'+i))}
			if tt.lines != nil {
				inv["lines"] = tt.lines
			}
			rep := h.create(biz, inv)
			assert.Equal(t, tt.total, num(rep.get("data", 0, "total_amount")), "a bare JSON number: %s", rep.raw)
			for j, want := range tt.lineAmounts {
				assert.Equal(t, want, num(rep.get("data", 0, "lines", j, "amount")))
			}
		})
	}
}

func TestWireShape(t *testing.T) {
	h := newTester(t, assettest.WithTagFields("Location"))
	rep := h.create(biz, map[string]any{
		"number":      "INV-9",
		"description": "Roof",
		"due_at":      "2024-03-01T12:00:00Z",
		"customer_id": "cus_1",
		"metadata_":   map[string]any{"old": true},
		"tags":        map[string]any{"Location": "NYC"},
		"lines": []any{map[string]any{
			"description": "Labour", "ledger_id": "ldg_1", "unit_price": 100, "quantity": 2,
			"is_prepayment": true, "metadata": map[string]any{"k": "v"},
		}},
	})
	inv := rep.get("data", 0)
	assert.Regexp(t, `^inv_[1-9A-HJ-NP-Za-km-z]{22}$`, get(inv, "id"))
	assert.Equal(t, biz, get(inv, "business_id"))
	assert.Equal(t, "open", get(inv, "status"))
	assert.Equal(t, "manual", get(inv, "source"))
	assert.Equal(t, "0", num(get(inv, "total_paid")))
	assert.Equal(t, "200", num(get(inv, "total_amount")))
	assert.Equal(t, "2024-03-01T12:00:00Z", get(inv, "due_at"))
	assert.Nil(t, get(inv, "voided_at"))
	assert.Contains(t, string(rep.raw), `"voided_at":null`, "absent fields are null, as pydantic writes them")
	assert.Equal(t, map[string]any{"old": true}, get(inv, "metadata"), "metadata_ is read and sent back as metadata")
	assert.Equal(t, map[string]any{"Location": "NYC"}, get(inv, "tags"))
	assert.Equal(t, []any{}, get(inv, "payments"))
	l := get(inv, "lines", 0)
	assert.Regexp(t, `^inv_line_[1-9A-HJ-NP-Za-km-z]{22}$`, get(l, "id"))
	assert.Equal(t, get(inv, "id"), get(l, "invoice_id"))
	assert.Equal(t, "ldg_1", get(l, "ledger_id"))
	assert.Equal(t, true, get(l, "is_prepayment"))
	assert.Equal(t, map[string]any{"k": "v"}, get(l, "metadata"))

	assert.Equal(t, "cus_1", get(inv, "customer_id"))

	// An external customer id resolves to one customer of the business.
	ext := h.create(biz, map[string]any{"number": "E-1", "customer_external_id": "crm-7"}, map[string]any{"number": "E-2", "customer_external_id": "crm-7"})
	assert.Regexp(t, `^cus_`, ext.get("data", 0, "customer_id"))
	assert.Equal(t, ext.get("data", 0, "customer_id"), ext.get("data", 1, "customer_id"))

	got := h.do("GET", bizPath(biz, "/invoice/"+str(get(inv, "id"))), nil).requireStatus(t, 200)
	assert.Equal(t, inv, got.get("data"))

	nf := h.do("GET", bizPath(biz, "/invoice/inv_missing"), nil).requireStatus(t, 404)
	assert.Equal(t, "Invoice not found", nf.get("detail"))
}

func TestUpdate(t *testing.T) {
	h := newTester(t, assettest.WithTagFields("Location", "Job", "Dept"))
	h.srv.AddCredit(biz, "cus_u", mustDec("1000"))
	setup := func(t *testing.T) (id, lineID string) {
		rep := h.create(biz, map[string]any{
			"number":      "U-" + t.Name(),
			"customer_id": "cus_u",
			"lines":       []any{map[string]any{"amount": json.Number("10.10")}, map[string]any{"amount": json.Number("5")}},
			"tags":        map[string]any{"Location": "NYC", "Job": "Roof"},
		})
		return str(rep.get("data", 0, "id")), str(rep.get("data", 0, "lines", 0, "id"))
	}
	patch := func(id string, body any) reply { return h.do("PATCH", bizPath(biz, "/invoice/"+id), body) }

	t.Run("void sets voided_at", func(t *testing.T) {
		id, _ := setup(t)
		rep := patch(id, map[string]any{"status": "voided"}).requireStatus(t, 200)
		assert.Equal(t, "voided", rep.get("data", "status"))
		assert.NotNil(t, rep.get("data", "voided_at"))
		// Voiding again changes nothing; un-voiding and line changes are refused.
		again := patch(id, map[string]any{"status": "voided"}).requireStatus(t, 200)
		assert.Equal(t, rep.get("data", "voided_at"), again.get("data", "voided_at"))
		patch(id, map[string]any{"status": "open"}).requireStatus(t, 422)
		patch(id, map[string]any{"line_changes": map[string]any{"create_lines": []any{map[string]any{"amount": 1}}}}).requireStatus(t, 422)
		patch(id, map[string]any{"tags": map[string]any{"Job": "Gutter"}}).requireStatus(t, 200)
	})
	t.Run("unknown status", func(t *testing.T) {
		id, _ := setup(t)
		patch(id, map[string]any{"status": "cancelled"}).requireDetailAt(t, "enum", "body", "status")
	})
	t.Run("line changes recompute the total", func(t *testing.T) {
		id, lineID := setup(t)
		rep := patch(id, map[string]any{"line_changes": map[string]any{
			"create_lines": []any{map[string]any{"amount": json.Number("0.20"), "description": "fee"}, map[string]any{"amount": 6}},
			"delete_lines": []any{lineID},
			"metadata":     map[string]any{},
		}}).requireStatus(t, 200)
		assert.Equal(t, "11.20", num(rep.get("data", "total_amount")))
		assert.Len(t, rep.get("data", "lines"), 3)
		assert.Equal(t, "11.20", h.srv.Invoices(biz)[len(h.srv.Invoices(biz))-1].TotalAmount.String())
	})
	t.Run("deleting an unknown line", func(t *testing.T) {
		id, lineID := setup(t)
		patch(id, map[string]any{"line_changes": map[string]any{"delete_lines": []any{lineID, "inv_line_nope"}}}).
			requireDetailAt(t, "value_error", "body", "line_changes", "delete_lines", 1)
		got, _ := h.srv.Invoice(biz, id)
		assert.Len(t, got.Lines, 2, "a refused change changes nothing")
	})
	t.Run("invalid new line", func(t *testing.T) {
		id, _ := setup(t)
		patch(id, map[string]any{"line_changes": map[string]any{"create_lines": []any{map[string]any{"amount": -1}}}}).
			requireDetailAt(t, "greater_than_equal", "body", "line_changes", "create_lines", 0, "amount")
	})
	t.Run("tags set, remove, untouched", func(t *testing.T) {
		id, _ := setup(t)
		rep := patch(id, map[string]any{"tags": map[string]any{"Location": "SF", "Job": nil, "Dept": "Ops"}}).requireStatus(t, 200)
		assert.Equal(t, map[string]any{"Location": "SF", "Dept": "Ops"}, rep.get("data", "tags"))
		rep = patch(id, map[string]any{"tags": map[string]any{"Dept": nil}}).requireStatus(t, 200)
		assert.Equal(t, map[string]any{"Location": "SF"}, rep.get("data", "tags"))
		patch(id, map[string]any{"tags": map[string]any{"Dept": 1}}).requireDetailAt(t, "string_type", "body", "tags", "Dept")
	})
	t.Run("empty patch changes nothing", func(t *testing.T) {
		id, _ := setup(t)
		before, _ := h.srv.Invoice(biz, id)
		patch(id, map[string]any{}).requireStatus(t, 200)
		after, _ := h.srv.Invoice(biz, id)
		assert.Equal(t, before, after)
	})
	t.Run("body not an object", func(t *testing.T) {
		id, _ := setup(t)
		patch(id, []any{}).requireDetailAt(t, "model_attributes_type", "body")
	})
	t.Run("total below what is paid", func(t *testing.T) {
		id, lineID := setup(t)
		h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "payment_amount": 12}).requireStatus(t, 200)
		patch(id, map[string]any{"line_changes": map[string]any{"delete_lines": []any{lineID}}}).requireStatus(t, 422)
	})
	t.Run("adding a line to a paid invoice reopens it", func(t *testing.T) {
		id, _ := setup(t)
		rep := h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "payment_amount": json.Number("15.10")}).requireStatus(t, 200)
		assert.Equal(t, "paid", rep.get("data", "status"))
		rep = patch(id, map[string]any{"line_changes": map[string]any{"create_lines": []any{map[string]any{"amount": 1}}}}).requireStatus(t, 200)
		assert.Equal(t, "open", rep.get("data", "status"))
	})
	t.Run("unknown invoice", func(t *testing.T) {
		patch("inv_nope", map[string]any{"status": "paid"}).requireStatus(t, http.StatusNotFound)
	})
}
