package assettest_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func TestTagFields(t *testing.T) {
	const other = "biz_other"
	h := newTester(t, assettest.WithTagFields("Location"))
	h.srv.AddTagField(biz, "Job")
	h.srv.AddTagField(biz, "Job") // twice is harmless
	id := h.createOne(biz, "TF-1", "10")
	otherID := h.createOne(other, "TF-1", "10")
	patch := func(b, id string, tags map[string]any) reply {
		return h.do("PATCH", bizPath(b, "/invoice/"+id), map[string]any{"tags": tags})
	}

	tests := []struct {
		name    string
		biz, id string
		tags    map[string]any
		badTags []string // refused at ["body", "tags", name], in this order; none: accepted
		want    map[string]any
	}{
		{"a field of every business", biz, id, map[string]any{"Location": "NYC"}, nil, map[string]any{"Location": "NYC"}},
		{"a field of this business", biz, id, map[string]any{"Job": "Roof"}, nil, map[string]any{"Location": "NYC", "Job": "Roof"}},
		{"an unknown field", biz, id, map[string]any{"Crew": "B"}, []string{"Crew"}, nil},
		{"an unknown field refuses the whole change", biz, id, map[string]any{"Location": "SF", "Crew": "B", "Area": "N"}, []string{"Area", "Crew"}, nil},
		{"removing an unknown field", biz, id, map[string]any{"Crew": nil}, []string{"Crew"}, nil},
		{"names are case-sensitive", biz, id, map[string]any{"location": "NYC"}, []string{"location"}, nil},
		{"another business's field", other, otherID, map[string]any{"Job": "Roof"}, []string{"Job"}, nil},
		{"every business has WithTagFields", other, otherID, map[string]any{"Location": "LA"}, nil, map[string]any{"Location": "LA"}},
		{"removing a known field", biz, id, map[string]any{"Job": nil}, nil, map[string]any{"Location": "NYC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := h.srv.Invoice(tt.biz, tt.id)
			rep := patch(tt.biz, tt.id, tt.tags)
			if tt.badTags == nil {
				rep.requireStatus(t, 200)
				assert.Equal(t, tt.want, rep.get("data", "tags"))
				return
			}
			rep.requireStatus(t, 422)
			details := rep.get("detail").([]any)
			require.Len(t, details, len(tt.badTags), "body %s", rep.raw)
			for i, name := range tt.badTags {
				assert.Equal(t, []any{"body", "tags", name}, get(details[i], "loc"))
				assert.Equal(t, "value_error", get(details[i], "type"))
				assert.Contains(t, get(details[i], "msg"), strconv.Quote(name))
			}
			after, _ := h.srv.Invoice(tt.biz, tt.id)
			assert.Equal(t, before, after, "a refused change changes nothing")
		})
	}

	t.Run("on create", func(t *testing.T) {
		rep := h.do("POST", bizPath(biz, "/invoice"), []any{
			map[string]any{"number": "TF-2", "tags": map[string]any{"Job": "Roof"}},
			map[string]any{"number": "TF-3", "tags": map[string]any{"Location": "NYC", "Crew": "B"}},
		})
		rep.requireDetailAt(t, "value_error", "body", 1, "tags", "Crew")
		assert.Len(t, rep.get("detail"), 1)
		assert.Len(t, h.srv.Invoices(biz), 1, "nothing of the batch is created")

		rep = h.create(other, map[string]any{"number": "TF-2", "tags": map[string]any{"Location": "NYC"}})
		assert.Equal(t, map[string]any{"Location": "NYC"}, rep.get("data", 0, "tags"))
		h.do("POST", bizPath(other, "/invoice"), []any{map[string]any{"number": "TF-3", "tags": map[string]any{"Job": "Roof"}}}).
			requireDetailAt(t, "value_error", "body", 0, "tags", "Job")
	})
	t.Run("without any field", func(t *testing.T) {
		bare := newTester(t)
		bare.do("POST", bizPath(biz, "/invoice"), []any{map[string]any{"number": "T", "tags": map[string]any{"Location": "NYC"}}}).
			requireDetailAt(t, "value_error", "body", 0, "tags", "Location")
		bare.create(biz, map[string]any{"number": "T", "tags": map[string]any{}})
	})
}

