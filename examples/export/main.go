// Command export writes every invoice of a business to stdout, as CSV (the
// default) or as JSON lines, and says on stderr how far it got every 10
// pages and how many it wrote in the end. Money is written exactly as the
// API sent it, never through a float.
//
// Run it with nothing but Go installed:
//
//	go run ./examples/export > invoices.csv
//	go run ./examples/export -format jsonl > invoices.jsonl
//
// Without ASSET_TOKEN it starts an embedded assettest server holding 250
// sample invoices, and says so on the first line of stderr: the server
// forgets everything when the program exits. -h lists the environment and
// the flags; a flag value out of range exits 2 with the usage. To export a real
// business, set ASSET_TOKEN and ASSET_BUSINESS_ID (and optionally
// ASSET_BASE_URL, default the sandbox, ASSET_USER_ID, and
// ASSET_ATTEMPT_TIMEOUT, how long one try may take, default 10s, and
// ASSET_RATE_LIMIT, requests a minute to keep to, default 300). A try
// that failed and will be retried is said on stderr as it happens.
//
// Flags:
//
//	-format csv|jsonl   the output format (default csv)
//	-page-size n        invoices per request, 1 to 100 (default 100)
//	-from token         continue an export that failed, from the page token
//	                    its error named; no CSV header is written, so the
//	                    output can be appended to what was written before
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/examples/internal/cli"
	"github.com/assetkit/asset-go/examples/internal/exampleenv"
)

func main() { cli.Main("export", run) }

// run is main without the process, so that a test can give it an
// environment and read what it writes.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("export", about, stderr)
	format := fs.String("format", "csv", "output format: csv or jsonl")
	pageSize := fs.Int("page-size", 100, "invoices per request, 1 to 100")
	from := fs.String("from", "", "page token to continue a failed export from")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *pageSize < 1 || *pageSize > 100 {
		return cli.Refuse(fs, fmt.Errorf("-page-size %d: use 1 to 100", *pageSize))
	}
	out := bufio.NewWriter(stdout)
	var w writer
	switch *format {
	case "csv":
		w = newCSVWriter(out, *from == "")
	case "jsonl":
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		w = func(inv *asset.Invoice) error { return enc.Encode(inv) }
	default:
		return cli.Refuse(fs, fmt.Errorf("-format %q: use csv or jsonl", *format))
	}

	// stdout is the data: everything said to the user goes to stderr,
	// the SDK's warnings (a try failed, the next is coming) included.
	env, err := exampleenv.OpenSaying(getenv, stderr, stderr, exampleenv.Forgets)
	if err != nil {
		return err
	}
	defer env.Close()
	if env.Embedded() {
		n, err := seed(ctx, env)
		if err != nil {
			return fmt.Errorf("seeding the embedded server: %w", err)
		}
		fmt.Fprintf(stderr, "seeded %d sample invoices\n", n)
	}

	// A Pager rather than All: it counts pages, and when a page fails it
	// holds the token to continue from.
	pager := env.Client.Invoices.Pager(env.BusinessID, &asset.InvoiceListParams{PageSize: *pageSize, PageToken: *from})
	resume := *from
	invoices, pages := 0, 0
	for pager.HasNext() {
		page, err := pager.Next(ctx)
		if err != nil {
			// What was written is complete up to the last page: keep it.
			if ferr := out.Flush(); ferr != nil {
				return ferr
			}
			return exportFailed(err, invoices, resume)
		}
		pages++
		for i := range page.Data {
			if err := w(&page.Data[i]); err != nil {
				return err
			}
		}
		invoices += len(page.Data)
		resume = page.NextPageToken
		// A large business takes minutes: show that it is moving.
		if pages%progressEvery == 0 && pager.HasNext() {
			fmt.Fprintf(stderr, "%d %s so far (%d pages)\n", invoices, plural(invoices, "invoice", "invoices"), pages)
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d %s (%d %s)\n", invoices, plural(invoices, "invoice", "invoices"), pages, plural(pages, "page", "pages"))
	return nil
}

// about is the usage's text between its first line and the flags.
const about = `Writes every invoice of a business to stdout, as CSV or JSON lines, and says
on stderr how far it got.

` + exampleenv.Help + `

On the embedded server it first creates 250 sample invoices to export.`

// progressEvery is how many pages go by between progress lines.
const progressEvery = 10

// exportFailed says what was done and how to go on. resume is where the
// next page starts: the -from token given when no page was read.
func exportFailed(err error, done int, resume string) error {
	var hint string
	switch {
	case done > 0:
		hint = fmt.Sprintf("%d invoices were written; to continue, run again with -from %s", done, resume)
	case resume != "":
		// Starting over would write the header and the earlier rows again
		// after what the first run wrote.
		hint = fmt.Sprintf("run again with the same -from %s; nothing was written this time", resume)
	default:
		hint = "run the export again"
	}
	switch {
	case done == 0 && resume != "" && errors.Is(err, asset.ErrValidation):
		hint = "the -from token was refused: give the one a failed export named, with the same business"
	case errors.Is(err, asset.ErrUnauthorized), errors.Is(err, asset.ErrForbidden):
		hint = "check ASSET_TOKEN and ASSET_BUSINESS_ID, then " + hint
	case errors.Is(err, asset.ErrRateLimited):
		var apiErr *asset.APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
			hint = fmt.Sprintf("wait %s, then %s", apiErr.RetryAfter, hint)
		}
	}
	return fmt.Errorf("%w\n%s", err, hint)
}

