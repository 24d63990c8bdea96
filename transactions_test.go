package asset

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testTxn           = "txn_WQMDNUHpBThYSNh4AprDBo"
	transactionsRoute = "/v0/business/" + testBiz + "/transactions"
	ledgersRoute      = "/v0/business/" + testBiz + "/ledger"
)

// The doc_transaction* and doc_ledger* files are the example payloads of
// the public API reference, copied verbatim:
//
//	doc_transactions_list_v1.json            docs.getasset.com/api-reference/transaction/list-transactions-for-a-business (older: account_ids string[])
//	doc_transactions_list_v2.json            the same page, newer (ids, external_ids, includes; payments null)
//	doc_transaction_get_v2.json              docs.getasset.com/api-reference/transaction/get-a-single-transaction
//	doc_transactions_create_request_v1.json  docs.getasset.com/api-reference/transaction/create-transactions (older: linked_account_id, 202 any)
//	doc_transactions_create_request_v2.json  the same page, newer (external_account_id)
//	doc_transactions_create_response_v2.json its newer answer
//	doc_ledgers_list.json                    docs.getasset.com/api-reference/ledger/list-all-ledgers-for-a-business
//	doc_ledger_get_v1.json, _v2.json         docs.getasset.com/api-reference/ledger/retrieve-a-ledger, both versions
//
// transaction_with_payments.json is not the docs' own: their example with
// every payment is cut short where it was read, so it is built from their
// shapes (the invoice's payments as "<unknown>", a bill object).

func docTransactionV1() Transaction {
	return Transaction{ID: testTxn, ExternalID: "<string>", ExternalAccountID: "eac_WQMDNUHpBThYSNh4AprDBo", Amount: MustDecimal("123"),
		Datetime: time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC), Description: "<string>", Posted: true,
		Type: TransactionTypeBusiness, Reviewed: true, Metadata: map[string]any{}}
}

func docTransactionV2() Transaction {
	t := docTransactionV1()
	t.ID, t.ExternalID, t.ExternalAccountID = "<string>", "1234567890", "<string>"
	return t
}

func TestTransactionDocPayloadsDecode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file string
		want Transaction
	}{{"doc_transactions_list_v1.json", docTransactionV1()}, {"doc_transactions_list_v2.json", docTransactionV2()}} {
		raw := testdataFile(t, tt.file)
		var env listEnvelope[Transaction]
		require.NoError(t, decodeBody(raw, &env), tt.file)
		require.NoError(t, env.checkShape(raw))
		assert.Equal(t, []Transaction{tt.want}, env.page().Data, tt.file)
		assert.True(t, env.page().HasNext())
	}
	raw := testdataFile(t, "doc_transaction_get_v2.json")
	var one dataEnvelope[Transaction]
	require.NoError(t, decodeBody(raw, &one))
	require.NoError(t, one.checkShape(raw))
	assert.Equal(t, docTransactionV2(), one.Data)
	assert.Nil(t, one.Data.InvoicePayments, "null: not included")

	raw = testdataFile(t, "doc_transactions_create_response_v2.json")
	var batch batchEnvelope[Transaction]
	require.NoError(t, decodeBody(raw, &batch))
	require.NoError(t, batch.checkShape(raw))
	assert.Equal(t, []Transaction{docTransactionV2()}, batch.Data)
}

func TestTransactionNestedPaymentsDecode(t *testing.T) {
	t.Parallel()
	var env dataEnvelope[Transaction]
	require.NoError(t, decodeBody(testdataFile(t, "transaction_with_payments.json"), &env))
	got := env.Data
	assert.Equal(t, "plaid_txn_abc123", got.ExternalID)
	assert.Equal(t, time.Date(2025, 1, 15, 14, 30, 0, 0, time.UTC), got.Datetime, "a naive time is UTC")
	assert.Equal(t, map[string]any{"source": "plaid"}, got.Metadata)
	assertDecimal(t, "150.75", got.Amount, "Amount")
	require.Len(t, got.InvoicePayments, 2)
	p := got.InvoicePayments[0]
	assert.Equal(t, "inp_WQMDNUHpBThYSNh4AprDBo", p.ID)
	assertDecimal(t, "100.25", p.PaymentAmount, "PaymentAmount")
	assert.Equal(t, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), p.Datetime)
	require.NotNil(t, p.Invoice)
	assert.Equal(t, "INV-1", p.Invoice.Number)
	assert.Equal(t, InvoiceStatusPaid, p.Invoice.Status)
	assert.Empty(t, p.Invoice.Payments, "the placeholders are dropped")
	assert.Nil(t, got.InvoicePayments[1].Invoice, `"<unknown>" is no invoice`)
	assertDecimal(t, "50.50", got.InvoicePayments[1].PaymentAmount, "second PaymentAmount")
	assert.Equal(t, []RefundPayment{{ID: "rfp_1", Amount: MustDecimal("0"), TransactionID: testTxn}}, got.RefundPayments)
	assert.Equal(t, []BillPayment{{ID: "blp_1", BillID: "bil_1", TransactionID: testTxn, PaymentID: "blp_1",
		Datetime: time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC), PaymentAmount: MustDecimal("123")}}, got.BillPayments)
}