func TestMoneyPlaces(t *testing.T) {
	h := newTester(t)
	n := func(s string) json.Number { return json.Number(s) }
	line := func(l map[string]any) []any {
		return []any{map[string]any{"number": "MP", "lines": []any{l}}}
	}
	id := h.createOne(biz, "MP-1", "100.00")
	txn := h.srv.AddTransaction(biz, mustDec("100"))
	tests := []struct {
		name         string
		method, path string
		body         any
		loc          []any // nil: accepted
	}{
		{"line amount", "POST", "/invoice", line(map[string]any{"amount": n("1.005")}), []any{"body", 0, "lines", 0, "amount"}},
		{"line amount as a string", "POST", "/invoice", line(map[string]any{"amount": "1.001"}), []any{"body", 0, "lines", 0, "amount"}},
		{"discount_amount", "POST", "/invoice", line(map[string]any{"unit_price": 5, "quantity": 1, "discount_amount": n("0.005")}), []any{"body", 0, "lines", 0, "discount_amount"}},
		{"tax_amount", "POST", "/invoice", line(map[string]any{"unit_price": 5, "quantity": 1, "tax_amount": n("0.125")}), []any{"body", 0, "lines", 0, "tax_amount"}},
		{"credit_amount", "POST", "/invoice", []any{map[string]any{"number": "MP", "credit_amount": n("0.001")}}, []any{"body", 0, "credit_amount"}},
		{"a new line's amount", "PATCH", "/invoice/" + id, map[string]any{"line_changes": map[string]any{"create_lines": []any{map[string]any{"amount": n("0.333")}}}}, []any{"body", "line_changes", "create_lines", 0, "amount"}},
		{"payment_amount", "POST", "/invoice-payment", map[string]any{"invoice_id": id, "transaction_id": txn, "payment_amount": n("10.001")}, []any{"body", "payment_amount"}},
		{"write-off amount", "POST", "/invoice/" + id + "/write-off", map[string]any{"amount": n("0.015")}, []any{"body", "amount"}},
		{"places are checked before the sign", "POST", "/invoice-payment", map[string]any{"invoice_id": id, "payment_amount": n("-0.001")}, []any{"body", "payment_amount"}},
		{"trailing zeros do not count", "POST", "/invoice-payment", map[string]any{"invoice_id": id, "transaction_id": txn, "payment_amount": n("1.2500")}, nil},
		{"prices, quantities and rates may be finer", "POST", "/invoice", []any{map[string]any{"number": "MP-fine", "lines": []any{map[string]any{
			"unit_price": n("0.3333"), "quantity": n("1.5"), "discount_rate": n("0.125"), "tax_rate": n("0.0825"),
		}}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := h.srv.Invoice(biz, id)
			rep := h.do(tt.method, bizPath(biz, tt.path), tt.body)
			if tt.loc == nil {
				assert.Less(t, rep.status, 300, "body %s", rep.raw)
				return
			}
			rep.requireDetailAt(t, "decimal_max_places", tt.loc...)
			assert.Equal(t, "Decimal input should have no more than 2 decimal places", rep.get("detail", 0, "msg"))
			after, _ := h.srv.Invoice(biz, id)
			assert.Equal(t, before, after, "a refused request changes nothing")
		})
	}
	assert.Len(t, h.srv.Invoices(biz), 2, "only the invoices of accepted requests")
	got, _ := h.srv.Invoice(biz, id)
	assert.Equal(t, "1.2500", got.TotalPaid.String())
}

// An invoice of any rounded total can be paid to exactly paid.
func TestRoundedTotalsPayExactly(t *testing.T) {
	h := newTester(t)
	rep := h.create(biz, map[string]any{"number": "R-1", "lines": []any{
		map[string]any{"unit_price": json.Number("0.0625"), "quantity": 3},  // 0.1875: 0.19
		map[string]any{"unit_price": json.Number("19.99"), "quantity": 1.5}, // 29.985: 29.99
	}})
	id := str(rep.get("data", 0, "id"))
	assert.Equal(t, "30.18", num(rep.get("data", 0, "total_amount")))
	txn := h.srv.AddTransaction(biz, mustDec("30.18"))
	paid := h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "transaction_id": txn}).requireStatus(t, 200)
	assert.Equal(t, "paid", paid.get("data", "status"))
}

