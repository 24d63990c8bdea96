package asset_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/stretchr/testify/require"
)

// endpoint is one call of the client, as the tests that run every call see
// it: the request it sends (TestEndpointRequests), the refusals and the
// undocumented answers it must report (TestEndpointRefusals,
// TestEndpointUndocumentedSuccess), its walk (TestEndpointWalks) and the
// fault matrix. A new endpoint joins them all with one entry in endpoints,
// a new resource with one endpointResource.
type endpoint struct {
	name  string
	route assettest.Route // method and path template, a ServeMux pattern too
	write bool            // POST or PATCH: the change must never be applied twice
	walk  bool            // All: the raw handler serves the first page, the fault hits the second
	bare  bool            // a change sent without a body (a void)
	// fakeItems is how many items a success returns on the fake when it
	// is not one: a list sent whole returns all the fake holds.
	fakeItems int
	// res is the resource the call returns; nil is invoices.
	res   *endpointResource
	shape answerShape // the shape of the call's success body
	run   func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error)
}

// item is what the tests read of a call's result, whatever its resource:
// its id, its number (or external id) and its free text.
type item struct{ ID, Number, Text string }

// endpointIDs are the ids a call works on: an invoice, a transaction with
// money left, a pending refund of the invoice, a credit memo, a customer
// and a ledger.
type endpointIDs struct{ invoice, txn, refund, memo, customer, ledger string }

// endpointResource is what the tests know of one resource: a new
// resource's calls join them with one of these, not flags of their own.
type endpointResource struct {
	prefix string // of its ids
	// item is one item of a success body, with text as its free text and
	// number as its number where it has one.
	item func(id, number, text string) string
	// setup makes, on a fresh fake, what the resource's calls work on, two
	// of each for the walks, and notes its ids; nil when the invoices and
	// transaction every call gets are enough.
	setup func(t *testing.T, ctx context.Context, srv *assettest.Server, c *asset.Client, ids *endpointIDs)
}

// faultCustomer is the customer of the fake's credit memos.
const faultCustomer = "cus_FaultMatrix00000000001"

var (
	resInvoices = &endpointResource{prefix: "inv", item: invoiceJSON}
	resRefunds  = &endpointResource{
		prefix: "rfu",
		item:   func(id, _, text string) string { return refundJSON(id, text) },
		setup: func(t *testing.T, ctx context.Context, srv *assettest.Server, c *asset.Client, ids *endpointIDs) {
			// The invoice is paid, and has pending refunds of 50 and 20;
			// the calls pay the first.
			_, err := c.Payments.Apply(ctx, faultBiz, asset.InvoicePaymentCreate{InvoiceID: ids.invoice, TransactionID: srv.AddTransaction(faultBiz, asset.MustDecimal("100"))})
			require.NoError(t, err)
			for i, amount := range []string{"50", "20"} {
				r, err := c.Refunds.Create(ctx, faultBiz, asset.RefundCreate{
					Amount: asset.MustDecimal(amount), ExternalID: fmt.Sprintf("FM-SETUP-%d", i), RefundedAt: time.Date(2025, 1, 15, 14, 30, 0, 0, time.UTC),
					Method: asset.RefundMethodCash, InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: ids.invoice, Amount: asset.MustDecimal(amount)}},
				})
				require.NoError(t, err)
				if i == 0 {
					ids.refund = r.ID
				}
			}
		},
	}
	resCreditMemos = &endpointResource{
		prefix: "cm",
		item:   memoJSON,
		setup: func(t *testing.T, ctx context.Context, _ *assettest.Server, c *asset.Client, ids *endpointIDs) {
			// The first memo is the customer's; the second, another's,
			// leaves the customer's credit alone.
			memos, err := c.CreditMemos.Create(ctx, faultBiz, []asset.CreditMemoCreate{
				{CustomerID: faultCustomer, Number: "FM-CM-1", Amount: asset.MustDecimal("30")},
				{CustomerID: "cus_FaultMatrix00000000002", Number: "FM-CM-2", Amount: asset.MustDecimal("5")},
			})
			require.NoError(t, err)
			ids.memo = memos[0].ID
		},
	}
	resCustomers = &endpointResource{
		prefix: "cus",
		item:   customerJSON,
		setup: func(t *testing.T, ctx context.Context, _ *assettest.Server, c *asset.Client, ids *endpointIDs) {
			for i, name := range []string{"Setup", "Other"} {
				cus, err := c.Customers.Create(ctx, faultBiz, asset.CustomerCreate{Name: name, ExternalID: fmt.Sprintf("FM-SETUP-%d", i)})
				require.NoError(t, err)
				if i == 0 {
					ids.customer = cus.ID
				}
			}
		},
	}
	resTransactions = &endpointResource{
		prefix: "txn",
		item:   transactionJSON,
		setup: func(t *testing.T, ctx context.Context, _ *assettest.Server, c *asset.Client, _ *endpointIDs) {
			// A second transaction beside the call's, for the walk's second page.
			_, err := c.Transactions.Create(ctx, faultBiz, []asset.TransactionCreate{{
				Description: "setup", Datetime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Amount: asset.MustDecimal("5"),
				ExternalID: "FM-SETUP", ExternalAccountID: "eac_FaultMatrix000000000001",
			}})
			require.NoError(t, err)
		},
	}
	resLedgers = &endpointResource{
		prefix: "ldg",
		item:   func(id, _, text string) string { return ledgerJSON(id, text) },
		setup: func(t *testing.T, ctx context.Context, _ *assettest.Server, c *asset.Client, ids *endpointIDs) {
			ledgers, err := c.Ledgers.List(ctx, faultBiz)
			require.NoError(t, err)
			require.NotEmpty(t, ledgers)
			ids.ledger = ledgers[0].ID
		},
	}
)