// writer writes one invoice.
type writer func(*asset.Invoice) error

// csvHeader names the CSV columns. Amounts are decimal text as exact as the
// API's, times RFC 3339 in UTC, and absent values empty.
var csvHeader = []string{
	"id", "number", "status", "source", "customer_id", "description",
	"total_amount", "total_paid", "balance", "credit_amount",
	"due_at", "sent_at", "voided_at",
}

func newCSVWriter(out io.Writer, header bool) writer {
	cw := csv.NewWriter(out)
	wroteHeader := !header
	return func(inv *asset.Invoice) error {
		if !wroteHeader {
			wroteHeader = true
			if err := cw.Write(csvHeader); err != nil {
				return err
			}
		}
		// Decimal.String is the exact value; never go through Float64.
		err := cw.Write([]string{
			inv.ID, inv.Number, string(inv.Status), string(inv.Source), inv.CustomerID, inv.Description,
			inv.TotalAmount.String(), inv.TotalPaid.String(), inv.Balance().String(), inv.CreditAmount.String(),
			csvTime(inv.DueAt), csvTime(inv.SentAt), csvTime(inv.VoidedAt),
		})
		cw.Flush() // into the buffered stdout, so that a failure later keeps whole rows
		return errors.Join(err, cw.Error())
	}
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// seed fills the embedded server with sample invoices across several pages:
// mostly open, every tenth paid, every twenty-fifth voided.
func seed(ctx context.Context, env *exampleenv.Env) (int, error) {
	const total = 250
	c, biz := env.Client, env.BusinessID
	due := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var all []asset.Invoice
	for start := 1; start <= total; start += 100 {
		var batch []asset.InvoiceCreate
		for i := start; i < start+100 && i <= total; i++ {
			batch = append(batch, sampleInvoice(i, due))
		}
		created, err := c.Invoices.Create(ctx, biz, batch)
		if err != nil {
			return 0, err
		}
		all = append(all, created...)
	}
	txn := env.Fake.AddTransaction(biz, asset.MustDecimal("1000000"))
	for i, inv := range all {
		var err error
		switch n := i + 1; {
		case n%25 == 0:
			_, err = c.Invoices.Update(ctx, biz, inv.ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
		case n%10 == 0:
			_, err = c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{
				InvoiceID: inv.ID, TransactionID: txn, PaymentAmount: inv.TotalAmount,
			})
		}
		if err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

// sampleInvoice is the i-th sample: INV-0001 is 3 × 11.01 plus 0.01 tax,
// 33.04, and each next one differs in price, quantity and due date.
func sampleInvoice(i int, due time.Time) asset.InvoiceCreate {
	return asset.InvoiceCreate{
		Number:      fmt.Sprintf("INV-%04d", i),
		Description: fmt.Sprintf("Sample invoice %d", i),
		DueAt:       due.AddDate(0, 0, i),
		Lines: []asset.InvoiceLineCreate{{
			Description: "Widgets",
			UnitPrice:   asset.MustDecimal(fmt.Sprintf("%d.%02d", 10+i%90, i%100)),
			Quantity:    asset.DecimalFromInt(int64(2 + i%3)),
			TaxAmount:   asset.MustDecimal(fmt.Sprintf("0.%02d", i%100)),
		}},
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
