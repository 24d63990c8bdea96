package asset

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testRefund      = "rfu_Lq5AyApd4pdL1VvakpY5aJ"
	refundRoute     = "/v0/business/" + testBiz + "/refund"
	refundsRoute    = "/v0/business/" + testBiz + "/refunds"
	refundPayRoute  = "/v0/business/" + testBiz + "/refund-payment"
	invRefundsRoute = "/v0/business/" + testBiz + "/invoice/" + testInv + "/refunds"
	refundOneBody   = `{"data": {"id": "` + testRefund + `", "business_id": "` + testBiz + `", "external_id": "ref_ext_001",
		"amount": 150.50, "amount_paid": 0, "method": "credit_card", "refunded_at": "2025-01-15T14:30:00Z", "status": "pending",
		"payments": [], "refund_invoices": []}}`
)

// The doc_refund* files are the example responses of the public API
// reference, copied verbatim:
//
//	doc_refund_create_v1.json   docs.getasset.com/api-reference/invoice/refund-an-invoice (older page: refund_credit)
//	doc_refund_create_v2.json   the same page, newer version (no refund_credit, placeholder ids)
//	doc_refund_payment_v1.json  docs.getasset.com/api-reference/invoice/apply-an-existing-transaction-as-payment-of-a-refund
//	doc_refund_payment_v2.json  docs.getasset.com/api-reference/invoice/apply-transaction-to-a-refund
//	doc_refunds_invoice.json    docs.getasset.com/api-reference/invoice/get-all-refunds-for-an-invoice
//	doc_refunds_list_v1.json    docs.getasset.com/api-reference/invoice/get-all-refunds-for-a-business
//	doc_refunds_list_v2.json    docs.getasset.com/api-reference/invoice/list-all-invoice-refunds-for-a-business (newer: tags)

// docRefundV1 is the older documented refund, written out by hand.
func docRefundV1() Refund {
	return Refund{
		ID: "rfu_WQMDNUHpBThYSNh4AprDBo", BusinessID: "biz_Pk2fNFDd8wj7EFeLWJywc7", ExternalID: "<string>",
		Amount: MustDecimal("123"), AmountPaid: MustDecimal("0"), Memo: "<string>", Processor: "<string>",
		Method: RefundMethodCash, RefundedAt: time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC), Status: RefundStatusPending,
		Payments: []RefundPayment{{ID: "rfp_WQMDNUHpBThYSNh4AprDBo", Amount: MustDecimal("123"), TransactionID: "txn_WQMDNUHpBThYSNh4AprDBo"}},
		RefundInvoices: []RefundedInvoice{{
			ID: "rfi_WQMDNUHpBThYSNh4AprDBo", ExternalID: "<string>", Amount: MustDecimal("123"), Memo: "<string>",
			InvoiceID: "inv_WQMDNUHpBThYSNh4AprDBo", InvoiceLineID: "inl_WQMDNUHpBThYSNh4AprDBo",
		}},
	}
}

// docRefundV2 is the newer documented refund: placeholder ids, no
// refund_credit.
func docRefundV2() Refund {
	return Refund{
		ID: "<string>", BusinessID: "<string>", ExternalID: "<string>",
		Amount: MustDecimal("123"), AmountPaid: MustDecimal("0"), Memo: "<string>", Processor: "<string>",
		Method: RefundMethodCash, RefundedAt: time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC), Status: RefundStatusPending,
		Payments: []RefundPayment{{ID: "<string>", Amount: MustDecimal("123"), TransactionID: "<string>"}},
		RefundInvoices: []RefundedInvoice{{
			ID: "<string>", ExternalID: "<string>", Amount: MustDecimal("123"), Memo: "<string>",
			InvoiceID: "<string>", InvoiceLineID: "inl_WQMDNUHpBThYSNh4AprDBo",
		}},
	}
}