// resource is the call's resource.
func (c endpoint) resource() *endpointResource {
	if c.res == nil {
		return resInvoices
	}
	return c.res
}

// itemJSON is the item a success body holds, with text as its free text.
func (c endpoint) itemJSON(id, text string) string {
	return c.resource().item(id, c.number(), text)
}

// number is the number a success body must carry: a batch Create checks
// that each item it sent comes back.
func (c endpoint) number() string {
	if c.shape == answersBatch {
		return "FM-NEW"
	}
	return "FM-RAW"
}

// hasBody reports whether the call sends a JSON body.
func (c endpoint) hasBody() bool { return c.write && !c.bare }

// path is the call's method and path, as sent, for ids.
func (c endpoint) path(ids endpointIDs) string {
	return routePath(c.route, ids)
}

// routePath fills route's template with ids and the business faultBiz.
func routePath(route assettest.Route, ids endpointIDs) string {
	return strings.NewReplacer(
		"{business_id}", faultBiz, "{invoice_id}", ids.invoice, "{transaction_id}", ids.txn,
		"{credit_memo_id}", ids.memo, "{customer_id}", ids.customer, "{ledger_id}", ids.ledger,
	).Replace(string(route))
}

// answerShape is the shape of a call's success body.
type answerShape int

const (
	answersData  answerShape = iota // {"data": item}
	answersPage                     // a page: {"data": [items], "pagination": ...}
	answersList                     // a list sent whole: {"data": [items]}
	answersBatch                    // a batch create: {"data": [items], "errors": []}
)

// envelope wraps one item's JSON in the call's success body.
func (c endpoint) envelope(item string) []byte {
	switch c.shape {
	case answersPage:
		return []byte(`{"data": [` + item + `], "pagination": {"next_page_token": null, "previous_page_token": null}}`)
	case answersList:
		return []byte(`{"data": [` + item + `]}`)
	case answersBatch:
		return []byte(`{"data": [` + item + `], "errors": []}`)
	}
	return []byte(`{"data": ` + item + `}`)
}

// firstOfItsShape reports whether c is the first endpoint of the table that
// answers in its shape, changes state or not, walks or not: the one of its
// kind that cases costly to run on every call run on.
func (c endpoint) firstOfItsShape() bool {
	for _, e := range endpoints {
		if e.shape == c.shape && e.write == c.write && e.walk == c.walk {
			return e.name == c.name
		}
	}
	return false
}

// lists reports whether the call answers with a list, whole or paged.
func (c endpoint) lists() bool { return c.shape == answersPage || c.shape == answersList }

