// Command quickstart is a tour of the asset SDK: it creates a customer and
// invoices for it, lists them with a filter, walks the pages, voids and
// tags invoices, records a bank transaction and pays one invoice from it in
// part and then in full (each id taken from the call before), pays another
// from a credit memo and refunds part of the first (on the embedded
// server), and shows how the SDK's errors say what to do.
//
// Run it with nothing but Go installed:
//
//	go run ./examples/quickstart
//
// Without ASSET_TOKEN it starts an embedded assettest server, an in-memory
// Asset API, and says so on its first line: the server forgets everything
// when the program exits, so each run starts empty. -h lists the
// environment. To use the real API instead, set:
//
//	ASSET_TOKEN            a bearer token
//	ASSET_BUSINESS_ID      the business to work on (biz_...)
//	ASSET_BASE_URL         optional, default the sandbox (asset.SandboxURL)
//	ASSET_USER_ID          optional, sent as x-user-id for the audit log
//	ASSET_TAG_FIELD        optional, a tag field of the business (the API
//	                       refuses tags of other names); without it the
//	                       tagging step is skipped
//	ASSET_TRANSACTION_ID   optional, money received (at least 570.00) to pay
//	                       with; without it the payment steps are skipped
//	ASSET_ATTEMPT_TIMEOUT  optional, how long one try may take (default 10s)
//	ASSET_RATE_LIMIT       optional, requests a minute to keep to (default
//	                       300, the API's; 0 for none)
//
// A try that failed and will be retried, and a call that failed, are said
// on stderr as they happen.
//
// On the real API it creates a customer whose external id and five
// invoices whose numbers start with QS-<unix time>-<random>- so that it can
// be run more than once, even twice in the same second, voids one and pays
// another from ASSET_TRANSACTION_ID: it records no transaction there, as
// that would book money the business never received. It walks only the first 3 pages of the business's invoices, so
// that a large business costs neither the minute the tour may take nor
// much of the rate limit, and says so when it stops early.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/examples/internal/cli"
	"github.com/assetkit/asset-go/examples/internal/exampleenv"
)

func main() { cli.Main("quickstart", run) }

// run is main without the process, so that a test can give it an
// environment and read what it prints.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("quickstart", about, stderr)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}

	// The SDK's warnings (a try failed, the next is coming) go to stderr.
	env, err := exampleenv.OpenSaying(getenv, stdout, stderr, exampleenv.Forgets)
	if err != nil {
		return err
	}
	defer env.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return newTour(env, getenv, stdout).run(ctx)
}

// about is the usage's text after its first line.
const about = `A tour of the asset SDK: creates, lists, pays, credits and refunds invoices.
` + exampleenv.Help + `
  ASSET_TAG_FIELD        optional, a tag field of the business to tag with;
                         without it the tagging step is skipped
  ASSET_TRANSACTION_ID   optional, money received (at least 570.00) to pay
                         with; without it the payment steps are skipped`

// tour is where the tour runs and what its steps share.
type tour struct {
	env    *exampleenv.Env
	client *asset.Client
	biz    string
	getenv func(string) string
	out    io.Writer
	// prefix starts the invoice numbers, today is the day their due dates
	// count from.
	prefix string
	today  time.Time
	// byNumber holds the invoices created, by number without the prefix.
	byNumber map[string]asset.Invoice
	// customer is the customer the invoices are for.
	customer *asset.Customer
	// txn is the money received the payments drew on, "" when they were
	// skipped.
	txn string
}

func newTour(env *exampleenv.Env, getenv func(string) string, out io.Writer) *tour {
	// Invoice numbers are unique per business, and a real business keeps
	// those of earlier runs.
	prefix := "QS-"
	if !env.Embedded() {
		prefix = runPrefix(time.Now())
	}
	return &tour{
		env: env, client: env.Client, biz: env.BusinessID, getenv: getenv, out: out,
		prefix: prefix, today: time.Now().UTC().Truncate(24 * time.Hour),
		byNumber: map[string]asset.Invoice{},
	}
}