func TestRefundDocPayloadsDecode(t *testing.T) {
	t.Parallel()
	// The newest list page leaves out method and adds tags.
	listV2 := docRefundV2()
	listV2.Method, listV2.Tags = "", map[string]TagValue{}
	tests := []struct {
		file  string
		list  bool
		want  Refund
		pages bool // a list with page tokens
	}{
		{file: "doc_refund_create_v1.json", want: docRefundV1()},
		{file: "doc_refund_create_v2.json", want: docRefundV2()},
		{file: "doc_refund_payment_v1.json", want: docRefundV1()},
		{file: "doc_refund_payment_v2.json", want: docRefundV2()},
		{file: "doc_refunds_invoice.json", list: true, want: docRefundV1()},
		{file: "doc_refunds_list_v1.json", list: true, pages: true, want: docRefundV1()},
		{file: "doc_refunds_list_v2.json", list: true, pages: true, want: listV2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			raw := testdataFile(t, tt.file)
			if !tt.list {
				var env dataEnvelope[Refund]
				require.NoError(t, decodeBody(raw, &env))
				require.NoError(t, env.checkShape(raw))
				assert.Equal(t, tt.want, env.Data)
				return
			}
			var env listEnvelope[Refund]
			require.NoError(t, decodeBody(raw, &env))
			require.NoError(t, env.checkShape(raw))
			page := env.page()
			require.Len(t, page.Data, 1)
			assert.Equal(t, tt.want, page.Data[0])
			assert.Equal(t, tt.pages, page.HasNext())
		})
	}
}

// Both documented versions also decode through Refund's own UnmarshalJSON,
// as a caller's json.Unmarshal would, the older one with refund_credit set.
func TestRefundUnmarshalJSON(t *testing.T) {
	t.Parallel()
	env := decodeFixture[struct {
		Data Refund `json:"data"`
	}](t, "doc_refund_create_v1.json")
	assert.Equal(t, docRefundV1(), env.Data)

	var r Refund
	require.NoError(t, r.UnmarshalJSON([]byte(`{"id": "rfu_1", "refund_credit": true, "refunded_at": "2025-01-15T14:30:00",
		"tags": {"Job": "Roof"}, "method": "wire", "status": "reversed"}`)))
	assert.True(t, r.RefundCredit)
	assert.Equal(t, time.Date(2025, 1, 15, 14, 30, 0, 0, time.UTC), r.RefundedAt, "a naive time is UTC")
	assert.Equal(t, "Roof", r.Tags["Job"].String())
	// Values from the server that the SDK does not know decode as themselves.
	assert.Equal(t, RefundMethod("wire"), r.Method)
	assert.False(t, r.Method.IsKnown())
	assert.Equal(t, RefundStatus("reversed"), r.Status)
	assert.False(t, r.Status.IsKnown())
}

func goldenRefundCreate() RefundCreate {
	return RefundCreate{
		Amount:     MustDecimal("150.50"),
		ExternalID: "ref_ext_001",
		RefundedAt: time.Date(2025, 1, 15, 9, 30, 0, 0, time.FixedZone("EST", -5*3600)),
		Method:     RefundMethodCreditCard,
		InvoicesToRefund: []RefundInvoiceCreate{
			{Amount: MustDecimal("100.00"), InvoiceID: testInv, InvoiceLineID: "inl_WQMDNUHpBThYSNh4AprDBo", Memo: "Refund for returned item"},
			{Amount: MustDecimal("50.50"), InvoiceExternalID: "ext_inv_001"},
		},
		Memo:      "Customer returned defective item",
		Processor: "John Doe",
		IsReturn:  true,
	}
}

