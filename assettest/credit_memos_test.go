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

func TestCreateCreditMemos(t *testing.T) {
	h := newTester(t, assettest.WithTagFields("Location"))
	h.createMemo(biz, "cus_a", "CM-1", "10")

	rep := h.do("POST", bizPath(biz, "/credit-memo"), []any{
		map[string]any{"customer_id": "cus_a", "number": "CM-1", "amount": 5},
		map[string]any{"customer_id": "cus_b", "number": "CM-2", "amount": json.Number("20.50"), "memo": "returned goods",
			"issued_at": "2026-01-15T00:00:00Z", "tags": map[string]any{"Location": "NYC"}},
		map[string]any{"customer_id": "cus_b", "number": "CM-2", "amount": 1},
	}, "X-User-Id", "clerk-7").requireStatus(t, http.StatusOK)

	assert.Equal(t, []any{
		map[string]any{"error": `A credit memo with number "CM-1" already exists`, "number": "CM-1"},
		map[string]any{"error": `Credit memo number "CM-2" appears more than once in the batch`, "number": "CM-2"},
	}, rep.get("errors"))
	require.Len(t, rep.get("data"), 1)
	m := rep.get("data", 0)
	assert.True(t, strings.HasPrefix(str(get(m, "id")), "cm_"))
	assert.True(t, strings.HasPrefix(str(get(m, "journal_entry_id")), "je_"))
	assert.Equal(t, biz, get(m, "business_id"))
	assert.Equal(t, "cus_b", get(m, "customer_id"))
	assert.Equal(t, "20.50", num(get(m, "amount")))
	assert.Equal(t, "returned goods", get(m, "memo"))
	assert.Equal(t, "2026-01-15T00:00:00Z", get(m, "issued_at"))
	assert.Equal(t, false, get(m, "voided"))
	assert.Nil(t, get(m, "voided_at"))
	assert.Nil(t, get(m, "void_journal_entry_id"))
	assert.Equal(t, "clerk-7", get(m, "created_by"))
	assert.Equal(t, map[string]any{"Location": "NYC"}, get(m, "tags"))
	assert.Len(t, h.srv.CreditMemos(biz), 2, "the refused memos were not created")
	assert.Equal(t, 2, h.srv.Stats(assettest.RouteCreateCreditMemos).Applied, "each create created a memo")

	again := h.do("POST", bizPath(biz, "/credit-memo"), []any{map[string]any{"customer_id": "cus_a", "number": "CM-1", "amount": 5}})
	again.requireStatus(t, http.StatusOK)
	assert.Empty(t, again.get("data"))
	assert.Equal(t, 2, h.srv.Stats(assettest.RouteCreateCreditMemos).Applied, "a batch refused in full changes nothing")

	other := newTester(t)
	other.createMemo("biz_other", "cus_a", "CM-1", "1") // numbers are unique per business only
}