// run takes the steps in turn, stopping at the first that fails.
func (t *tour) run(ctx context.Context) error {
	for _, step := range []func(context.Context) error{
		t.createCustomer, t.createInvoices, t.listDueSoon, t.walkInvoices, t.voidAndTag,
		t.payInPartThenInFull, t.creditAndRefund,
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	t.showErrors(ctx)
	return nil
}

// createCustomer creates the customer the invoices are for. Its external id
// is the key to find it again should the outcome be unknown.
func (t *tour) createCustomer(ctx context.Context) error {
	external := t.prefix + "acme"
	cus, err := t.client.Customers.Create(ctx, t.biz, asset.CustomerCreate{
		Name: "Acme Corp", ExternalID: external, Email: "ap@acme.example",
		BillingAddress: &asset.Address{Street1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
	})
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		// The API has no idempotency key: look before creating again.
		if found, ferr := t.client.Customers.FindByExternalID(ctx, t.biz, external); ferr == nil {
			cus, err = found, nil
		}
	}
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		return fmt.Errorf("create the customer: %w\nthe customer may have been created: look for external id %s with Customers.FindByExternalID before creating it again", err, external)
	}
	if err != nil {
		return fail("create the customer", err)
	}
	t.customer = cus
	fmt.Fprintf(t.out, "Created customer %s (external id %s), billed in %s\n", cus.Name, cus.ExternalID, cus.BillingAddress.City)
	return nil
}

// createInvoices creates a batch of invoices, three of them for the
// customer just created. Amounts are exact decimals, never floats.
func (t *tour) createInvoices(ctx context.Context) error {
	prefix, today, customer := t.prefix, t.today, t.customer.ID
	created, err := t.client.Invoices.Create(ctx, t.biz, []asset.InvoiceCreate{
		{
			Number: prefix + "1001", Description: "Website redesign", CustomerID: customer,
			DueAt: today.AddDate(0, 0, 14),
			Lines: []asset.InvoiceLineCreate{
				{Description: "Design, days", UnitPrice: asset.MustDecimal("150.00"), Quantity: asset.MustDecimal("3")},
				{Description: "Hosting, 12 months", Amount: asset.MustDecimal("120.00")},
			},
		},
		{
			Number: prefix + "1002", Description: "Support plan", CustomerID: customer,
			DueAt: today.AddDate(0, 0, 21),
			Lines: []asset.InvoiceLineCreate{{
				Description: "Support, hours", UnitPrice: asset.MustDecimal("95.50"), Quantity: asset.MustDecimal("4"),
				DiscountAmount: asset.MustDecimal("32.00"), TaxAmount: asset.MustDecimal("27.84"),
			}},
		},
		{
			Number: prefix + "1003", Description: "Workshop", CustomerExternalID: "globex",
			DueAt: today.AddDate(0, 0, 45),
			Lines: []asset.InvoiceLineCreate{{Description: "Two-day workshop", Amount: asset.MustDecimal("1200.00")}},
		},
		{
			Number: prefix + "1004", Description: "Website redesign (sent twice by mistake)", CustomerID: customer,
			DueAt: today.AddDate(0, 0, 14),
			Lines: []asset.InvoiceLineCreate{{Description: "Design and hosting", Amount: asset.MustDecimal("570.00")}},
		},
	})
	if err != nil {
		return fmt.Errorf("create: %w\n%s", err, explainCreate(err))
	}
	fmt.Fprintf(t.out, "Created %d invoices:\n", len(created))
	for _, inv := range created {
		t.byNumber[strings.TrimPrefix(inv.Number, prefix)] = inv
		fmt.Fprintf(t.out, "  %-10s %-8s %10s\n", inv.Number, inv.Status, inv.TotalAmount)
	}
	return nil
}

// listDueSoon reads one page of a filtered list: open invoices due within
// 30 days.
func (t *tour) listDueSoon(ctx context.Context) error {
	page, err := t.client.Invoices.List(ctx, t.biz, &asset.InvoiceListParams{
		Status:     []asset.InvoiceStatus{asset.InvoiceStatusOpen},
		DueAtStart: t.today,
		DueAtEnd:   t.today.AddDate(0, 0, 30),
		PageSize:   10,
	})
	if err != nil {
		return fail("list", err)
	}
	fmt.Fprintf(t.out, "Open and due within 30 days: %s\n", numbers(page.Data))
	return nil
}