func TestTransactionCreateRequest(t *testing.T) {
	t.Parallel()
	at := time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC)
	tests := []struct {
		golden string
		in     TransactionCreate
	}{
		{"doc_transactions_create_request_v2.json", TransactionCreate{Description: "<string>", Datetime: at, Amount: MustDecimal("150.75"),
			ExternalID: "<string>", ExternalAccountID: "<string>", Metadata: map[string]any{}}},
		{"doc_transactions_create_request_v1.json", TransactionCreate{Description: "<string>", Datetime: at, Amount: MustDecimal("123"),
			ExternalID: "<string>", LinkedAccountID: "3c90c3cc-0d44-4b50-8888-8dd25736052a", Metadata: map[string]any{}}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("POST "+transactionsRoute, reply(http.StatusAccepted, `{"data": [{"id": "txn_1", "external_id": "<string>", "amount": 1}]}`))
			got, err := c.Transactions.Create(context.Background(), testBiz, []TransactionCreate{tt.in})
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, http.MethodPost, sent[0].Method)
			assert.Empty(t, sent[0].Query)
			assert.Equal(t, "application/json", sent[0].Header.Get("Content-Type"))
			// The docs' {} metadata is sent as they show it only when set;
			// an empty map is left out.
			want := strings.Replace(string(testdataFile(t, tt.golden)), `,
    "metadata_": {}`, "", 1)
			requireSameJSON(t, []byte(want), sent[0].Body)
			require.Len(t, got, 1)
			assert.Equal(t, "txn_1", got[0].ID)
		})
	}
}

// A batch is accounted for by external id: one missing from the answer
// may exist, and a refusal is a failure of its own.
func TestTransactionCreatePartial(t *testing.T) {
	t.Parallel()
	in := []TransactionCreate{testTxnCreate("a", "10"), testTxnCreate("b", "20"), testTxnCreate("c", "30")}
	c, srv := setup(t)
	srv.Handle("POST "+transactionsRoute, replies(t,
		reply(http.StatusCreated, `{"data": [{"id": "txn_1", "external_id": "a"}], "errors": [{"error": "duplicate", "transaction_id": "b"}]}`),
		// The older version's 202 with no batch.
		reply(http.StatusAccepted, `"accepted"`),
	))
	got, err := c.Transactions.Create(context.Background(), testBiz, in)
	require.Len(t, got, 1)
	assert.Equal(t, "a", got[0].ExternalID)
	var be *BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Failures, 2)
	assert.Equal(t, BatchFailure{Number: "b", Index: 1, Message: "duplicate"}, be.Failures[0])
	assert.Equal(t, "c", be.Failures[1].Number)
	assert.True(t, errors.Is(be.Failures[1].Err, ErrOutcomeUnknown))
	assert.Contains(t, be.Failures[1].Message, "Transactions.FindByExternalIDs")
	assert.True(t, errors.Is(err, ErrOutcomeUnknown))
	assert.Equal(t, 1, srv.Requests())

	// The older version's 202 with no batch: nothing is known.
	_, err = c.Transactions.Create(context.Background(), testBiz, in[:1])
	assert.True(t, errors.Is(err, ErrOutcomeUnknown), "%v", err)
	assert.Equal(t, 2, srv.Requests())
}