func TestCreateCreditMemosValidation(t *testing.T) {
	memo := func(kv ...any) map[string]any {
		m := map[string]any{"customer_id": "cus_a", "number": "CM-1", "amount": 1}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name string
		body any
		typ  string
		loc  []any
	}{
		{"not a list", memo(), "list_type", []any{"body"}},
		{"empty", []any{}, "too_short", []any{"body"}},
		{"no customer", []any{memo("customer_id", nil)}, "missing", []any{"body", 0, "customer_id"}},
		{"a customer that is not cus_", []any{memo("customer_id", "acme")}, "value_error", []any{"body", 0, "customer_id"}},
		{"no number", []any{memo("number", nil)}, "missing", []any{"body", 0, "number"}},
		{"a number too long", []any{memo("number", strings.Repeat("n", 256))}, "string_too_long", []any{"body", 0, "number"}},
		{"no amount", []any{memo("amount", nil)}, "missing", []any{"body", 0, "amount"}},
		{"a null amount", []any{memo("amount", json.RawMessage("null"))}, "decimal_type", []any{"body", 0, "amount"}},
		{"a zero amount", []any{memo("amount", 0)}, "greater_than", []any{"body", 0, "amount"}},
		{"a tenth of a cent", []any{memo("amount", json.Number("1.001"))}, "decimal_max_places", []any{"body", 0, "amount"}},
		{"a memo too long", []any{memo("memo", strings.Repeat("m", 256))}, "string_too_long", []any{"body", 0, "memo"}},
		{"an unknown tag", []any{memo("tags", map[string]any{"Job": "x"})}, "value_error", []any{"body", 0, "tags", "Job"}},
		{"a tag neither text nor a list", []any{memo("tags", map[string]any{"Location": 5})}, "string_type", []any{"body", 0, "tags", "Location"}},
		{"an allocation without a value", []any{memo("tags", map[string]any{"Location": []any{map[string]any{"amount": "1.00"}}})},
			"missing", []any{"body", 0, "tags", "Location", 0, "value"}},
		{"a negative allocation", []any{memo("tags", map[string]any{"Location": []any{map[string]any{"amount": "-1.00", "value": "NYC"}}})},
			"greater_than_equal", []any{"body", 0, "tags", "Location", 0, "amount"}},
		{"the second memo bad", []any{memo(), memo("number", "CM-2", "amount", -1)}, "greater_than", []any{"body", 1, "amount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTester(t)
			h.do("POST", bizPath(biz, "/credit-memo"), tt.body).requireDetailAt(t, tt.typ, tt.loc...)
			assert.Empty(t, h.srv.CreditMemos(biz), "an invalid batch creates nothing")
		})
	}
}

// TestCreditMemoPool holds the pool's rules: a memo adds its amount to its
// customer's pool, payments without a transaction draw on it oldest memo
// first and name that memo, and a void takes out what is left of a memo.
func TestCreditMemoPool(t *testing.T) {
	h := newTester(t)
	inv := map[string]any{"number": "I-1", "customer_id": "cus_a", "lines": []any{map[string]any{"amount": 100}}}
	invID := str(h.create(biz, inv).get("data", 0, "id"))
	first := h.createMemo(biz, "cus_a", "CM-1", "30")
	second := h.createMemo(biz, "cus_a", "CM-2", "50")
	h.createMemo(biz, "cus_b", "CM-3", "99") // another customer's credit is not drawn
	left, ok := h.srv.CreditRemaining(biz, "cus_a")
	require.True(t, ok)
	assert.Equal(t, "80", left.String())

	pay := func(amount string) reply {
		return h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": invID, "payment_amount": json.Number(amount)})
	}
	rep := pay("40").requireStatus(t, http.StatusOK)
	p := rep.get("data", "payments", 0)
	assert.Equal(t, first, get(p, "credit_memo_id"), "the oldest memo drawn on")
	assert.True(t, strings.HasPrefix(str(get(p, "credit_journal_entry_id")), "je_"))
	assert.Nil(t, get(p, "transaction_id"))
	for id, want := range map[string]string{first: "0", second: "40"} {
		got, _ := h.srv.CreditMemoRemaining(biz, id)
		assert.Equal(t, want, got.String(), id)
	}

	voided := h.do("POST", bizPath(biz, "/credit-memo/"+second+"/void"), nil).requireStatus(t, http.StatusOK)
	assert.Equal(t, true, voided.get("data", "voided"))
	assert.NotEmpty(t, voided.get("data", "voided_at"))
	assert.True(t, strings.HasPrefix(str(voided.get("data", "void_journal_entry_id")), "je_"))
	left, _ = h.srv.CreditRemaining(biz, "cus_a")
	assert.Equal(t, "0", left.String(), "the void took the 40 left of CM-2 out of the pool")
	pay("0.01").requireStatus(t, http.StatusUnprocessableEntity)
	other, _ := h.srv.CreditRemaining(biz, "cus_b")
	assert.Equal(t, "99", other.String())

	twice := h.do("POST", bizPath(biz, "/credit-memo/"+second+"/void"), nil).requireStatus(t, http.StatusUnprocessableEntity)
	assert.Contains(t, twice.get("detail"), "already voided")
	assert.Equal(t, 1, h.srv.Stats(assettest.RouteVoidCreditMemo).Applied)

	h.srv.AddCredit(biz, "cus_a", mustDec("60"))
	memos := h.srv.CreditMemos(biz)
	require.Len(t, memos, 4, "AddCredit issues a memo")
	assert.True(t, strings.HasPrefix(memos[3].Number, "AddCredit-"))
	assert.Equal(t, "60", memos[3].Amount.String())
	assert.Equal(t, memos[3].ID, str(pay("60").requireStatus(t, http.StatusOK).get("data", "payments", 1, "credit_memo_id")))
}