// itemOf is what the tests read of one result of any resource.
func itemOf(v any) item {
	switch v := v.(type) {
	case *asset.Invoice:
		return item{v.ID, v.Number, v.Description}
	case *asset.Refund:
		return item{v.ID, v.ExternalID, v.Memo}
	case *asset.CreditMemo:
		return item{v.ID, v.Number, v.Memo}
	case *asset.Customer:
		return item{v.ID, v.ExternalID, v.Name}
	case *asset.Transaction:
		return item{v.ID, v.ExternalID, v.Description}
	case *asset.Ledger:
		return item{v.ID, "", v.Name}
	}
	panic(fmt.Sprintf("itemOf: no item for %T", v))
}

// one is a call's single result as items.
func one[T any](v *T, err error) ([]item, error) {
	if v == nil {
		return nil, err
	}
	return []item{itemOf(v)}, err
}

// many is a call's results as items.
func many[T any](vs []T, err error) ([]item, error) {
	var out []item
	for i := range vs {
		out = append(out, itemOf(&vs[i]))
	}
	return out, err
}

// page is a page's results as items.
func page[T any](p *asset.Page[T], err error) ([]item, error) {
	if p == nil {
		return nil, err
	}
	return many(p.Data, err)
}

// walked is a walk's results as items, up to its error.
func walked[T any](seq iter.Seq2[T, error]) ([]item, error) {
	var out []item
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, itemOf(&v))
	}
	return out, nil
}