// walkInvoices reads the invoices page after page and adds up what is to
// be paid on them. Small pages on the embedded server show the walk
// crossing pages even with four invoices; a real business may have
// thousands, for which the largest page costs fewest requests, and a few
// pages are enough for a tour.
func (t *tour) walkInvoices(ctx context.Context) error {
	pageSize, maxPages := 2, 0
	if !t.env.Embedded() {
		pageSize, maxPages = 100, 3
	}
	// A Pager rather than All: it stops at a page boundary and knows
	// whether pages are left.
	pager := t.client.Invoices.Pager(t.biz, &asset.InvoiceListParams{PageSize: pageSize})
	count, pages, due := 0, 0, asset.DecimalFromInt(0)
	for pager.HasNext() && (maxPages == 0 || pages < maxPages) {
		page, err := pager.Next(ctx)
		if err != nil {
			return fail("walk the invoices", err)
		}
		pages++
		for _, inv := range page.Data {
			count++
			// Only open invoices are to be paid: a voided one keeps its
			// balance but is owed by nobody.
			if inv.Status == asset.InvoiceStatusOpen {
				due = due.Add(inv.Balance())
			}
		}
	}
	if pager.HasNext() {
		fmt.Fprintf(t.out, "Walked the first %d pages, %d per page, and stopped there, as the business has more: %d invoices, %s to be paid on them\n", pages, pageSize, count, due)
	} else {
		fmt.Fprintf(t.out, "Walked every invoice, %d per page: %d invoices, %s to be paid\n", pageSize, count, due)
	}
	return nil
}

// voidAndTag updates invoices: it voids the duplicate (the API has no
// delete) and tags another.
func (t *tour) voidAndTag(ctx context.Context) error {
	dup := t.byNumber["1004"]
	voided, err := t.client.Invoices.Update(ctx, t.biz, dup.ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
	if err != nil {
		return fail("void", err)
	}
	fmt.Fprintf(t.out, "Voided %s: status %s, voided at set: %t\n", voided.Number, voided.Status, !voided.VoidedAt.IsZero())
	field := tagField(t.env, t.getenv)
	if field == "" {
		fmt.Fprintln(t.out, "Skipped tagging: the API only takes tags whose field exists in the business; set ASSET_TAG_FIELD to one")
		return nil
	}
	tagged, err := t.client.Invoices.Update(ctx, t.biz, t.byNumber["1001"].ID, asset.InvoiceUpdate{
		Tags: map[string]*string{field: asset.TagSet("Website")},
	})
	if err != nil {
		return fail("tag", err)
	}
	fmt.Fprintf(t.out, "Tagged %s: %s=%s\n", tagged.Number, field, tagged.Tags[field])
	return nil
}

// payInPartThenInFull pays part of an invoice, then what remains, from
// the transaction it keeps in t.txn, and shows both payments on it.
func (t *tour) payInPartThenInFull(ctx context.Context) error {
	txn, err := t.transaction(ctx, asset.MustDecimal("570.00"))
	if err != nil {
		return err
	}
	if txn == "" {
		fmt.Fprintln(t.out, "Skipped the payments: set ASSET_TRANSACTION_ID to money received (at least 570.00) to pay with")
		return nil
	}
	t.txn = txn
	first := t.byNumber["1001"]
	part := asset.MustDecimal("200.00")
	paid, err := t.client.Payments.Apply(ctx, t.biz, asset.InvoicePaymentCreate{
		InvoiceID: first.ID, TransactionID: txn, PaymentAmount: part,
	})
	if err != nil {
		return fail("pay in part", err)
	}
	printPaid(t.out, part, paid)
	rest := paid.Balance()
	paid, err = t.client.Payments.Apply(ctx, t.biz, asset.InvoicePaymentCreate{
		InvoiceID: first.ID, TransactionID: txn, PaymentAmount: rest,
	})
	if err != nil {
		return fail("pay in full", err)
	}
	printPaid(t.out, rest, paid)
	tx, err := t.client.Transactions.Get(ctx, t.biz, txn, []string{asset.TransactionIncludeInvoicePayments})
	if err != nil {
		return fail("get the transaction", err)
	}
	var parts []string
	for _, p := range tx.InvoicePayments {
		if p.Invoice != nil && p.Invoice.ID == first.ID {
			parts = append(parts, p.PaymentAmount.String())
		}
	}
	fmt.Fprintf(t.out, "The transaction shows what it paid on %s: %s\n", first.Number, strings.Join(parts, " + "))
	return nil
}

// creditAndRefund shows credit and refunds: a credit memo credits the
// customer, and a payment without a transaction draws on that credit; a
// refund gives back part of what was paid. Only on the embedded server: on
// the real API they would credit and refund a real customer.
func (t *tour) creditAndRefund(ctx context.Context) error {
	if !t.env.Embedded() {
		fmt.Fprintln(t.out, "Skipped the credit memo and the refund: they would credit and refund a real customer; run on the embedded server to see them")
		return nil
	}
	if err := payFromCredit(ctx, t.client, t.biz, t.prefix, t.byNumber["1002"], t.out); err != nil {
		return err
	}
	return refundPart(ctx, t.env, t.prefix, t.byNumber["1001"], t.out)
}

// showErrors makes calls that fail and says what each error says to do. A
// program tells them apart with errors.Is and errors.As; see explain.
func (t *tour) showErrors(ctx context.Context) {
	if txn := t.txn; txn != "" {
		dup := t.byNumber["1004"]
		_, err := t.client.Payments.Apply(ctx, t.biz, asset.InvoicePaymentCreate{
			InvoiceID: dup.ID, TransactionID: txn, PaymentAmount: asset.MustDecimal("10.00"),
		})
		fmt.Fprintf(t.out, "Paying voided %s: %s\n", dup.Number, explain(err))
	}

	_, err := t.client.Payments.Apply(ctx, t.biz, asset.InvoicePaymentCreate{
		InvoiceID: t.byNumber["1002"].ID, PaymentAmount: asset.MustDecimal("-5.00"),
	})
	fmt.Fprintf(t.out, "Paying -5.00: %s\n", explain(err))

	first, again := t.byNumber["1001"].Number, t.prefix+"1005"
	more, err := t.client.Invoices.Create(ctx, t.biz, []asset.InvoiceCreate{
		{Number: first, Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("570.00")}}},
		{Number: again, Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("80.00")}}},
	})
	fmt.Fprintf(t.out, "Creating %s again with %s: created %s; %s\n", first, again, numbers(more), explainCreate(err))
}