func TestGetAndVoidCreditMemoNotFound(t *testing.T) {
	h := newTester(t)
	id := h.createMemo(biz, "cus_a", "CM-1", "1")
	got := h.do("GET", bizPath(biz, "/credit-memo/"+id), nil).requireStatus(t, http.StatusOK)
	assert.Equal(t, id, got.get("data", "id"))
	for _, path := range []string{"/credit-memo/cm_nope", "/credit-memo/cm_nope/void"} {
		method := map[bool]string{true: "POST", false: "GET"}[strings.HasSuffix(path, "/void")]
		assert.Equal(t, http.StatusNotFound, h.do(method, bizPath(biz, path), nil).status, path)
		assert.Equal(t, http.StatusNotFound, h.do(method, bizPath("biz_other", strings.Replace(path, "cm_nope", id, 1)), nil).status, "another business's memo")
	}
	h.do("GET", bizPath(biz, "/credit-memo/inv_1"), nil).requireDetailAt(t, "value_error", "path", "credit_memo_id")
}

func TestListCreditMemos(t *testing.T) {
	h := newTester(t)
	var ids []string
	for i, cus := range []string{"cus_a", "cus_b", "cus_a", "cus_a", "cus_a"} {
		ids = append(ids, h.createMemo(biz, cus, "CM-"+string(rune('1'+i)), "1"))
	}
	h.do("POST", bizPath(biz, "/credit-memo/"+ids[2]+"/void"), nil).requireStatus(t, http.StatusOK)

	list := func(query string) reply {
		return h.do("GET", bizPath(biz, "/credit-memo"+query), nil)
	}
	idsOf := func(r reply) []string {
		var out []string
		for _, m := range r.requireStatus(t, http.StatusOK).get("data").([]any) {
			out = append(out, str(get(m, "id")))
		}
		return out
	}
	assert.Equal(t, ids, idsOf(list("")))
	assert.Equal(t, []string{ids[0], ids[2], ids[3], ids[4]}, idsOf(list("?customer_id=cus_a")))
	assert.Equal(t, []string{ids[2]}, idsOf(list("?voided=true")))
	assert.Equal(t, []string{ids[0], ids[3], ids[4]}, idsOf(list("?customer_id=cus_a&voided=false")))

	page1 := list("?customer_id=cus_a&voided=false&page_size=2")
	assert.Equal(t, []string{ids[0], ids[3]}, idsOf(page1))
	next := str(page1.get("pagination", "next_page_token"))
	require.NotEmpty(t, next)
	page2 := list("?customer_id=cus_a&voided=false&page_size=2&page_token=" + next)
	assert.Equal(t, []string{ids[4]}, idsOf(page2))
	assert.Nil(t, page2.get("pagination", "next_page_token"))
	prev := str(page2.get("pagination", "previous_page_token"))
	assert.Equal(t, []string{ids[0], ids[3]}, idsOf(list("?customer_id=cus_a&voided=false&page_size=2&page_token="+prev)))

	list("?voided=maybe").requireDetailAt(t, "bool_parsing", "query", "voided")
	list("?customer_id=acme").requireDetailAt(t, "value_error", "query", "customer_id")
	list("?customer_id=cus_b&voided=false&page_token="+next).requireDetailAt(t, "value_error", "query", "page_token")
	list("?page_size=0").requireDetailAt(t, "greater_than_equal", "query", "page_size")
}
