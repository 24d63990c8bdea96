package assettest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

func bankTxn(ext, amount string, day int) asset.TransactionCreate {
	return asset.TransactionCreate{Description: "deposit " + ext, Datetime: time.Date(2026, 1, day, 12, 0, 0, 0, time.UTC),
		Amount: mustDec(amount), ExternalID: ext, ExternalAccountID: "eac_bank"}
}

func TestTransactionsCreateAndFind(t *testing.T) {
	srv, c := newSDK(t)
	ctx := context.Background()
	created, err := c.Transactions.Create(ctx, biz, []asset.TransactionCreate{bankTxn("b-1", "10.00", 1), bankTxn("b-2", "-4.50", 2)})
	require.NoError(t, err)
	require.Len(t, created, 2)
	assert.Regexp(t, "^txn_", created[0].ID)
	assert.Equal(t, "b-1", created[0].ExternalID)
	assert.Equal(t, "eac_bank", created[0].ExternalAccountID)
	assert.Equal(t, asset.TransactionTypeBusiness, created[0].Type)
	assert.Nil(t, created[0].InvoicePayments, "not included")

	// An external id is unique per business: the second is refused on its
	// own, known to have failed, while the new one is created.
	again, err := c.Transactions.Create(ctx, biz, []asset.TransactionCreate{bankTxn("b-1", "10.00", 1), bankTxn("b-3", "1.00", 3)})
	var be *asset.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, []string{"b-1"}, be.Numbers())
	assert.False(t, errors.Is(err, asset.ErrOutcomeUnknown), "a refusal is a known outcome")
	require.Len(t, again, 1)
	assert.Equal(t, "b-3", again[0].ExternalID)
	// Another business has its own external ids.
	_, err = c.Transactions.Create(ctx, "biz_other", []asset.TransactionCreate{bankTxn("b-1", "10.00", 1)})
	require.NoError(t, err)

	found, err := c.Transactions.FindByExternalIDs(ctx, biz, []string{"b-1", "b-3", "missing"}, nil)
	require.NoError(t, err)
	assert.Equal(t, created[0], found["b-1"])
	assert.Equal(t, again[0], found["b-3"])
	assert.NotContains(t, found, "missing")

	got, err := c.Transactions.Get(ctx, biz, created[1].ID, nil)
	require.NoError(t, err)
	assert.Equal(t, created[1], *got)
	state := srv.Transactions(biz)[1]
	assert.Empty(t, state.InvoicePayments)
	state.InvoicePayments, state.RefundPayments = nil, nil // the state holds them; Get included none
	assert.Equal(t, state, *got, "the state reads as the API sends it")

	// AddTransaction is a transaction like the others.
	id := srv.AddTransaction(biz, mustDec("7.00"))
	got, err = c.Transactions.Get(ctx, biz, id, nil)
	require.NoError(t, err)
	assert.Equal(t, "AddTransaction-"+id[len("txn_"):], got.ExternalID)
	assert.Equal(t, assettest.AddTransactionAccount, got.ExternalAccountID)
	_, err = c.Transactions.Get(ctx, biz, "txn_nope", nil)
	assert.ErrorIs(t, err, asset.ErrNotFound)
}