func TestCreditPool(t *testing.T) {
	tests := []struct {
		name      string
		customer  string // the invoice's customer_id
		credit    map[string]string
		amount    string
		status    int
		detail    string
		leftFor   string
		left      string // credit left for leftFor; "" when it has none
		invStatus string
	}{
		{"no customer", "", map[string]string{"cus_a": "50"}, "10", 422, "no customer", "cus_a", "50", "open"},
		{"a customer without credit", "cus_a", nil, "10", 422, "exceeds the customer's credit of 0", "cus_a", "", "open"},
		{"credit short", "cus_a", map[string]string{"cus_a": "9.99"}, "10", 422, "exceeds the customer's credit of 9.99", "cus_a", "9.99", "open"},
		{"another customer's credit", "cus_a", map[string]string{"cus_b": "50"}, "10", 422, "credit of 0", "cus_b", "50", "open"},
		{"part of the credit", "cus_a", map[string]string{"cus_a": "50"}, "10", 200, "", "cus_a", "40", "open"},
		{"credit added twice adds up", "cus_a", map[string]string{"cus_a": "15"}, "30", 200, "", "cus_a", "0", "paid"},
		{"the credit to the cent", "cus_a", map[string]string{"cus_a": "30.00"}, "30.00", 200, "", "cus_a", "0.00", "paid"},
		{"beyond the balance, credit untouched", "cus_a", map[string]string{"cus_a": "100"}, "30.01", 422, "exceeds the invoice balance", "cus_a", "100", "open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTester(t)
			inv := map[string]any{"number": "C-1", "lines": []any{map[string]any{"amount": json.Number("30.00")}}}
			if tt.customer != "" {
				inv["customer_id"] = tt.customer
			}
			id := str(h.create(biz, inv).get("data", 0, "id"))
			for cus, amount := range tt.credit {
				h.srv.AddCredit(biz, cus, mustDec(amount))
				if tt.name == "credit added twice adds up" {
					h.srv.AddCredit(biz, cus, mustDec(amount))
				}
			}
			// Another business's credit for the same customer id is not drawn.
			h.srv.AddCredit("biz_other", "cus_a", mustDec("1000"))

			rep := h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "payment_amount": json.Number(tt.amount)})
			rep.requireStatus(t, tt.status)
			if tt.detail != "" {
				assert.Contains(t, rep.get("detail"), tt.detail)
			}
			left, ok := h.srv.CreditRemaining(biz, tt.leftFor)
			assert.Equal(t, tt.left != "", ok)
			assert.Equal(t, tt.left, map[bool]string{true: left.String()}[ok])
			got, _ := h.srv.Invoice(biz, id)
			assert.Equal(t, tt.invStatus, string(got.Status))
			assert.Equal(t, tt.status == 200, len(got.Payments) == 1)
			other, _ := h.srv.CreditRemaining("biz_other", "cus_a")
			assert.Equal(t, "1000", other.String())
		})
	}

	t.Run("an external customer id", func(t *testing.T) {
		h := newTester(t)
		rep := h.create(biz, map[string]any{"number": "C-2", "customer_external_id": "crm-7", "lines": []any{map[string]any{"amount": 5}}})
		cus := str(rep.get("data", 0, "customer_id"))
		h.srv.AddCredit(biz, cus, mustDec("5"))
		h.do("POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": str(rep.get("data", 0, "id")), "payment_amount": 5}).requireStatus(t, 200)
		left, _ := h.srv.CreditRemaining(biz, cus)
		assert.Equal(t, "0", left.String())
	})
}

