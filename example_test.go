package asset_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// The examples run against assettest, an in-memory Asset API, so that their
// output is checked by go test. With the real API, only the client differs.

func ExampleNewClient() {
	srv := assettest.NewServer() // stands in for the API
	defer srv.Close()

	client, err := asset.NewClient(
		asset.WithToken(srv.Token()), // e.g. os.Getenv("ASSET_TOKEN")
		asset.WithBaseURL(srv.URL),   // asset.SandboxURL; ProductionURL is the default
		asset.WithUserID("usr_42"),   // who acts, for the API's audit log
		asset.WithMaxRetries(2),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := client.Invoices.List(context.Background(), "biz_example", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("invoices:", len(page.Data))

	// Credentials are required.
	_, err = asset.NewClient()
	fmt.Println(errors.Is(err, asset.ErrValidation))
	// Output:
	// invoices: 0
	// true
}

func ExampleWithClientCredentials() {
	srv := assettest.NewServer()
	defer srv.Close()
	creds := srv.ClientCredentials() // Asset issues the id and secret

	client, err := asset.NewClient(
		asset.WithClientCredentials(asset.ClientCredentials{
			ClientID:     creds.ClientID,
			ClientSecret: creds.ClientSecret,
			Scopes:       []string{"invoice:read", "invoice:create"},
		}),
		asset.WithBaseURL(srv.URL),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for range 3 {
		if _, err := client.Invoices.List(ctx, "biz_example", nil); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("tokens fetched:", srv.Requests(assettest.RouteToken))

	// A token revoked (or expired early) is renewed once, on the 401.
	srv.RevokeTokens()
	_, err = client.Invoices.List(ctx, "biz_example", nil)
	fmt.Println("after revocation:", err, "- tokens fetched:", srv.Requests(assettest.RouteToken))
	// Output:
	// tokens fetched: 1
	// after revocation: <nil> - tokens fetched: 2
}

func ExampleWithResponseInto() {
	srv := assettest.NewServer(assettest.WithRateLimit(300, time.Minute))
	defer srv.Close()
	client := srv.Client()

	var resp asset.Response
	_, err := client.Invoices.List(context.Background(), "biz_example", nil, asset.WithResponseInto(&resp))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", resp.StatusCode)
	fmt.Println("rate limit:", resp.RateLimit.Remaining, "of", resp.RateLimit.Limit, "left")
	fmt.Println("request id given:", resp.RequestID != "")
	// Output:
	// status: 200
	// rate limit: 299 of 300 left
	// request id given: true
}

func ExampleInvoiceService_Create() {
	srv := assettest.NewServer(assettest.WithTagFields("Project")) // tag names must be fields of the business
	defer srv.Close()
	client := srv.Client()

	invs, err := client.Invoices.Create(context.Background(), "biz_example", []asset.InvoiceCreate{
		{
			Number: "INV-1001",
			DueAt:  time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC),
			Lines: []asset.InvoiceLineCreate{
				// The server computes 3 × 150.00 - 25.00 + 34.13.
				{Description: "Consulting", UnitPrice: asset.MustDecimal("150.00"), Quantity: asset.MustDecimal("3"),
					DiscountAmount: asset.MustDecimal("25.00"), TaxAmount: asset.MustDecimal("34.13")},
				{Description: "Travel", Amount: asset.MustDecimal("80.00")},
			},
			Tags: map[string]string{"Project": "Roof"},
		},
		{Number: "INV-1002", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("0.10")}, {Amount: asset.MustDecimal("0.20")}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, inv := range invs {
		fmt.Println(inv.Number, inv.Status, inv.TotalAmount, len(inv.Lines), "lines")
	}
	// Output:
	// INV-1001 open 539.13 2 lines
	// INV-1002 open 0.30 2 lines
}

func ExampleInvoiceService_List() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	march := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

	var batch []asset.InvoiceCreate
	for i := 1; i <= 6; i++ { // due on March 5, 10, ... 30
		batch = append(batch, asset.InvoiceCreate{
			Number: fmt.Sprintf("INV-%d", i),
			DueAt:  march.AddDate(0, 0, 5*i-1),
			Lines:  []asset.InvoiceLineCreate{{Amount: asset.DecimalFromInt(int64(100 * i))}},
		})
	}
	if _, err := client.Invoices.Create(ctx, "biz_example", batch); err != nil {
		fmt.Println(err)
		return
	}

	// Open invoices due in the first half of March, two per page.
	page, err := client.Invoices.List(ctx, "biz_example", &asset.InvoiceListParams{
		Status:     []asset.InvoiceStatus{asset.InvoiceStatusOpen},
		DueAtStart: march,
		DueAtEnd:   march.AddDate(0, 0, 14),
		PageSize:   2,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, inv := range page.Data {
		fmt.Println(inv.Number, inv.DueAt.Format(time.DateOnly), inv.TotalAmount)
	}
	fmt.Println("more:", page.HasNext())
	// Output:
	// INV-1 2025-03-05 100
	// INV-2 2025-03-10 200
	// more: true
}

func ExampleInvoiceService_All() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	var batch []asset.InvoiceCreate
	for i := 1; i <= 5; i++ {
		batch = append(batch, asset.InvoiceCreate{
			Number: fmt.Sprintf("INV-%d", i),
			Lines:  []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("19.99")}},
		})
	}
	if _, err := client.Invoices.Create(ctx, "biz_example", batch); err != nil {
		fmt.Println(err)
		return
	}

	// Pages are fetched as the loop needs them: here three of two.
	count, due := 0, asset.DecimalFromInt(0)
	for inv, err := range client.Invoices.All(ctx, "biz_example", &asset.InvoiceListParams{PageSize: 2}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		count++
		due = due.Add(inv.Balance())
	}
	fmt.Println(count, "invoices,", due, "due, in", srv.Requests(assettest.RouteListInvoices), "requests")
	// Output:
	// 5 invoices, 99.95 due, in 3 requests
}

func ExampleInvoiceService_Pager() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	var batch []asset.InvoiceCreate
	for i := 1; i <= 7; i++ {
		batch = append(batch, asset.InvoiceCreate{Number: fmt.Sprintf("INV-%d", i)})
	}
	if _, err := client.Invoices.Create(ctx, "biz_example", batch); err != nil {
		fmt.Println(err)
		return
	}

	pager := client.Invoices.Pager("biz_example", &asset.InvoiceListParams{PageSize: 3})
	page, _ := pager.Next(ctx)
	fmt.Println("first:", exampleNumbers(page))
	saved := page.NextPageToken // opaque: store it, come back later

	// Later, maybe in another process: start at the saved page.
	pager = client.Invoices.Pager("biz_example", &asset.InvoiceListParams{PageSize: 3, PageToken: saved})
	for pager.HasNext() {
		page, err := pager.Next(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("next:", exampleNumbers(page))
	}
	// Tokens work both ways: back past where this pager started.
	for pager.HasPrevious() {
		page, err := pager.Previous(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("back:", exampleNumbers(page))
	}
	_, err := pager.Previous(ctx)
	fmt.Println(errors.Is(err, asset.ErrNoMorePages))
	// Output:
	// first: [INV-1 INV-2 INV-3]
	// next: [INV-4 INV-5 INV-6]
	// next: [INV-7]
	// back: [INV-4 INV-5 INV-6]
	// back: [INV-1 INV-2 INV-3]
	// true
}

func exampleNumbers(page *asset.Page[asset.Invoice]) []string {
	var out []string
	for _, inv := range page.Data {
		out = append(out, inv.Number)
	}
	return out
}

func ExampleInvoiceService_Update() {
	srv := assettest.NewServer(assettest.WithTagFields("Location", "Reason")) // tag names must be fields of the business
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	invs, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{
		{Number: "INV-1", Lines: []asset.InvoiceLineCreate{{Description: "Design", Amount: asset.MustDecimal("400.00")}}},
		{Number: "INV-2", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("90.00")}}, Tags: map[string]string{"Location": "NYC"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Lines: add one, remove one; the total follows.
	inv, err := client.Invoices.Update(ctx, "biz_example", invs[0].ID, asset.InvoiceUpdate{
		LineChanges: &asset.InvoiceLineChanges{
			CreateLines: []asset.InvoiceLineUpdate{{Description: "Hosting", Amount: asset.MustDecimal("150.00")}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Number, "total", inv.TotalAmount)
	inv, err = client.Invoices.Update(ctx, "biz_example", inv.ID, asset.InvoiceUpdate{
		LineChanges: &asset.InvoiceLineChanges{DeleteLines: []string{inv.Lines[0].ID}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Number, "total", inv.TotalAmount)

	// Status and tags: the API has no delete, so an invoice is voided.
	inv, err = client.Invoices.Update(ctx, "biz_example", invs[1].ID, asset.InvoiceUpdate{
		Status: asset.InvoiceStatusVoided,
		Tags:   map[string]*string{"Location": asset.TagRemove(), "Reason": asset.TagSet("duplicate")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Number, inv.Status, "voided at set:", !inv.VoidedAt.IsZero(), "tags:", len(inv.Tags), inv.Tags["Reason"])
	// Output:
	// INV-1 total 550.00
	// INV-1 total 150.00
	// INV-2 voided voided at set: true tags: 1 duplicate
}

func ExampleInvoiceService_WriteOff() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	invs, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{
		{Number: "INV-1", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("120.00")}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := invs[0].ID

	inv, err := client.Invoices.WriteOff(ctx, "biz_example", id, asset.InvoiceWriteOff{
		Amount: asset.MustDecimal("20.00"), Description: "goodwill",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Status, "balance", inv.Balance())

	// Without an amount, the whole balance is written off.
	inv, err = client.Invoices.WriteOff(ctx, "biz_example", id, asset.InvoiceWriteOff{Description: "bad debt"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Status, "balance", inv.Balance())
	for _, p := range inv.Payments {
		fmt.Println("payment", p.PaymentAmount, "write-off:", p.IsWriteOff)
	}
	// Output:
	// open balance 100.00
	// paid balance 0.00
	// payment 20.00 write-off: true
	// payment 100.00 write-off: true
}

func ExamplePaymentService_Apply() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	invs, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{
		{Number: "INV-1", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("250.00")}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Money received, e.g. a bank transfer the API has recorded.
	txn := srv.AddTransaction("biz_example", asset.MustDecimal("300.00"))

	for _, amount := range []string{"100.00", "150.00"} {
		inv, err := client.Payments.Apply(ctx, "biz_example", asset.InvoicePaymentCreate{
			InvoiceID:     invs[0].ID,
			TransactionID: txn,
			PaymentAmount: asset.MustDecimal(amount),
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("paid", inv.TotalPaid, "of", inv.TotalAmount, "->", inv.Status)
	}
	left, _ := srv.TransactionRemaining("biz_example", txn)
	fmt.Println("left on the transaction:", left)
	// Output:
	// paid 100.00 of 250.00 -> open
	// paid 250.00 of 250.00 -> paid
	// left on the transaction: 50.00
}

func ExampleDecimal() {
	price := asset.MustDecimal("19.99")
	total := price.Mul(asset.DecimalFromInt(3)).Add(asset.MustDecimal("0.03"))
	fmt.Println(total, total.StringFixed(1))

	// Exact where float64 is not.
	sum := asset.MustDecimal("0.1").Add(asset.MustDecimal("0.2"))
	f1, f2 := 0.1, 0.2
	fmt.Println(sum, sum.Equal(asset.MustDecimal("0.30")), f1+f2)

	// The zero value is absent and left out; a present zero is sent.
	b, _ := json.Marshal(asset.InvoiceLineCreate{Amount: asset.DecimalFromInt(0)})
	fmt.Println(string(b))
	b, _ = json.Marshal(asset.InvoiceLineCreate{Description: "free"})
	fmt.Println(string(b))

	// Read from a number or a string, keeping the scale written.
	var line asset.InvoiceLine
	_ = json.Unmarshal([]byte(`{"id": "inv_line_1", "amount": 10.50, "unit_price": "3.5"}`), &line)
	fmt.Println(line.Amount, line.UnitPrice, line.TaxAmount.IsSet())
	// Output:
	// 60.00 60.0
	// 0.3 true 0.30000000000000004
	// {"amount":0}
	// {"description":"free"}
	// 10.50 3.5 false
}

func ExampleBatchError() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	one := []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("10")}}
	if _, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{{Number: "INV-2", Lines: one}}); err != nil {
		fmt.Println(err)
		return
	}

	// INV-2 exists: the others are still created, and returned.
	created, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{
		{Number: "INV-1", Lines: one}, {Number: "INV-2", Lines: one}, {Number: "INV-3", Lines: one},
	})
	for _, inv := range created {
		fmt.Println("created", inv.Number)
	}
	var batchErr *asset.BatchError
	if errors.As(err, &batchErr) {
		for _, f := range batchErr.Failures {
			fmt.Printf("not created: invoices[%d] %s: %s\n", f.Index, f.Number, f.Message)
		}
	}
	// Output:
	// created INV-1
	// created INV-3
	// not created: invoices[1] INV-2: An invoice with number "INV-2" already exists
}

// Errors say what to do: errors.As gets the details, errors.Is the kind.
// ErrOutcomeUnknown is the one that matters most with money: a change that
// may have been applied, which the SDK never retries by itself.
func Example_errors() {
	srv := assettest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	invs, err := client.Invoices.Create(ctx, "biz_example", []asset.InvoiceCreate{
		{Number: "INV-1", CustomerID: "cus_example", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("80.00")}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	inv := invs[0]
	srv.AddCredit("biz_example", "cus_example", asset.MustDecimal("80.00")) // payments below draw on it

	explain := func(err error) string {
		var inputErr *asset.InputError
		var apiErr *asset.APIError
		switch {
		case errors.As(err, &inputErr):
			return "fix " + inputErr.Field + ": nothing was sent"
		case errors.Is(err, asset.ErrOutcomeUnknown):
			return "may have been applied: look before trying again"
		case errors.Is(err, asset.ErrNotFound):
			return "no such invoice"
		case errors.As(err, &apiErr):
			return fmt.Sprintf("refused, %d: %s", apiErr.StatusCode, apiErr.Message)
		}
		return fmt.Sprint(err)
	}

	_, err = client.Payments.Apply(ctx, "biz_example", asset.InvoicePaymentCreate{InvoiceID: inv.ID, PaymentAmount: asset.MustDecimal("-5")})
	fmt.Println(explain(err))
	_, err = client.Invoices.Get(ctx, "biz_example", "inv_AAAAAAAAAAAAAAAAAAAAAA")
	fmt.Println(explain(err))
	_, err = client.Payments.Apply(ctx, "biz_example", asset.InvoicePaymentCreate{InvoiceID: inv.ID, PaymentAmount: asset.MustDecimal("90.00")})
	fmt.Println(explain(err))

	// The connection breaks after the server applied the payment.
	srv.DropNext(assettest.RouteApplyPayment, 1, assettest.DropAfterApply)
	_, err = client.Payments.Apply(ctx, "biz_example", asset.InvoicePaymentCreate{InvoiceID: inv.ID, PaymentAmount: asset.MustDecimal("80.00")})
	fmt.Println(explain(err))
	if errors.Is(err, asset.ErrOutcomeUnknown) {
		got, err := client.Invoices.Get(ctx, "biz_example", inv.ID)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("looked:", got.Status, len(got.Payments), "payment; no need to pay again")
	}
	// Output:
	// fix payment.PaymentAmount: nothing was sent
	// no such invoice
	// refused, 422: Payment amount 90.00 exceeds the invoice balance of 80.00
	// may have been applied: look before trying again
	// looked: paid 1 payment; no need to pay again
}