var endpoints = []endpoint{
	{
		name: "create", write: true, route: assettest.RouteCreateInvoices, shape: answersBatch,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return many(c.Invoices.Create(ctx, faultBiz, []asset.InvoiceCreate{{
				Number: "FM-NEW", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("10")}},
			}}, opts...))
		},
	},
	{
		name: "get", route: assettest.RouteGetInvoice, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Invoices.Get(ctx, faultBiz, ids.invoice, opts...))
		},
	},
	{
		name: "list", route: assettest.RouteListInvoices, shape: answersPage,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return page(c.Invoices.List(ctx, faultBiz, &asset.InvoiceListParams{PageSize: 1}, opts...))
		},
	},
	{
		name: "walk", walk: true, route: assettest.RouteListInvoices, shape: answersPage,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return walked(c.Invoices.All(ctx, faultBiz, &asset.InvoiceListParams{PageSize: 1}, opts...))
		},
	},
	{
		name: "update", write: true, route: assettest.RouteUpdateInvoice, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			// Adding a line is not idempotent: applied twice, the total shows it.
			return one(c.Invoices.Update(ctx, faultBiz, ids.invoice, asset.InvoiceUpdate{
				LineChanges: &asset.InvoiceLineChanges{CreateLines: []asset.InvoiceLineUpdate{{Description: "fee", Amount: asset.MustDecimal("10")}}},
			}, opts...))
		},
	},
	{
		name: "write off", write: true, route: assettest.RouteWriteOff, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Invoices.WriteOff(ctx, faultBiz, ids.invoice, asset.InvoiceWriteOff{Amount: asset.MustDecimal("10")}, opts...))
		},
	},
	{
		name: "apply payment", write: true, route: assettest.RouteApplyPayment, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Payments.Apply(ctx, faultBiz, asset.InvoicePaymentCreate{
				InvoiceID: ids.invoice, TransactionID: ids.txn, PaymentAmount: asset.MustDecimal("10"),
			}, opts...))
		},
	},
	{
		name: "create refund", write: true, res: resRefunds, route: assettest.RouteCreateRefund, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Refunds.Create(ctx, faultBiz, asset.RefundCreate{
				Amount: asset.MustDecimal("10"), ExternalID: "FM-REFUND", RefundedAt: time.Date(2025, 1, 15, 14, 30, 0, 0, time.UTC),
				Method: asset.RefundMethodCash, InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: ids.invoice, Amount: asset.MustDecimal("10")}},
			}, opts...))
		},
	},
	{
		name: "apply refund payment", write: true, res: resRefunds, route: assettest.RouteApplyRefundPayment, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Refunds.ApplyPayment(ctx, faultBiz, asset.RefundPaymentCreate{
				RefundID: ids.refund, TransactionID: ids.txn, PaymentAmount: asset.MustDecimal("10"),
			}, opts...))
		},
	},
	{
		name: "list refunds", res: resRefunds, route: assettest.RouteListRefunds, shape: answersPage,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return page(c.Refunds.List(ctx, faultBiz, &asset.RefundListParams{PageSize: 1}, opts...))
		},
	},
	{
		name: "walk refunds", walk: true, res: resRefunds, route: assettest.RouteListRefunds, shape: answersPage,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return walked(c.Refunds.All(ctx, faultBiz, &asset.RefundListParams{PageSize: 1}, opts...))
		},
	},
	{
		// On the fake, the setup's two refunds.
		name: "list invoice refunds", res: resRefunds, fakeItems: 2, route: assettest.RouteListInvoiceRefunds, shape: answersList,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return many(c.Refunds.ListForInvoice(ctx, faultBiz, ids.invoice, opts...))
		},
	},
	{
		name: "create credit memo", write: true, res: resCreditMemos, route: assettest.RouteCreateCreditMemos, shape: answersBatch,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return many(c.CreditMemos.Create(ctx, faultBiz, []asset.CreditMemoCreate{{
				CustomerID: faultCustomer, Number: "FM-NEW", Amount: asset.MustDecimal("10"),
			}}, opts...))
		},
	},
	{
		name: "void credit memo", write: true, bare: true, res: resCreditMemos, route: assettest.RouteVoidCreditMemo, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.CreditMemos.Void(ctx, faultBiz, ids.memo, opts...))
		},
	},
	{
		name: "get credit memo", res: resCreditMemos, route: assettest.RouteGetCreditMemo, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.CreditMemos.Get(ctx, faultBiz, ids.memo, opts...))
		},
	},
	{
		name: "walk credit memos", walk: true, res: resCreditMemos, route: assettest.RouteListCreditMemos, shape: answersPage,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return walked(c.CreditMemos.All(ctx, faultBiz, &asset.CreditMemoListParams{PageSize: 1}, opts...))
		},
	},
	{
		name: "create customer", write: true, res: resCustomers, route: assettest.RouteCreateCustomer, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Customers.Create(ctx, faultBiz, asset.CustomerCreate{Name: "New", ExternalID: "FM-NEW"}, opts...))
		},
	},
	{
		// Setting an email is idempotent: applied twice, only the request
		// count tells, which the matrix checks for every call.
		name: "update customer", write: true, res: resCustomers, route: assettest.RouteUpdateCustomer, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			email := "ap@fault.test"
			return one(c.Customers.Update(ctx, faultBiz, ids.customer, asset.CustomerUpdate{Email: &email}, opts...))
		},
	},
	{
		name: "get customer", res: resCustomers, route: assettest.RouteGetCustomer, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Customers.Get(ctx, faultBiz, ids.customer, opts...))
		},
	},
	{
		name: "walk customers", walk: true, res: resCustomers, route: assettest.RouteListCustomers, shape: answersPage,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return walked(c.Customers.All(ctx, faultBiz, &asset.CustomerListParams{PageSize: 1}, opts...))
		},
	},
	{
		name: "create transactions", write: true, res: resTransactions, route: assettest.RouteCreateTransactions, shape: answersBatch,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return many(c.Transactions.Create(ctx, faultBiz, []asset.TransactionCreate{{
				Description: "deposit", Datetime: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), Amount: asset.MustDecimal("10"),
				ExternalID: "FM-NEW", ExternalAccountID: "eac_FaultMatrix000000000001",
			}}, opts...))
		},
	},
	{
		name: "get transaction", res: resTransactions, route: assettest.RouteGetTransaction, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Transactions.Get(ctx, faultBiz, ids.txn, nil, opts...))
		},
	},
	{
		name: "list transactions", res: resTransactions, route: assettest.RouteListTransactions, shape: answersPage,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return page(c.Transactions.List(ctx, faultBiz, &asset.TransactionListParams{PageSize: 1, Includes: []string{asset.TransactionIncludeInvoicePayments}}, opts...))
		},
	},
	{
		name: "walk transactions", walk: true, res: resTransactions, route: assettest.RouteListTransactions, shape: answersPage,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return walked(c.Transactions.All(ctx, faultBiz, &asset.TransactionListParams{PageSize: 1}, opts...))
		},
	},
	{
		// On the fake, its chart of accounts.
		name: "list ledgers", res: resLedgers, fakeItems: 6, route: assettest.RouteListLedgers, shape: answersList,
		run: func(ctx context.Context, c *asset.Client, _ endpointIDs, opts ...asset.Option) ([]item, error) {
			return many(c.Ledgers.List(ctx, faultBiz, opts...))
		},
	},
	{
		name: "get ledger", res: resLedgers, route: assettest.RouteGetLedger, shape: answersData,
		run: func(ctx context.Context, c *asset.Client, ids endpointIDs, opts ...asset.Option) ([]item, error) {
			return one(c.Ledgers.Get(ctx, faultBiz, ids.ledger, opts...))
		},
	},
}