func TestRefundCreateRequest(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("POST "+refundRoute, reply(http.StatusCreated, refundOneBody))

	r, err := c.Refunds.Create(context.Background(), testBiz, goldenRefundCreate())
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, http.MethodPost, sent[0].Method)
	assert.Empty(t, sent[0].Query)
	assert.Equal(t, "application/json", sent[0].Header.Get("Content-Type"))
	assert.Equal(t, "Bearer "+testToken, sent[0].Header.Get("Authorization"))
	requireSameJSON(t, testdataFile(t, "golden_refund_create.json"), sent[0].Body)

	assert.Equal(t, testRefund, r.ID)
	assert.Equal(t, RefundStatusPending, r.Status)
	assertDecimal(t, "150.50", r.Outstanding(), "Outstanding")
}

func TestRefundApplyPaymentRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payment RefundPaymentCreate
		golden  string
	}{
		{"amount", RefundPaymentCreate{RefundID: testRefund, TransactionID: "txn_oiL7THC5RDi2PVUbVyyoJ", PaymentAmount: MustDecimal("25.00")}, "golden_refund_payment.json"},
		{"the transaction's amount", RefundPaymentCreate{RefundID: testRefund, TransactionID: "txn_oiL7THC5RDi2PVUbVyyoJ"}, "golden_refund_payment_default.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("POST "+refundPayRoute, replyFile(t, http.StatusCreated, "doc_refund_payment_v1.json"))

			r, err := c.Refunds.ApplyPayment(context.Background(), testBiz, tt.payment)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, http.MethodPost, sent[0].Method)
			assert.Empty(t, sent[0].Query)
			assert.Equal(t, "application/json", sent[0].Header.Get("Content-Type"))
			requireSameJSON(t, testdataFile(t, tt.golden), sent[0].Body)
			assert.Equal(t, docRefundV1(), *r)
		})
	}
}

func TestRefundListForInvoiceRequest(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+invRefundsRoute, replyFile(t, http.StatusOK, "doc_refunds_invoice.json"))

	refunds, err := c.Refunds.ListForInvoice(context.Background(), testBiz, testInv)
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, http.MethodGet, sent[0].Method)
	assert.Empty(t, sent[0].Query)
	assert.Empty(t, sent[0].Body)
	assert.NotContains(t, sent[0].Header, "Content-Type")
	assert.Equal(t, []Refund{docRefundV1()}, refunds)
}

func TestRefundListQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		params *RefundListParams
		want   string
	}{
		{"nil", nil, ""},
		{"zero", &RefundListParams{}, ""},
		// The API keeps one status: a second key would be dropped by the
		// server, returning a silent subset.
		{"one status, one key", &RefundListParams{Status: RefundStatusPending}, "status=pending"},
		{"everything", &RefundListParams{Status: RefundStatusVoided, PageSize: 10, PageToken: "pg/2+x"},
			"page_size=10&page_token=pg%2F2%2Bx&status=voided"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("GET "+refundsRoute, replyFile(t, http.StatusOK, "doc_refunds_list_v1.json"))

			page, err := c.Refunds.List(context.Background(), testBiz, tt.params)
			require.NoError(t, err)
			sent := srv.Sent()
			require.Len(t, sent, 1)
			assert.Equal(t, http.MethodGet, sent[0].Method)
			assert.Equal(t, tt.want, sent[0].Query)
			assert.Empty(t, sent[0].Body)
			require.Len(t, page.Data, 1)
			assert.Equal(t, "<string>", page.NextPageToken)
		})
	}
}