// payFromCredit issues a credit memo to inv's customer, pays inv from the
// customer's credit, and voids the memo, which takes back what is left.
func payFromCredit(ctx context.Context, client *asset.Client, biz, prefix string, inv asset.Invoice, stdout io.Writer) error {
	memos, err := client.CreditMemos.Create(ctx, biz, []asset.CreditMemoCreate{{
		CustomerID: inv.CustomerID, Number: prefix + "CM-1", Amount: asset.MustDecimal("400.00"), Memo: "Goodwill credit",
	}})
	if err != nil {
		return fmt.Errorf("credit memo: %w\n%s", err, explainCreate(err))
	}
	memo := memos[0]
	paid, err := client.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: inv.ID, PaymentAmount: inv.Balance()})
	if err != nil {
		return fail("pay from credit", err)
	}
	fmt.Fprintf(stdout, "Credited %s with %s; paid %s from the credit: %s of %s paid, status %s, from memo %s: %t\n",
		memo.Number, memo.Amount, paid.Number, paid.TotalPaid, paid.TotalAmount, paid.Status,
		memo.Number, paid.Payments[len(paid.Payments)-1].CreditMemoID == memo.ID)
	voided, err := client.CreditMemos.Void(ctx, biz, memo.ID)
	if err != nil {
		return fail("void the credit memo", err)
	}
	fmt.Fprintf(stdout, "Voided %s: the %s left of it is no longer credit, voided at set: %t\n",
		voided.Number, memo.Amount.Sub(paid.TotalPaid), !voided.VoidedAt.IsZero())
	return nil
}