func TestHelpersPanic(t *testing.T) {
	srv := assettest.NewServer()
	defer srv.Close()
	tests := []struct {
		name string
		call func()
		msg  string
	}{
		{"AddTransaction without biz_", func() { srv.AddTransaction("acme", mustDec("1")) }, "biz_ id"},
		{"AddTransaction on biz_ alone", func() { srv.AddTransaction("biz_", mustDec("1")) }, "biz_ id"},
		{"AddTransaction of zero", func() { srv.AddTransaction(biz, mustDec("0")) }, "positive"},
		{"AddTransaction of nothing", func() { srv.AddTransaction(biz, asset.Decimal{}) }, "positive"},
		{"AddTransaction of a tenth of a cent", func() { srv.AddTransaction(biz, mustDec("1.001")) }, "2 decimal places"},
		{"AddCredit without biz_", func() { srv.AddCredit("acme", "cus_1", mustDec("1")) }, "biz_ id"},
		{"AddCredit without a customer", func() { srv.AddCredit(biz, "", mustDec("1")) }, "customer"},
		{"AddCredit of a negative amount", func() { srv.AddCredit(biz, "cus_1", mustDec("-1")) }, "positive"},
		{"AddCredit of a tenth of a cent", func() { srv.AddCredit(biz, "cus_1", mustDec("0.001")) }, "2 decimal places"},
		{"AddTagField without biz_", func() { srv.AddTagField("", "Job") }, "biz_ id"},
		{"AddTagField without a name", func() { srv.AddTagField(biz, "") }, "name"},
		{"WithTagFields without a name", func() { assettest.NewServer(assettest.WithTagFields("Job", "")) }, "name"},
		{"WithTenantRateLimit of zero", func() { assettest.NewServer(assettest.WithTenantRateLimit(0, time.Minute)) }, "positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			func() {
				defer func() { got = recover() }()
				tt.call()
			}()
			require.NotNil(t, got, "no panic")
			assert.Contains(t, got, tt.msg)
		})
	}
	assert.Empty(t, srv.Invoices("acme"), "nothing was recorded")
	_, ok := srv.CreditRemaining(biz, "cus_1")
	assert.False(t, ok)
	assert.NotPanics(t, func() { srv.AddTransaction(biz, mustDec("1.500")) }, "trailing zeros are not places")
}