func TestRefundAllWalksPages(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+refundsRoute, byPageToken(t, map[string]http.HandlerFunc{
		"":     reply(http.StatusOK, `{"data": [{"id": "rfu_1"}], "pagination": {"next_page_token": "pg_2", "previous_page_token": null}}`),
		"pg_2": reply(http.StatusOK, `{"data": [{"id": "rfu_2"}], "pagination": {"next_page_token": null, "previous_page_token": "pg_1"}}`),
	}))

	var ids []string
	for r, err := range c.Refunds.All(context.Background(), testBiz, &RefundListParams{Status: RefundStatusPending}) {
		require.NoError(t, err)
		ids = append(ids, r.ID)
		require.Less(t, len(ids), 10, "the walk does not end")
	}
	assert.Equal(t, []string{"rfu_1", "rfu_2"}, ids)
	sent := srv.Sent()
	require.Len(t, sent, 2, "each page once")
	for i, token := range []string{"", "pg_2"} {
		q := sent[i].Values(t)
		assert.Equal(t, "pending", q.Get("status"), "request %d", i)
		assert.Equal(t, token, q.Get("page_token"), "request %d", i)
	}

	// The pager starts where the params say.
	page, err := c.Refunds.Pager(testBiz, &RefundListParams{PageToken: "pg_2"}).Next(context.Background())
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, "rfu_2", page.Data[0].ID)
	sent = srv.Sent()
	require.Len(t, sent, 3)
	assert.Equal(t, "pg_2", sent[2].Values(t).Get("page_token"))
}

func refundCreate(mod func(*RefundCreate)) func(ctx context.Context, c *Client) error {
	return func(ctx context.Context, c *Client) error {
		r := goldenRefundCreate()
		mod(&r)
		_, err := c.Refunds.Create(ctx, testBiz, r)
		return err
	}
}

func TestRefundCreateRefused(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 256)
	many := make([]RefundInvoiceCreate, 101)
	for i := range many {
		many[i] = RefundInvoiceCreate{InvoiceID: testInv, Amount: MustDecimal("1")}
	}
	runRefused(t, []refusedCase{
		{"bad business id", "businessID", func(ctx context.Context, c *Client) error {
			_, err := c.Refunds.Create(ctx, "biz/1", goldenRefundCreate())
			return err
		}},
		{"no amount", "refund.Amount", refundCreate(func(r *RefundCreate) { r.Amount = Decimal{} })},
		{"zero amount", "refund.Amount", refundCreate(func(r *RefundCreate) { r.Amount = MustDecimal("0.00") })},
		{"negative amount", "refund.Amount", refundCreate(func(r *RefundCreate) { r.Amount = MustDecimal("-1") })},
		{"no external id", "refund.ExternalID", refundCreate(func(r *RefundCreate) { r.ExternalID = "" })},
		{"long external id", "refund.ExternalID", refundCreate(func(r *RefundCreate) { r.ExternalID = long })},
		{"no refunded at", "refund.RefundedAt", refundCreate(func(r *RefundCreate) { r.RefundedAt = time.Time{} })},
		{"no method", "refund.Method", refundCreate(func(r *RefundCreate) { r.Method = "" })},
		{"unknown method", "refund.Method", refundCreate(func(r *RefundCreate) { r.Method = "wire" })},
		{"long memo", "refund.Memo", refundCreate(func(r *RefundCreate) { r.Memo = long })},
		{"long processor", "refund.Processor", refundCreate(func(r *RefundCreate) { r.Processor = long })},
		{"no invoices", "refund.InvoicesToRefund", refundCreate(func(r *RefundCreate) { r.InvoicesToRefund = nil })},
		{"101 invoices", "refund.InvoicesToRefund", refundCreate(func(r *RefundCreate) { r.InvoicesToRefund = many })},
		{"invoice without id", "refund.InvoicesToRefund[1].InvoiceID", refundCreate(func(r *RefundCreate) {
			r.InvoicesToRefund[1].InvoiceExternalID = ""
		})},
		{"bad invoice id", "refund.InvoicesToRefund[0].InvoiceID", refundCreate(func(r *RefundCreate) {
			r.InvoicesToRefund[0].InvoiceID = "inv 1"
		})},
		{"long invoice external id", "refund.InvoicesToRefund[1].InvoiceExternalID", refundCreate(func(r *RefundCreate) {
			r.InvoicesToRefund[1].InvoiceExternalID = long
		})},
		{"bad line id", "refund.InvoicesToRefund[0].InvoiceLineID", refundCreate(func(r *RefundCreate) {
			r.InvoicesToRefund[0].InvoiceLineID = "../x"
		})},
		{"invoice without amount", "refund.InvoicesToRefund[0].Amount", refundCreate(func(r *RefundCreate) {
			r.InvoicesToRefund[0].Amount = Decimal{}
		})},
		{"invoice with zero amount", "refund.InvoicesToRefund[1].Amount", refundCreate(func(r *RefundCreate) {
			r.InvoicesToRefund[1].Amount = DecimalFromInt(0)
		})},
		{"invoice with negative amount", "refund.InvoicesToRefund[0].Amount", refundCreate(func(r *RefundCreate) {
			r.InvoicesToRefund[0].Amount = MustDecimal("-0.01")
		})},
	})
}