// refundPart refunds 50.00 of inv, which is paid, and pays the refund from
// money received on the embedded server.
func refundPart(ctx context.Context, env *exampleenv.Env, prefix string, inv asset.Invoice, stdout io.Writer) error {
	client, biz := env.Client, env.BusinessID
	amount := asset.MustDecimal("50.00")
	refund, err := client.Refunds.Create(ctx, biz, asset.RefundCreate{
		Amount: amount, ExternalID: prefix + "RF-1", RefundedAt: time.Now().UTC(), Method: asset.RefundMethodCreditCard,
		InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: inv.ID, Amount: amount}},
	})
	if err != nil {
		// ErrOutcomeUnknown: look for the external id among the invoice's
		// refunds (Refunds.ListForInvoice) before refunding again.
		return fail("refund", err)
	}
	refunded, err := client.Invoices.Get(ctx, biz, inv.ID)
	if err != nil {
		return fail("get the refunded invoice", err)
	}
	fmt.Fprintf(stdout, "Refunded %s of %s as %s: refund %s, invoice %s\n", refund.Amount, refunded.Number, refund.ExternalID, refund.Status, refunded.Status)
	paid, err := client.Refunds.ApplyPayment(ctx, biz, asset.RefundPaymentCreate{
		RefundID: refund.ID, TransactionID: env.Fake.AddTransaction(biz, amount),
	})
	if err != nil {
		return fail("pay the refund", err)
	}
	fmt.Fprintf(stdout, "Paid the refund: %s of %s paid, refund %s\n", paid.AmountPaid, paid.Amount, paid.Status)
	return nil
}

// runPrefix starts this run's invoice numbers: the time, and a random part
// so that two runs in the same second do not collide.
func runPrefix(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:]) // crypto/rand's Read never fails
	return fmt.Sprintf("QS-%d-%x-", now.Unix(), b)
}

// transaction is the money the payments draw on: on the embedded server, a
// bank deposit recorded just now, its id from the create call; on the real
// API, ASSET_TRANSACTION_ID, or "" to skip the payments (recording a
// deposit there would book money the business never received). Paying from
// the customer's credit instead would need a customer known to have enough.
func (t *tour) transaction(ctx context.Context, amount asset.Decimal) (string, error) {
	if !t.env.Embedded() {
		return t.getenv("ASSET_TRANSACTION_ID"), nil
	}
	external := t.prefix + "DEP-1"
	created, err := t.client.Transactions.Create(ctx, t.biz, []asset.TransactionCreate{{
		Description: "Wire from Acme Corp", Datetime: time.Now().UTC(), Amount: amount,
		ExternalID: external, ExternalAccountID: "eac_QuickstartChecking0001",
	}})
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		// Settle by external id before recording it again.
		found, ferr := t.client.Transactions.FindByExternalIDs(ctx, t.biz, []string{external}, nil)
		if tx, ok := found[external]; ferr == nil && ok {
			created, err = []asset.Transaction{tx}, nil
		}
	}
	if err != nil {
		return "", fail("record the deposit", err)
	}
	fmt.Fprintf(t.out, "Recorded deposit %s of %s\n", created[0].ExternalID, created[0].Amount)
	return created[0].ID, nil
}

// tagField is the tag field to tag with: ASSET_TAG_FIELD, which on the
// real API must already exist in the business; on the embedded server,
// created just now, as "Project" unless the environment names another.
// "" skips tagging.
func tagField(env *exampleenv.Env, getenv func(string) string) string {
	field := getenv("ASSET_TAG_FIELD")
	if env.Embedded() {
		if field == "" {
			field = "Project"
		}
		env.Fake.AddTagField(env.BusinessID, field)
	}
	return field
}

func printPaid(w io.Writer, amount asset.Decimal, inv *asset.Invoice) {
	fmt.Fprintf(w, "Paid %s on %s: %s of %s paid, balance %s, status %s\n",
		amount, inv.Number, inv.TotalPaid, inv.TotalAmount, inv.Balance(), inv.Status)
}

func numbers(invs []asset.Invoice) string {
	if len(invs) == 0 {
		return "none"
	}
	out := make([]string, len(invs))
	for i, inv := range invs {
		out[i] = inv.Number
	}
	return strings.Join(out, ", ")
}