func TestTransactionsListFilters(t *testing.T) {
	_, c := newSDK(t)
	ctx := context.Background()
	in := []asset.TransactionCreate{bankTxn("f-1", "1.00", 1), bankTxn("f-2", "2.00", 2), bankTxn("f-3", "3.00", 3)}
	in[2].ExternalAccountID = "eac_card"
	in[0].Description = "zz last by description"
	created, err := c.Transactions.Create(ctx, biz, in)
	require.NoError(t, err)
	ext := func(ts []asset.Transaction) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.ExternalID)
		}
		return out
	}
	yes, no := true, false
	tests := []struct {
		name   string
		params asset.TransactionListParams
		want   []string
	}{
		{"newest first by default", asset.TransactionListParams{}, []string{"f-3", "f-2", "f-1"}},
		{"ascending", asset.TransactionListParams{Order: "asc"}, []string{"f-1", "f-2", "f-3"}},
		{"by description", asset.TransactionListParams{SortBy: "description", Order: "asc"}, []string{"f-2", "f-3", "f-1"}},
		{"range, inclusive", asset.TransactionListParams{StartDatetime: in[1].Datetime, EndDatetime: in[2].Datetime}, []string{"f-3", "f-2"}},
		{"accounts", asset.TransactionListParams{AccountIDs: []string{"eac_card"}}, []string{"f-3"}},
		{"ids", asset.TransactionListParams{IDs: []string{created[0].ID, created[2].ID}}, []string{"f-3", "f-1"}},
		{"external ids", asset.TransactionListParams{ExternalIDs: []string{"f-2", "nope"}}, []string{"f-2"}},
		{"business", asset.TransactionListParams{Type: asset.TransactionTypeBusiness}, []string{"f-3", "f-2", "f-1"}},
		{"personal", asset.TransactionListParams{Type: asset.TransactionTypePersonal}, nil},
		{"reviewed", asset.TransactionListParams{Reviewed: &yes}, nil},
		{"not reviewed", asset.TransactionListParams{Reviewed: &no}, []string{"f-3", "f-2", "f-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := c.Transactions.List(ctx, biz, &tt.params)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ext(page.Data))
		})
	}
}

// The older docs send account_ids as repeated keys, the newer as one
// comma-separated value: the fake reads both.
func TestTransactionsAccountIDsBothForms(t *testing.T) {
	h := newTester(t)
	for i, acct := range []string{"eac_a", "eac_b", "eac_c"} {
		rep := h.do("POST", bizPath(biz, "/transactions"), []any{map[string]any{"description": "d", "transaction_datetime": "2026-01-01T00:00:00Z",
			"amount": 1, "transaction_id": fmt.Sprint("a-", i), "external_account_id": acct}})
		rep.requireStatus(t, http.StatusAccepted)
	}
	for _, q := range []string{"?account_ids=eac_a,eac_c", "?account_ids=eac_a&account_ids=eac_c"} {
		rep := h.do("GET", bizPath(biz, "/transactions"+q+"&order=asc"), nil).requireStatus(t, http.StatusOK)
		assert.Equal(t, "a-0", str(rep.get("data", 0, "external_id")), q)
		assert.Equal(t, "a-2", str(rep.get("data", 1, "external_id")), q)
		assert.Nil(t, rep.get("data", 2), q)
	}
	for _, q := range []string{"?includes=everything", "?order=up", "?sort_by=amount", "?type=shared", "?reviewed=maybe", "?start_datetime=soon"} {
		h.do("GET", bizPath(biz, "/transactions"+q), nil).requireStatus(t, http.StatusUnprocessableEntity)
	}
	// A transaction needs an eac_ account (or the older linked_account_id).
	h.do("POST", bizPath(biz, "/transactions"), []any{map[string]any{"description": "d", "transaction_datetime": "2026-01-01T00:00:00Z",
		"amount": 1, "transaction_id": "x", "external_account_id": "acct"}}).requireStatus(t, http.StatusUnprocessableEntity)
	h.do("POST", bizPath(biz, "/transactions"), []any{map[string]any{"description": "d", "transaction_datetime": "2026-01-01T00:00:00Z",
		"amount": 1, "transaction_id": "x", "linked_account_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}}).requireStatus(t, http.StatusAccepted)
}

// A walk sees every transaction once, though others are created between
// its pages, newest first.
func TestTransactionsPagingIsACursor(t *testing.T) {
	_, c := newSDK(t)
	ctx := context.Background()
	var batch []asset.TransactionCreate
	for i := 1; i <= 5; i++ {
		batch = append(batch, bankTxn(fmt.Sprint("p-", i), "1.00", i))
	}
	_, err := c.Transactions.Create(ctx, biz, batch)
	require.NoError(t, err)
	pager := c.Transactions.Pager(biz, &asset.TransactionListParams{PageSize: 2})
	var seen []string
	for day := 10; ; day++ {
		page, err := pager.Next(ctx)
		if errors.Is(err, asset.ErrNoMorePages) {
			break
		}
		require.NoError(t, err)
		for _, tx := range page.Data {
			seen = append(seen, tx.ExternalID)
		}
		// Newer than every page: before the walk's cursor, never in it.
		_, err = c.Transactions.Create(ctx, biz, []asset.TransactionCreate{bankTxn(fmt.Sprint("late-", day), "1.00", day)})
		require.NoError(t, err)
		require.Less(t, len(seen), 20)
	}
	assert.Equal(t, []string{"p-5", "p-4", "p-3", "p-2", "p-1"}, seen)
}

// An invoice payment is visible from its transaction when included.
func TestTransactionsIncludeInvoicePayments(t *testing.T) {
	srv, c := newSDK(t)
	ctx := context.Background()
	txns, err := c.Transactions.Create(ctx, biz, []asset.TransactionCreate{bankTxn("i-1", "100.00", 1)})
	require.NoError(t, err)
	invs, err := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{Number: "I-1", Lines: []asset.InvoiceLineCreate{{Amount: mustDec("60.00")}}}})
	require.NoError(t, err)
	_, err = c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txns[0].ID, PaymentAmount: mustDec("60.00")})
	require.NoError(t, err)

	got, err := c.Transactions.Get(ctx, biz, txns[0].ID, []string{asset.TransactionIncludeInvoicePayments, asset.TransactionIncludeRefundPayments})
	require.NoError(t, err)
	require.Len(t, got.InvoicePayments, 1)
	p := got.InvoicePayments[0]
	assert.Equal(t, invs[0].ID, p.InvoiceID)
	assertDec(t, "60.00", p.PaymentAmount)
	require.NotNil(t, p.Invoice)
	assert.Equal(t, asset.InvoiceStatusPaid, p.Invoice.Status)
	assert.NotNil(t, got.RefundPayments)
	assert.Empty(t, got.RefundPayments)
	assert.Nil(t, got.BillPayments, "not asked for")

	// includes=invoice_payments, without .invoice, leaves the invoice out.
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
	rep := h.do("GET", bizPath(biz, "/transactions?includes=invoice_payments&external_ids=i-1"), nil).requireStatus(t, http.StatusOK)
	assert.Equal(t, invs[0].ID, str(rep.get("data", 0, "invoice_payments", 0, "invoice_id")))
	assert.Nil(t, rep.get("data", 0, "invoice_payments", 0, "invoice"))
	left, _ := srv.TransactionRemaining(biz, txns[0].ID)
	assertDec(t, "40.00", left)
}