func refundPayment(p RefundPaymentCreate) func(ctx context.Context, c *Client) error {
	return func(ctx context.Context, c *Client) error {
		_, err := c.Refunds.ApplyPayment(ctx, testBiz, p)
		return err
	}
}

func TestRefundApplyPaymentRefused(t *testing.T) {
	t.Parallel()
	runRefused(t, []refusedCase{
		{"bad business id", "businessID", func(ctx context.Context, c *Client) error {
			_, err := c.Refunds.ApplyPayment(ctx, "", RefundPaymentCreate{RefundID: testRefund, TransactionID: "txn_1"})
			return err
		}},
		{"no refund id", "payment.RefundID", refundPayment(RefundPaymentCreate{TransactionID: "txn_1"})},
		{"bad refund id", "payment.RefundID", refundPayment(RefundPaymentCreate{RefundID: "rfu?1", TransactionID: "txn_1"})},
		{"no transaction id", "payment.TransactionID", refundPayment(RefundPaymentCreate{RefundID: testRefund})},
		{"negative amount", "payment.PaymentAmount", refundPayment(RefundPaymentCreate{RefundID: testRefund, TransactionID: "txn_1", PaymentAmount: MustDecimal("-5")})},
	})
}

func TestRefundListRefused(t *testing.T) {
	t.Parallel()
	list := func(biz string, p *RefundListParams) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.Refunds.List(ctx, biz, p)
			return err
		}
	}
	runRefused(t, []refusedCase{
		{"bad business id", "businessID", list("..", nil)},
		{"page size", "params.PageSize", list(testBiz, &RefundListParams{PageSize: 101})},
		{"unknown status", "params.Status", list(testBiz, &RefundListParams{Status: "refunded"})},
		{"All", "params.PageSize", func(ctx context.Context, c *Client) error {
			for _, err := range c.Refunds.All(ctx, testBiz, &RefundListParams{PageSize: -1}) {
				return err
			}
			return errors.New("All yielded nothing")
		}},
		{"Pager", "params.Status", func(ctx context.Context, c *Client) error {
			_, err := c.Refunds.Pager(testBiz, &RefundListParams{Status: "x"}).Next(ctx)
			return err
		}},
		{"ListForInvoice invoice id", "invoiceID", func(ctx context.Context, c *Client) error {
			_, err := c.Refunds.ListForInvoice(ctx, testBiz, "inv/1")
			return err
		}},
	})
}

// A zero PaymentAmount that is set is sent: the API takes 0, and only an
// unset amount means the transaction's.
func TestRefundApplyPaymentZeroAmountIsSent(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("POST "+refundPayRoute, reply(http.StatusCreated, refundOneBody))
	_, err := c.Refunds.ApplyPayment(context.Background(), testBiz, RefundPaymentCreate{RefundID: testRefund, TransactionID: "txn_1", PaymentAmount: DecimalFromInt(0)})
	require.NoError(t, err)
	sent := srv.Sent()
	require.Len(t, sent, 1)
	requireSameJSON(t, []byte(`{"refund_id": "`+testRefund+`", "transaction_id": "txn_1", "payment_amount": 0}`), sent[0].Body)
}
