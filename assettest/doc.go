// Package assettest is an in-memory Asset API for tests, examples and local
// development: a real HTTP server on a loopback port that keeps state and
// follows the API's rules, so that code using the asset SDK (or plain HTTP)
// can be tested without credentials or a network. Command
// github.com/assetkit/asset-go/cmd/assettest serves it as a process of its
// own, for tests in other languages, with its state kept in a file
// (WithState) and the test controls over HTTP (the admin API, below).
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
// lines, tags), write off, apply payments; create refunds, list them (of one
// invoice, or of the business with page tokens) and pay them; create, list,
// get and void credit memos; create, list, get and update customers;
// record transactions in batches, list them with every documented filter
// and get one; list and get ledgers; and POST /v0/auth/token for the client
// credentials grant. Any biz_ id is a business of its own, created on
// first use; businesses never see each other's data. Requests need the
// bearer token Token returns (or one from the token endpoint), else 401.
//
// The rules, where the API's documentation is silent or loose, are these:
//
//   - Ids have the documented prefixes (inv_, inv_line_, inp_, txn_, cus_,
//     cm_, je_, rfu_, rfi_, rfp_, req_) and 22 random base58 characters.
//     Path ids of the wrong form (not biz_, inv_, cm_, cus_, txn_, ldg_) are refused
//     with 422, unknown ones with 404. The helpers that take a business id
//     panic on one without the biz_ prefix.
//   - Invoice numbers are unique per business. In a batch, a number already
//     used, or used earlier in the batch, is reported in the response's
//     "errors" and the other invoices are still created. An invalid invoice
//     fails the whole batch with 422, as FastAPI validates the body first.
//   - Money is in cents. Amounts the client sends (a line's amount,
//     discount_amount and tax_amount, credit_amount, payment_amount, a
//     write-off's amount, a credit memo's and a refund's amounts) may have
//     at most 2 decimal places, trailing zeros aside, else 422 with type
//     decimal_max_places as pydantic's decimal_places; AddTransaction and
//     AddCredit panic instead.
//     unit_price, quantity and the rates may be finer.
//   - A line counts its amount when given, else unit_price × quantity −
//     discount_amount + tax_amount, rounded to cents half away from zero
//     (19.99 × 1.5 is 29.99), and responses carry that amount on every line.
//     So every total and balance is in whole cents and an invoice can always
//     be paid exactly. discount_rate and tax_rate are stored and returned
//     but informational. A line needs an amount, or a unit_price and a
//     quantity. The total is the sum of the lines.
//   - New invoices are open, source manual, total_paid 0. Metadata is read
//     from "metadata" or the older "metadata_" and sent back as "metadata".
//     A customer_external_id without a customer_id names the business's
//     customer of that external id; one no customer has creates it, named
//     after the id.
//     credit_amount is stored and returned; it is not the customer's credit.
//   - Tags: as the API documents, a tag's name must be an existing tag
//     field of the business. Define fields with WithTagFields (in every
//     business) or AddTagField (in one); a tag of any other name, on create
//     or PATCH, set or removed, fails the request with 422 at
//     ["body", "tags", name] (["body", i, "tags", name] in a batch).
//   - Payments: with a transaction, payment_amount defaults to what remains
//     of it, and no transaction gives more than its amount over all its
//     payments; an unknown transaction is 404. Without one, payment_amount
//     is required and is drawn from the credit pool of the invoice's
//     customer (see AddCredit and CreditRemaining): an invoice without a
//     customer, or credit short of the amount, is a 422. No payment on a
//     voided invoice, none beyond the balance (422). total_paid moves, and
//     an invoice whose balance reaches zero becomes paid.
//   - Credit memos: numbers are unique per business, reported in a batch's
//     "errors" with "number" as for invoices; customer_id must be a cus_ id
//     (no customer record is needed); amount > 0 in cents. A customer's
//     credit pool is what is left of the customer's memos that are not
//     voided. A payment drawn from the pool takes from the memos oldest
//     first and carries credit_memo_id, the oldest memo it drew on, and a
//     credit_journal_entry_id; CreditMemoRemaining tells what is left of
//     one memo. Voiding a memo takes what is left of it out of the pool
//     and sets voided, voided_at and void_journal_entry_id; voiding it
//     again is a 422. created_by is the request's x-user-id. Lists filter
//     by customer_id and voided, and page as invoice lists do.
//   - Refunds name invoices of their business by id, or by
//     invoice_external_id matched against the invoice's number (404 when
//     the business has no such invoice, 422 when it is voided); their
//     invoices' amounts must add up to the refund's. Each invoice gives
//     back at most what was paid on it and not yet refunded (a write-off is
//     not money paid), and moves to refunded when the refund takes all of
//     that, to partially_refunded otherwise. refund_external_id is unique
//     per business: a second refund with the same one is a 409. A refund is
//     pending until refund payments, drawn on transactions as invoice
//     payments are, cover its amount; then it is completed. The business's
//     refunds filter by one status (two status keys are a 422: the API
//     would keep the last) and page as invoice lists do.
//   - Customers: name is required; every text at most 255 characters.
//     external_id is unique per business (the docs leave it open): a
//     second is a 409. PATCH leaves absent keys alone; null clears the
//     email, phone number or an address, and is refused for the name.
//   - Transactions: transaction_id, the caller's id, becomes external_id
//     and is unique per business (the docs leave it open): a batch answers
//     202 with those created in "data" and each id already taken, in the
//     business or earlier in the batch, in "errors" with "transaction_id".
//     The account is external_account_id (eac_) or the older
//     linked_account_id. The amount may be negative. Every transaction is
//     posted, of type business and not reviewed. Lists take every
//     documented filter (account_ids, ids, external_ids and includes
//     comma-separated or as repeated keys), sort by datetime (or
//     description), newest first unless order=asc, and page by cursor as
//     other lists do. invoice_payments, invoice_payments.invoice,
//     refund_payments and bill_payments (always empty: no bills) are sent
//     when included, null otherwise. AddTransaction records one like any
//     other.
//   - Ledgers: every business has the same small chart, unpaged, its ids
//     derived from the business id, the same on every server.
//   - A write-off (by default the whole balance) is a payment with
//     is_write_off set: it moves total_paid and the status the same way.
//   - PATCH applies in full or not at all. Voiding sets voided_at; a voided
//     invoice cannot be un-voided nor have its lines changed, but its tags
//     can. Line changes recompute the total (refused if it would fall below
//     total_paid) and move the status between open and paid. Deleting a
//     line the invoice does not have is a 422. Tags: a string sets, null
//     removes, absent keys are untouched.
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
//   - Rate limiting is per business and per tenant, in fixed windows, 300
//     requests a minute each unless WithRateLimit, WithTenantRateLimit or
//     WithoutRateLimit say otherwise. The server serves one tenant: every
//     request it authenticates counts in its business's window and in the
//     tenant's, and the token endpoint's requests in a window of their own.
//     Every response carries x-request-id and x-ratelimit-limit, -remaining
//     and -reset (unix seconds) of the tighter window, the one with fewer
//     requests left. A request refused because either is spent gets 429,
//     Retry-After in seconds and {"error": "Rate limit exceeded: 300 per 1
//     minute"} naming the spent limit, and counts in neither. Requests
//     refused before authentication do not count.
//
// # Faults and counters
//
// Tests of retries and error handling inject faults per route:
// FailNext (an error status), DropNext (the connection closed before or
// after the change is applied), MalformedNext (a success answered with a
// cut body), DelayNext and SetLatency (slow answers). Stats, Requests and
// Applied count what each route received and what changed the state, and
// Invoices, CreditMemos and Refunds read the state directly, so a test can
// prove that nothing was applied twice:
//
//	srv.DropNext(assettest.RouteApplyPayment, 1, assettest.DropAfterApply)
//	_, err := client.Payments.Apply(ctx, biz, payment)
//	// errors.Is(err, asset.ErrOutcomeUnknown), and srv.Applied(...) == 1
//
// # A state that outlives the process
//
// WithState keeps the state in a file: a journal of the changes applied,
// one JSON line each, written and synced before the change is answered,
// and replayed when a server starts on the file. A crash at any moment
// loses nothing answered and leaves nothing half applied; a change is one
// append, never a rewrite of the state. Start reports a file that is not
// a state file, or that does not replay to what it answered, naming it;
// the file is then left as it was. WithAddress serves on a fixed address.
//
// # The admin API
//
// Under AdminPrefix, /_assettest/, with the server's own Token, the test
// controls are served over HTTP for programs that cannot call them in Go.
// Bodies and answers are JSON; amounts are strings or numbers; an unknown
// field is a 422.
//
//	POST   /_assettest/businesses/{business_id}/transactions {"amount": "500.00"}  → 201 {"id": "txn_..."} (AddTransaction)
//	POST   /_assettest/businesses/{business_id}/credit {"customer_id": "cus_1", "amount": "40.00"} → 201 {"id": "cm_..."} (AddCredit)
//	POST   /_assettest/businesses/{business_id}/tag-fields {"name": "Region"}     → 201 (AddTagField)
//	POST   /_assettest/faults {"route": ROUTE, "fault": KIND, "count": 1, ...}    → 201
//	DELETE /_assettest/faults                                                     → 204 (ClearFaults)
//	GET    /_assettest/stats   → 200 {ROUTE: {"requests", "applied", "served", "rate_limited", "faulted"}, ...}
//	DELETE /_assettest/stats   → 204 (ResetStats)
//	PUT    /_assettest/latency {"latency": "50ms"}                                → 204 (SetLatency)
//	POST   /_assettest/reset   → 204: no faults, counters at zero, no latency
//
// ROUTE is a Route's value, such as "POST /v0/business/{business_id}/invoice";
// the stats list them all. KIND is drop-before-apply or drop-after-apply
// (DropNext), malformed (MalformedNext), delay with "delay": "2s"
// (DelayNext), or status with "status": 503 and optionally "retry_after"
// (seconds), "headers" (an object), and "body" (JSON, sent as that JSON) or
// "text" (sent as is) (FailNextWith). count defaults to 1. Seeds are
// changes like any other: kept in the state file. Businesses and customers
// need no seeding: any biz_ id is a business, and an invoice's
// customer_external_id makes its customer. For example, with curl:
//
//	curl -H "Authorization: Bearer $ASSET_TOKEN" -d '{"amount": "500.00"}' \
//	    $ASSET_BASE_URL/_assettest/businesses/biz_demo/transactions
//	curl -H "Authorization: Bearer $ASSET_TOKEN" \
//	    -d '{"route": "POST /v0/business/{business_id}/invoice", "fault": "drop-after-apply"}' \
//	    $ASSET_BASE_URL/_assettest/faults
//	curl -H "Authorization: Bearer $ASSET_TOKEN" $ASSET_BASE_URL/_assettest/stats
package assettest