func testTxnCreate(externalID, amount string) TransactionCreate {
	return TransactionCreate{Description: "deposit " + externalID, Datetime: time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC),
		Amount: MustDecimal(amount), ExternalID: externalID, ExternalAccountID: "eac_1"}
}

func TestTransactionListQuery(t *testing.T) {
	t.Parallel()
	yes := true
	tests := []struct {
		name   string
		params *TransactionListParams
		want   url.Values
	}{
		{"nil", nil, url.Values{}},
		{"everything", &TransactionListParams{
			Type: TransactionTypeBusiness, Reviewed: &yes,
			StartDatetime: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), EndDatetime: time.Date(2025, 1, 31, 23, 59, 59, 0, time.UTC),
			AccountIDs: []string{"eac_1", "eac_2"}, IDs: []string{"txn_1", "txn_2"}, ExternalIDs: []string{"e1", "e 2"},
			Includes: []string{TransactionIncludeInvoicePayments, TransactionIncludeRefundPayments}, SortBy: "datetime", Order: "asc",
			PageSize: 50, PageToken: "pg/2",
		}, url.Values{
			"type": {"business"}, "reviewed": {"true"}, "start_datetime": {"2025-01-01T00:00:00Z"}, "end_datetime": {"2025-01-31T23:59:59Z"},
			"account_ids": {"eac_1,eac_2"}, "ids": {"txn_1,txn_2"}, "external_ids": {"e1,e 2"},
			"includes": {"invoice_payments.invoice,refund_payments"}, "sort_by": {"datetime"}, "order": {"asc"},
			"page_size": {"50"}, "page_token": {"pg/2"},
		}},
		{"not reviewed", &TransactionListParams{Reviewed: new(bool)}, url.Values{"reviewed": {"false"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("GET "+transactionsRoute, replyFile(t, http.StatusOK, "doc_transactions_list_v2.json"))
			_, err := c.Transactions.List(context.Background(), testBiz, tt.params)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			q, err := url.ParseQuery(sent[0].Query)
			require.NoError(t, err)
			assert.Equal(t, tt.want, q)
			assert.Empty(t, sent[0].Body)
		})
	}
}

func TestTransactionGetIncludes(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+transactionsRoute+"/"+testTxn, replyFile(t, http.StatusOK, "transaction_with_payments.json"))
	got, err := c.Transactions.Get(context.Background(), testBiz, testTxn, []string{TransactionIncludeInvoicePayments})
	require.NoError(t, err)
	assert.Len(t, got.InvoicePayments, 2)
	_, err = c.Transactions.Get(context.Background(), testBiz, testTxn, nil)
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 2)
	assert.Equal(t, "includes=invoice_payments.invoice", sent[0].Query)
	assert.Empty(t, sent[1].Query)
}

func TestTransactionInputErrors(t *testing.T) {
	t.Parallel()
	ok := testTxnCreate("a", "1")
	with := func(f func(*TransactionCreate)) []TransactionCreate { c := ok; f(&c); return []TransactionCreate{c} }
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprint("txn_", i)
	}
	tests := []struct {
		name, field string
		batch       []TransactionCreate
		params      *TransactionListParams
	}{
		{name: "empty batch", field: "transactions", batch: []TransactionCreate{}},
		{name: "101", field: "transactions", batch: make([]TransactionCreate, 101)},
		{name: "no external id", field: "transactions[0].ExternalID", batch: with(func(c *TransactionCreate) { c.ExternalID = "" })},
		{name: "comma", field: "transactions[0].ExternalID", batch: with(func(c *TransactionCreate) { c.ExternalID = "a,b" })},
		{name: "no description", field: "transactions[0].Description", batch: with(func(c *TransactionCreate) { c.Description = "" })},
		{name: "no time", field: "transactions[0].Datetime", batch: with(func(c *TransactionCreate) { c.Datetime = time.Time{} })},
		{name: "zero", field: "transactions[0].Amount", batch: with(func(c *TransactionCreate) { c.Amount = MustDecimal("0") })},
		{name: "no account", field: "transactions[0].ExternalAccountID", batch: with(func(c *TransactionCreate) { c.ExternalAccountID = "" })},
		{name: "twice", field: "transactions[1].ExternalID", batch: []TransactionCreate{ok, ok}},
		{name: "invalid UTF-8", field: "transactions[0]", batch: with(func(c *TransactionCreate) { c.Description = "\xff" })},
		{name: "type", field: "params.Type", params: &TransactionListParams{Type: "shared"}},
		{name: "ids", field: "params.IDs", params: &TransactionListParams{IDs: many}},
		{name: "order", field: "params.Order", params: &TransactionListParams{Order: "up"}},
		{name: "sort", field: "params.SortBy", params: &TransactionListParams{SortBy: "amount"}},
		{name: "range", field: "params.EndDatetime", params: &TransactionListParams{StartDatetime: time.Unix(10, 0), EndDatetime: time.Unix(5, 0)}},
		{name: "comma in a filter", field: "params.ExternalIDs[1]", params: &TransactionListParams{ExternalIDs: []string{"a", "b,c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t) // no handlers: anything sent fails the test
			var err error
			if tt.params != nil {
				_, err = c.Transactions.List(context.Background(), testBiz, tt.params)
			} else {
				_, err = c.Transactions.Create(context.Background(), testBiz, tt.batch)
			}
			var in *InputError
			require.ErrorAs(t, err, &in)
			assert.True(t, strings.HasPrefix(in.Field, tt.field), "field %q", in.Field)
			assert.Zero(t, srv.Requests())
		})
	}
}