// spliceJSON is fields as the API sends them, with text spliced in as the
// value of key rather than encoded: under the race detector, encoding a
// huge text takes longer than the whole matrix should.
func spliceJSON(fields map[string]any, key, text string) string {
	fields[key] = ""
	b, err := json.Marshal(fields)
	if err != nil || strings.ContainsAny(text, `"\`) {
		panic(fmt.Sprintf("spliceJSON %s: %v", key, err))
	}
	return strings.Replace(string(b), `"`+key+`":""`, `"`+key+`":"`+text+`"`, 1)
}

// invoiceJSON is an invoice as the API sends it, description its text.
func invoiceJSON(id, number, description string) string {
	return spliceJSON(map[string]any{
		"id": id, "business_id": faultBiz, "number": number,
		"total_amount": json.Number("100.00"), "total_paid": json.Number("0"), "status": "open",
		"source": "manual", "lines": []any{}, "payments": []any{},
	}, "description", description)
}

// refundJSON is a refund as the API sends it, memo its text.
func refundJSON(id, memo string) string {
	return spliceJSON(map[string]any{
		"id": id, "business_id": faultBiz, "external_id": "FM-REFUND", "amount": json.Number("10.00"),
		"amount_paid": json.Number("0"), "method": "cash", "refunded_at": "2025-01-15T14:30:00Z",
		"status": "pending", "payments": []any{}, "refund_invoices": []any{},
	}, "memo", memo)
}

// memoJSON is a credit memo as the API sends it, memo its text.
func memoJSON(id, number, memo string) string {
	return spliceJSON(map[string]any{
		"id": id, "business_id": faultBiz, "customer_id": faultCustomer, "number": number,
		"amount": json.Number("10.00"), "issued_at": "2026-01-15T00:00:00Z", "journal_entry_id": "je_FaultMatrix0000000000001",
		"voided": false, "voided_at": nil, "void_journal_entry_id": nil, "created_by": nil, "tags": map[string]any{},
	}, "memo", memo)
}

// customerJSON is a customer as the API sends it, name its text.
func customerJSON(id, externalID, name string) string {
	return spliceJSON(map[string]any{
		"id": id, "external_id": externalID, "email": nil, "phone_number": nil,
		"billing_address": nil, "shipping_address": nil,
	}, "name", name)
}

// transactionJSON is a transaction as the API sends it, description its
// text.
func transactionJSON(id, externalID, description string) string {
	return spliceJSON(map[string]any{
		"id": id, "external_id": externalID, "external_account_id": "eac_FaultMatrix000000000001", "amount": json.Number("10.00"),
		"datetime": "2026-01-15T00:00:00Z", "posted": true, "type": "business", "reviewed": false,
		"metadata_": map[string]any{}, "invoice_payments": []any{}, "refund_payments": nil, "bill_payments": nil,
	}, "description", description)
}

// ledgerJSON is a ledger as the API sends it, name its text.
func ledgerJSON(id, name string) string {
	return spliceJSON(map[string]any{
		"id": id, "business_id": faultBiz, "type": "asset", "subtype": "current_asset",
		"debit_credit": "debit", "editable": false, "report_cash_flow": true,
	}, "name", name)
}

// rawIDs are the ids the calls work on against a raw handler.
var rawIDs = endpointIDs{
	invoice: "inv_RawFault0000000000000001", txn: "txn_RawFault0000000000000001",
	refund: "rfu_RawFault0000000000000001", memo: "cm_RawFault00000000000000001",
	customer: "cus_RawFault0000000000000001", ledger: "ldg_RawFault0000000000000001",
}