func TestTenantRateLimit(t *testing.T) {
	clk := &clock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
	h := newTester(t, assettest.WithRateLimit(3, time.Minute), assettest.WithTenantRateLimit(5, time.Hour), assettest.WithClock(clk.now))
	list := func(b string, headers ...string) reply {
		return h.do("GET", bizPath(b, "/invoice"), nil, headers...)
	}
	type want struct {
		status         int
		limit, remains string
		resetIn        time.Duration // from the start
		retryAfter     string
		error          string
	}
	start := clk.now()
	check := func(t *testing.T, rep reply, w want) {
		t.Helper()
		rep.requireStatus(t, w.status)
		assert.Equal(t, w.limit, rep.header.Get("X-Ratelimit-Limit"))
		assert.Equal(t, w.remains, rep.header.Get("X-Ratelimit-Remaining"))
		assert.Equal(t, strconv.FormatInt(start.Add(w.resetIn).Unix(), 10), rep.header.Get("X-Ratelimit-Reset"))
		assert.Equal(t, w.retryAfter, rep.header.Get("Retry-After"))
		if w.error != "" {
			assert.Equal(t, w.error, rep.get("error"))
		}
	}

	// The business's window is the tighter at first.
	check(t, list("biz_a"), want{200, "3", "2", time.Minute, "", ""})
	check(t, list("biz_a"), want{200, "3", "1", time.Minute, "", ""})
	check(t, list("biz_a"), want{200, "3", "0", time.Minute, "", ""})
	// The business's is spent, the tenant's not: a refusal that uses
	// neither, as the next request shows.
	check(t, list("biz_a"), want{429, "3", "0", time.Minute, "60", "Rate limit exceeded: 3 per 1 minute"})
	// The tenant's has fewer left than a fresh business's: it is reported.
	check(t, list("biz_b"), want{200, "5", "1", time.Hour, "", ""})
	check(t, list("biz_c"), want{200, "5", "0", time.Hour, "", ""})
	// The tenant's is spent while biz_d's is untouched.
	check(t, list("biz_d"), want{429, "5", "0", time.Hour, "3600", "Rate limit exceeded: 5 per 1 hour"})
	// Both spent: the later reset is the one to wait for.
	check(t, list("biz_a"), want{429, "5", "0", time.Hour, "3600", "Rate limit exceeded: 5 per 1 hour"})
	assert.Equal(t, 3, h.srv.Stats(assettest.RouteListInvoices).RateLimited)

	// Tokens issued for the client credentials are the same tenant.
	c := h.srv.ClientCredentials()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
	tok := h.do("POST", "/v0/auth/token", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	tok.requireStatus(t, 200)
	assert.Equal(t, "3", tok.header.Get("X-Ratelimit-Limit"), "the token endpoint has a window of its own")
	assert.Equal(t, "2", tok.header.Get("X-Ratelimit-Remaining"))
	list("biz_e", "Authorization", "Bearer "+str(tok.get("access_token"))).requireStatus(t, 429)

	// After the business's window, the tenant's still holds; after the
	// tenant's, requests go through, and refused ones used neither window.
	clk.advance(time.Minute)
	check(t, list("biz_a"), want{429, "5", "0", time.Hour, "3540", ""})
	clk.advance(59 * time.Minute)
	start = clk.now()
	check(t, list("biz_d"), want{200, "3", "2", time.Minute, "", ""})
}

func TestTenantRateLimitDefaultAndOff(t *testing.T) {
	h := newTester(t, assettest.WithRateLimit(1000, time.Minute))
	var rep reply
	for i := range 300 {
		rep = h.do("GET", bizPath("biz_"+strconv.Itoa(i%7), "/invoice"), nil).requireStatus(t, 200)
	}
	assert.Equal(t, "300", rep.header.Get("X-Ratelimit-Limit"), "the API's 300 a minute per tenant by default")
	assert.Equal(t, "0", rep.header.Get("X-Ratelimit-Remaining"))
	h.do("GET", bizPath("biz_new", "/invoice"), nil).requireStatus(t, 429)

	off := newTester(t, assettest.WithoutRateLimit(), assettest.WithTenantRateLimit(2, time.Minute))
	for i, status := range []int{200, 200, 429} {
		rep := off.do("GET", bizPath("biz_"+strconv.Itoa(i), "/invoice"), nil).requireStatus(t, status)
		assert.Equal(t, "2", rep.header.Get("X-Ratelimit-Limit"), "a tenant limit alone")
	}
}

func TestAppliedCountsChanges(t *testing.T) {
	h := newTester(t, assettest.WithTagFields("Job"))
	id := h.createOne(biz, "A-1", "10")
	txn := h.srv.AddTransaction(biz, mustDec("1"))
	tests := []struct {
		name          string
		route         assettest.Route
		method, path  string
		body          any
		status        int
		served, apply int
	}{
		{"a create", assettest.RouteCreateInvoices, "POST", bizPath(biz, "/invoice"), []any{map[string]any{"number": "A-2"}}, 201, 1, 1},
		{"a create of one new and one duplicate", assettest.RouteCreateInvoices, "POST", bizPath(biz, "/invoice"), []any{map[string]any{"number": "A-1"}, map[string]any{"number": "A-3"}}, 201, 1, 1},
		{"a create of duplicates only", assettest.RouteCreateInvoices, "POST", bizPath(biz, "/invoice"), []any{map[string]any{"number": "A-1"}, map[string]any{"number": "A-2"}}, 201, 1, 0},
		{"a refused create", assettest.RouteCreateInvoices, "POST", bizPath(biz, "/invoice"), []any{}, 422, 0, 0},
		{"a read", assettest.RouteGetInvoice, "GET", bizPath(biz, "/invoice/"+id), nil, 200, 1, 0},
		{"a list", assettest.RouteListInvoices, "GET", bizPath(biz, "/invoice"), nil, 200, 1, 0},
		{"an update", assettest.RouteUpdateInvoice, "PATCH", bizPath(biz, "/invoice/"+id), map[string]any{"tags": map[string]any{"Job": "Roof"}}, 200, 1, 1},
		{"an update to what it is", assettest.RouteUpdateInvoice, "PATCH", bizPath(biz, "/invoice/"+id), map[string]any{"tags": map[string]any{"Job": "Roof"}, "status": "open"}, 200, 1, 0},
		{"an empty update", assettest.RouteUpdateInvoice, "PATCH", bizPath(biz, "/invoice/"+id), map[string]any{}, 200, 1, 0},
		{"a payment", assettest.RouteApplyPayment, "POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "transaction_id": txn}, 200, 1, 1},
		{"a refused payment", assettest.RouteApplyPayment, "POST", bizPath(biz, "/invoice-payment"), map[string]any{"invoice_id": id, "transaction_id": txn}, 422, 0, 0},
		{"a write-off", assettest.RouteWriteOff, "POST", bizPath(biz, "/invoice/"+id+"/write-off"), map[string]any{"amount": 1}, 200, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.srv.ResetStats()
			h.do(tt.method, tt.path, tt.body).requireStatus(t, tt.status)
			assert.Equal(t, assettest.RouteStats{Requests: 1, Served: tt.served, Applied: tt.apply}, h.srv.Stats(tt.route))
			assert.Equal(t, tt.apply, h.srv.Applied(tt.route))
		})
	}
}
