// Package assettest is an in-memory Asset API for tests, examples and local
// development: a real HTTP server on a loopback port that keeps state and
// follows the API's rules, so that code using the asset SDK (or plain HTTP)
// can be tested without credentials or a network.
//
//	func TestBilling(t *testing.T) {
//		srv := assettest.NewServer()
//		defer srv.Close()
//		client := srv.Client() // an *asset.Client wired to srv, token included
//
//		invs, err := client.Invoices.Create(ctx, "biz_test", []asset.InvoiceCreate{{
//			Number: "INV-1",
//			Lines:  []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("120.50")}},
//		}})
//		...
//		txn := srv.AddTransaction("biz_test", asset.MustDecimal("120.50"))
//		inv, err := client.Payments.Apply(ctx, "biz_test", asset.InvoicePaymentCreate{
//			InvoiceID: invs[0].ID, TransactionID: txn,
//		})
//		// inv.Status == asset.InvoiceStatusPaid
//	}
//
// # What it implements
//
// Every route of the SDK, under /v0/business/{business_id}: create invoices
// in batches, list them with filters and page tokens, get, update (status,
// lines, tags), write off, apply payments; and POST /v0/auth/token for the
// client credentials grant. Any biz_ id is a business of its own, created on
// first use; businesses never see each other's data. Requests need the
// bearer token Token returns (or one from the token endpoint), else 401.
//
// The rules, where the API's documentation is silent, are these:
//
//   - Ids have the documented prefixes (inv_, inv_line_, inp_, txn_, req_)
//     and 22 random base58 characters. Path ids of the wrong form (not biz_,
//     not inv_) are refused with 422, unknown ones with 404.
//   - Invoice numbers are unique per business. In a batch, a number already
//     used, or used earlier in the batch, is reported in the response's
//     "errors" and the other invoices are still created. An invalid invoice
//     fails the whole batch with 422, as FastAPI validates the body first.
//   - A line counts its amount when given, else unit_price × quantity −
//     discount_amount + tax_amount, in exact decimals without rounding, and
//     responses carry that amount on every line. discount_rate and tax_rate
//     are stored and returned but informational. A line needs an amount, or
//     a unit_price and a quantity. The total is the sum of the lines.
//   - New invoices are open, source manual, total_paid 0. Metadata is read
//     from "metadata" or the older "metadata_" and sent back as "metadata";
//     A customer_external_id without a customer_id gets a cus_ id, the same
//     for every invoice of the business with that external id.
//   - Payments: with a transaction, payment_amount defaults to what remains
//     of it, and no transaction gives more than its amount over all its
//     payments; without one, payment_amount is required (drawn from customer
//     credit, which is not modelled). No payment on a voided invoice, none
//     beyond the balance (422); an unknown transaction is 404. total_paid
//     moves, and an invoice whose balance reaches zero becomes paid.
//   - A write-off (by default the whole balance) is a payment with
//     is_write_off set: it moves total_paid and the status the same way.
//   - PATCH applies in full or not at all. Voiding sets voided_at; a voided
//     invoice cannot be un-voided nor have its lines changed, but its tags
//     can. Line changes recompute the total (refused if it would fall below
//     total_paid) and move the status between open and paid. Deleting a
//     line the invoice does not have is a 422. Tags: a string sets, null
//     removes, absent keys are untouched; any tag name is accepted.
//   - Lists are in creation order. page_size is 1 to 100 and defaults to 100
//     (see WithDefaultPageSize). Page tokens are signed cursors that work in
//     both directions from any page, survive invoices being created or
//     changed between pages, and are refused with 422 when forged, garbled,
//     from another business or used with other filters. A token is null
//     when there is no page in that direction. due_at_start and due_at_end
//     are inclusive and leave out invoices without a due date.
//   - Errors are FastAPI's: 422 {"detail": [{"loc", "msg", "type"}]} for
//     validation, {"detail": "..."} otherwise, 404 for unknown routes and
//     405 with Allow for wrong methods.
//   - Rate limiting is per business, in fixed windows: 300 requests a
//     minute unless WithRateLimit or WithoutRateLimit say otherwise. Every
//     response carries x-request-id and x-ratelimit-limit, -remaining and
//     -reset (unix seconds); a refused request gets 429, Retry-After in
//     seconds and {"error": "Rate limit exceeded: 300 per 1 minute"}.
//     Requests refused before authentication do not count.
//
// # Faults and counters
//
// Tests of retries and error handling inject faults per route:
// FailNext (an error status), DropNext (the connection closed before or
// after the change is applied), MalformedNext (a success answered with a
// cut body), DelayNext and SetLatency (slow answers). Stats, Requests and
// Applied count what each route received and applied, and Invoices reads
// the state directly, so a test can prove that nothing was applied twice:
//
//	srv.DropNext(assettest.RouteApplyPayment, 1, assettest.DropAfterApply)
//	_, err := client.Payments.Apply(ctx, biz, payment)
//	// errors.Is(err, asset.ErrOutcomeUnknown), and srv.Applied(...) == 1
package assettest