func TestCustomersRules(t *testing.T) {
	srv, c := newSDK(t)
	ctx := context.Background()
	cus, err := c.Customers.Create(ctx, biz, asset.CustomerCreate{Name: "Acme", ExternalID: "erp-9", Email: "ap@acme.test",
		BillingAddress: &asset.Address{Street1: "1 Main St", City: "Oslo", Country: "NO"}})
	require.NoError(t, err)
	assert.Regexp(t, "^cus_", cus.ID)
	assert.Equal(t, "Oslo", cus.BillingAddress.City)

	// The fake makes external ids unique per business.
	_, err = c.Customers.Create(ctx, biz, asset.CustomerCreate{Name: "Acme again", ExternalID: "erp-9"})
	assert.ErrorIs(t, err, asset.ErrConflict)

	// An invoice naming the customer's external id is the customer's.
	invs, err := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{Number: "C-1", CustomerExternalID: "erp-9", Lines: []asset.InvoiceLineCreate{{Amount: mustDec("1")}}}})
	require.NoError(t, err)
	assert.Equal(t, cus.ID, invs[0].CustomerID)

	empty, name := "", "Acme AS"
	upd, err := c.Customers.Update(ctx, biz, cus.ID, asset.CustomerUpdate{Name: &name, Email: &empty, BillingAddress: &asset.Address{}})
	require.NoError(t, err)
	assert.Equal(t, asset.Customer{ID: cus.ID, Name: "Acme AS", ExternalID: "erp-9"}, *upd)
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
	h.do("PATCH", bizPath(biz, "/customers/"+cus.ID), map[string]any{"name": nil}).requireStatus(t, http.StatusUnprocessableEntity)

	found, err := c.Customers.FindByExternalID(ctx, biz, "erp-9")
	require.NoError(t, err)
	assert.Equal(t, *upd, *found)
	_, err = c.Customers.Get(ctx, biz, "cus_nope")
	assert.ErrorIs(t, err, asset.ErrNotFound)
	assert.Equal(t, []asset.Customer{*upd}, srv.Customers(biz))

	// An invoice naming an unknown external id creates that customer.
	_, err = c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{Number: "C-2", CustomerExternalID: "erp-new", Lines: []asset.InvoiceLineCreate{{Amount: mustDec("1")}}}})
	require.NoError(t, err)
	var all []string
	for cu, err := range c.Customers.All(ctx, biz, &asset.CustomerListParams{PageSize: 1}) {
		require.NoError(t, err)
		all = append(all, cu.ExternalID)
	}
	assert.Equal(t, []string{"erp-9", "erp-new"}, all)
}