// FindByExternalIDs filters the list, one request per 100 distinct ids.
func TestTransactionFindByExternalIDs(t *testing.T) {
	t.Parallel()
	ids := make([]string, 150)
	for i := range ids {
		ids[i] = fmt.Sprintf("e%03d", i)
	}
	ids = append(ids, "e000") // asked twice, looked up once
	c, srv := setup(t)
	srv.Handle("GET "+transactionsRoute, reply(http.StatusOK, `{"data": [{"id": "txn_0", "external_id": "e000"}, {"id": "txn_149", "external_id": "e149"}],
			"pagination": {"next_page_token": null, "previous_page_token": null}}`))
	found, err := c.Transactions.FindByExternalIDs(context.Background(), testBiz, ids, []string{TransactionIncludeInvoicePayments})
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 2)
	for i, n := range []int{100, 50} {
		q, err := url.ParseQuery(sent[i].Query)
		require.NoError(t, err)
		assert.Len(t, strings.Split(q.Get("external_ids"), ","), n)
		assert.Equal(t, "100", q.Get("page_size"))
		assert.Equal(t, "invoice_payments.invoice", q.Get("includes"))
	}
	assert.Equal(t, map[string]Transaction{"e000": {ID: "txn_0", ExternalID: "e000"}, "e149": {ID: "txn_149", ExternalID: "e149"}}, found)
}

func docLedger() Ledger {
	return Ledger{ID: "<string>", BusinessID: "<string>", Name: "<string>", Type: LedgerTypeAsset, Subtype: "current_asset",
		FinancialAccountType: "bank_account", DebitCredit: "debit", SortCode: "<string>", Editable: true, ReportCashFlow: true,
		ParentID: "<string>"}
}

func TestLedgerRequests(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+ledgersRoute, replyFile(t, http.StatusOK, "doc_ledgers_list.json"))
	ledgers, err := c.Ledgers.List(context.Background(), testBiz)
	require.NoError(t, err)
	want := docLedger()
	want.SpecialLedgerType, want.ParentID = "uncategorized_inflow", "3c90c3cc-0d44-4b50-8888-8dd25736052a"
	assert.Equal(t, []Ledger{want}, ledgers)

	v2 := docLedger()
	v2.Editable = false // the newer page leaves it out
	versions := []struct {
		file string
		want Ledger
	}{{"doc_ledger_get_v1.json", docLedger()}, {"doc_ledger_get_v2.json", v2}}
	srv.Handle("GET "+ledgersRoute+"/ldg_1", replies(t,
		replyFile(t, http.StatusOK, versions[0].file), replyFile(t, http.StatusOK, versions[1].file)))
	for _, v := range versions {
		got, err := c.Ledgers.Get(context.Background(), testBiz, "ldg_1")
		require.NoError(t, err, v.file)
		assert.Equal(t, v.want, *got, v.file)
	}
	sent := srv.Sent()
	require.Len(t, sent, 3)
	for _, s := range sent {
		assert.Equal(t, http.MethodGet, s.Method)
		assert.Empty(t, s.Query)
	}
}