func TestLedgers(t *testing.T) {
	_, c := newSDK(t)
	ctx := context.Background()
	ledgers, err := c.Ledgers.List(ctx, biz)
	require.NoError(t, err)
	require.NotEmpty(t, ledgers)
	for _, l := range ledgers {
		assert.Regexp(t, "^ldg_", l.ID)
		assert.Equal(t, biz, l.BusinessID)
	}
	got, err := c.Ledgers.Get(ctx, biz, ledgers[1].ID)
	require.NoError(t, err)
	assert.Equal(t, ledgers[1], *got)
	// The chart is the same on every server, and each business's own.
	_, other := newSDK(t)
	again, err := other.Ledgers.List(ctx, biz)
	require.NoError(t, err)
	assert.Equal(t, ledgers, again)
	theirs, err := other.Ledgers.List(ctx, "biz_other")
	require.NoError(t, err)
	assert.NotEqual(t, ledgers[0].ID, theirs[0].ID)
	_, err = c.Ledgers.Get(ctx, "biz_other", ledgers[0].ID)
	assert.ErrorIs(t, err, asset.ErrNotFound)
}

func assertDec(t *testing.T, want string, got asset.Decimal) {
	t.Helper()
	assert.True(t, mustDec(want).Equal(got), "want %s, got %s", want, got)
}

// A previous page token of a sorted list leads back to the page before.
func TestTransactionsPageBack(t *testing.T) {
	_, c := newSDK(t)
	ctx := context.Background()
	var batch []asset.TransactionCreate
	for i := 1; i <= 5; i++ {
		batch = append(batch, bankTxn(fmt.Sprint("b-", i), "1.00", i))
	}
	_, err := c.Transactions.Create(ctx, biz, batch)
	require.NoError(t, err)
	ext := func(p *asset.Page[asset.Transaction]) []string {
		var out []string
		for _, tx := range p.Data {
			out = append(out, tx.ExternalID)
		}
		return out
	}
	first, err := c.Transactions.List(ctx, biz, &asset.TransactionListParams{PageSize: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"b-5", "b-4"}, ext(first))
	assert.False(t, first.HasPrevious())
	second, err := c.Transactions.List(ctx, biz, &asset.TransactionListParams{PageSize: 2, PageToken: first.NextPageToken})
	require.NoError(t, err)
	assert.Equal(t, []string{"b-3", "b-2"}, ext(second))
	last, err := c.Transactions.List(ctx, biz, &asset.TransactionListParams{PageSize: 2, PageToken: second.NextPageToken})
	require.NoError(t, err)
	assert.Equal(t, []string{"b-1"}, ext(last))
	assert.False(t, last.HasNext())
	back, err := c.Transactions.List(ctx, biz, &asset.TransactionListParams{PageSize: 2, PageToken: last.PreviousPageToken})
	require.NoError(t, err)
	assert.Equal(t, ext(second), ext(back))
	// A token is bound to its filters.
	_, err = c.Transactions.List(ctx, biz, &asset.TransactionListParams{PageSize: 2, Order: "asc", PageToken: first.NextPageToken})
	assert.ErrorIs(t, err, asset.ErrValidation)
}
