package assettest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

// startState starts a server on the state file at path, closed when the
// test ends.
func startState(t *testing.T, path string, opts ...assettest.Option) *assettest.Server {
	t.Helper()
	srv, err := assettest.Start(append([]assettest.Option{assettest.WithState(path)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

// stateOf is everything a business holds that a test can read.
type stateOf struct {
	Invoices []asset.Invoice
	Memos    []asset.CreditMemo
	Refunds  []asset.Refund
	// Customers and Transactions hold every id and time their changes drew.
	Customers    []asset.Customer
	Transactions []asset.Transaction
	Txns         map[string]string
	Credit       string
}

func readState(srv *assettest.Server, biz string, txns ...string) stateOf {
	st := stateOf{Invoices: srv.Invoices(biz), Memos: srv.CreditMemos(biz), Refunds: srv.Refunds(biz), Txns: map[string]string{},
		Customers: srv.Customers(biz), Transactions: srv.Transactions(biz)}
	for _, id := range txns {
		left, ok := srv.TransactionRemaining(biz, id)
		st.Txns[id] = fmt.Sprint(left, ok)
	}
	left, ok := srv.CreditRemaining(biz, "cus_keep")
	st.Credit = fmt.Sprint(left, ok)
	return st
}

// changeEverything makes a change of every kind, through the SDK and the
// test controls, and returns the transactions it seeded.
func changeEverything(t *testing.T, srv *assettest.Server, c *asset.Client) []string {
	t.Helper()
	ctx := context.Background()
	srv.AddTagField(biz, "Region")
	txn := srv.AddTransaction(biz, mustDec("500.00"))
	srv.AddCredit(biz, "cus_keep", mustDec("40.00"))

	invs, err := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{
		{Number: "K-1", CustomerExternalID: "erp-1", Lines: []asset.InvoiceLineCreate{{Amount: mustDec("100.00")}}, Tags: map[string]string{"Region": "EU"}},
		{Number: "K-2", CustomerID: "cus_keep", Lines: []asset.InvoiceLineCreate{{UnitPrice: mustDec("19.99"), Quantity: mustDec("1.5")}}},
		{Number: "K-3", Lines: []asset.InvoiceLineCreate{{Amount: mustDec("10.00")}}},
		{Number: "K-4", CustomerExternalID: "erp-1", Lines: []asset.InvoiceLineCreate{{Amount: mustDec("7.00")}}},
	})
	require.NoError(t, err)
	_, err = c.Invoices.Update(ctx, biz, invs[3].ID, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided})
	require.NoError(t, err)
	_, err = c.Invoices.Update(ctx, biz, invs[0].ID, asset.InvoiceUpdate{LineChanges: &asset.InvoiceLineChanges{
		CreateLines: []asset.InvoiceLineUpdate{{Description: "extra", Amount: mustDec("20.00")}},
	}})
	require.NoError(t, err)
	_, err = c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txn, PaymentAmount: mustDec("120.00")})
	require.NoError(t, err)
	_, err = c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: invs[1].ID, PaymentAmount: mustDec("29.99")})
	require.NoError(t, err)
	_, err = c.Invoices.WriteOff(ctx, biz, invs[2].ID, asset.InvoiceWriteOff{Description: "bad debt"})
	require.NoError(t, err)
	refund, err := c.Refunds.Create(ctx, biz, asset.RefundCreate{
		Amount: mustDec("50.00"), ExternalID: "R-1", Method: asset.RefundMethodACH, RefundedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		InvoicesToRefund: []asset.RefundInvoiceCreate{{InvoiceID: invs[0].ID, Amount: mustDec("50.00")}},
	})
	require.NoError(t, err)
	_, err = c.Refunds.ApplyPayment(ctx, biz, asset.RefundPaymentCreate{RefundID: refund.ID, TransactionID: txn, PaymentAmount: mustDec("50.00")})
	require.NoError(t, err)
	memos, err := c.CreditMemos.Create(ctx, biz, []asset.CreditMemoCreate{{CustomerID: "cus_keep", Number: "CM-1", Amount: mustDec("5.00")}, {CustomerID: "cus_other", Number: "CM-2", Amount: mustDec("3.00")}}, asset.WithUserID("usr_7"))
	require.NoError(t, err)
	_, err = c.CreditMemos.Void(ctx, biz, memos[1].ID)
	require.NoError(t, err)
	cus, err := c.Customers.Create(ctx, biz, asset.CustomerCreate{Name: "Keep", ExternalID: "erp-keep", BillingAddress: &asset.Address{City: "Oslo"}})
	require.NoError(t, err)
	email := "ap@keep.test"
	_, err = c.Customers.Update(ctx, biz, cus.ID, asset.CustomerUpdate{Email: &email})
	require.NoError(t, err)
	created, err := c.Transactions.Create(ctx, biz, []asset.TransactionCreate{{Description: "wire", Datetime: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC),
		Amount: mustDec("75.00"), ExternalID: "bank-1", ExternalAccountID: "eac_keep"}})
	require.NoError(t, err)
	return []string{txn, created[0].ID}
}

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	srv := startState(t, path)
	txns := changeEverything(t, srv, srv.Client())
	want := readState(srv, biz, txns...)
	require.Len(t, want.Invoices, 4)
	page, err := srv.Client().Invoices.List(context.Background(), biz, &asset.InvoiceListParams{PageSize: 2})
	require.NoError(t, err)
	srv.Close()

	again := startState(t, path)
	got := readState(again, biz, txns...)
	assert.Equal(t, want, got, "every invoice, payment, refund, memo and balance, ids and times alike")

	// The rules go on from the kept state: a number is still taken, a
	// page token still walks on.
	c := again.Client()
	_, err = c.Invoices.Create(context.Background(), biz, []asset.InvoiceCreate{{Number: "K-1", Lines: []asset.InvoiceLineCreate{{Amount: mustDec("1")}}}})
	var batchErr *asset.BatchError
	require.ErrorAs(t, err, &batchErr)
	assert.Equal(t, []string{"K-1"}, batchErr.Numbers())
	next, err := c.Invoices.List(context.Background(), biz, &asset.InvoiceListParams{PageSize: 2, PageToken: page.NextPageToken})
	require.NoError(t, err)
	assert.Equal(t, []string{"K-3", "K-4"}, invoiceNumbers(next.Data))

	// A third start replays what the second added on top of the first.
	inv, err := c.Invoices.Create(context.Background(), biz, []asset.InvoiceCreate{{Number: "K-5", Lines: []asset.InvoiceLineCreate{{Amount: mustDec("1")}}}})
	require.NoError(t, err)
	want = readState(again, biz, txns...)
	again.Close()
	third := startState(t, path)
	assert.Equal(t, want, readState(third, biz, txns...))
	assert.Equal(t, inv[0], third.Invoices(biz)[4])
}

// A change that changed nothing, a refusal and a read leave no line;
// issued tokens are not kept, so a client fetches another after a restart.
func TestStateKeepsOnlyChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	srv := startState(t, path)
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
	h.createOne(biz, "N-1", "10")
	before := lines(t, path)
	require.Len(t, before, 2, "the header and one change")

	h.create(biz, map[string]any{"number": "N-1", "lines": []any{map[string]any{"amount": 1}}}).requireStatus(t, http.StatusCreated)
	h.do("GET", bizPath(biz, "/invoice"), nil).requireStatus(t, http.StatusOK)
	h.do("POST", bizPath(biz, "/invoice"), map[string]any{"number": "bad"}).requireStatus(t, http.StatusUnprocessableEntity)
	c := srv.Client(asset.WithClientCredentials(srv.ClientCredentials()))
	_, err := c.Invoices.List(context.Background(), biz, nil)
	require.NoError(t, err)
	assert.Equal(t, before, lines(t, path))
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	out := strings.SplitAfter(string(b), "\n")
	return out[:len(out)-1]
}

// A crash in the middle of writing a change leaves a torn last line, of a
// change never answered: it is dropped, and the file rewritten without it,
// so that the changes after it are not appended to garbage.
func TestStateDropsTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	srv := startState(t, path)
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
	h.createOne(biz, "T-1", "10")
	h.createOne(biz, "T-2", "20")
	want := srv.Invoices(biz)
	srv.Close()

	whole, err := os.ReadFile(path)
	require.NoError(t, err)
	last := bytes.LastIndexByte(whole[:len(whole)-1], '\n') + 1
	for _, cut := range []int{1, (len(whole) - last) / 2, len(whole) - last - 1} {
		t.Run(fmt.Sprint("cut at ", cut), func(t *testing.T) {
			torn := filepath.Join(t.TempDir(), "asset.state")
			require.NoError(t, os.WriteFile(torn, whole[:last+cut], 0o600))
			srv := startState(t, torn)
			assert.Equal(t, want[:1], srv.Invoices(biz), "the first change whole, the torn one not at all")
			assert.Equal(t, string(whole[:last]), string(mustRead(t, torn)), "the file is rewritten without the torn line")

			h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
			h.createOne(biz, "T-2", "21")
			srv.Close()
			again := startState(t, torn)
			require.Len(t, again.Invoices(biz), 2)
			assert.Equal(t, "21", again.Invoices(biz)[1].TotalAmount.String())
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// A file that is not what this server wrote is an error naming it and the
// line, and is left as it was: never an empty start over it.
func TestStateRefusesBadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.state")
	srv := startState(t, good)
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
	id := h.createOne(biz, "B-1", "10")
	h.do("PATCH", bizPath(biz, "/invoice/"+id), map[string]any{"status": "voided"}).requireStatus(t, http.StatusOK)
	srv.Close()
	file := lines(t, good)
	require.Len(t, file, 3)

	for _, tc := range []struct {
		name, content, want string
	}{
		{"not a state file", "hello\n", ": line 1: not an assettest state file"},
		{"a header without its newline", strings.TrimSuffix(file[0], "\n"), ": line 1: not an assettest state file"},
		{"another version", strings.Replace(file[0], `"version":1`, `"version":2`, 1) + file[1], ": line 1: state format version 2, but this assettest reads version 1"},
		{"a line that is not JSON in the middle", file[0] + "{oops\n" + file[1], ": line 2: not a change"},
		{"an unknown field", file[0] + strings.Replace(file[1], `{`, `{"extra":1,`, 1), ": line 2: not a change"},
		{"a change whose answer differs", file[0] + strings.Replace(file[1], `"status":201`, `"status":200`, 1), ": line 2: POST " + bizPath(biz, "/invoice") + " answers 201 on replay where 200 was answered"},
		{"an edited amount", file[0] + strings.Replace(file[1], `"amount":10}`, `"amount":11}`, 1), ": line 2: POST " + bizPath(biz, "/invoice") + " answers otherwise on replay"},
		{"ids taken away", file[0] + strings.Replace(file[1], `"ids":["inv_`, `"ids":["cus_`, 1), ": line 2: POST " + bizPath(biz, "/invoice") + " draws other ids"},
		{"a change the state refuses", file[0] + file[2], ": line 2: PATCH " + bizPath(biz, "/invoice/"+id) + " answers 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.state")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			_, err := assettest.Start(assettest.WithState(path))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "state file "+path)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, tc.content, string(mustRead(t, path)), "the file is left as it was")
			entries, err := os.ReadDir(filepath.Dir(path))
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file is left behind")
		})
	}
}

// An empty file holds nothing that was answered: it starts an empty state.
func TestStateEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	srv := startState(t, path)
	assert.Empty(t, srv.Invoices(biz))
	assert.Len(t, lines(t, path), 1, "the header is written")
}

// A body that is not JSON (here, JSON under another content type, which
// the API reads as no body) is kept as it was sent.
func TestStateKeepsBodiesAsSent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	srv := startState(t, path)
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
	id := h.createMemo(biz, "cus_1", "M-1", "10")
	h.do("POST", bizPath(biz, "/credit-memo/"+id+"/void"), "not JSON", "Content-Type", "text/plain").requireStatus(t, http.StatusOK)
	want := srv.CreditMemos(biz)
	require.True(t, want[0].Voided)
	// A body over many lines is kept on one: the journal is a line a
	// change.
	h.do("POST", bizPath(biz, "/invoice"), "[\n  {\"number\": \"W-1\",\r\n   \"lines\": [{\"amount\": 1}]}\n]\n").requireStatus(t, http.StatusCreated)
	invoices := srv.Invoices(biz)
	require.Len(t, invoices, 1)
	srv.Close()
	assert.Contains(t, string(mustRead(t, path)), `"raw_body":"`)
	assert.Len(t, lines(t, path), 4, "the header and three changes")
	again := startState(t, path)
	assert.Equal(t, want, again.CreditMemos(biz))
	assert.Equal(t, invoices, again.Invoices(biz))
}

func TestStartErrors(t *testing.T) {
	taken := assettest.NewServer()
	defer taken.Close()
	_, err := assettest.Start(assettest.WithAddress(strings.TrimPrefix(taken.URL, "http://")))
	require.Error(t, err, "the address is taken")

	dir := t.TempDir()
	_, err = assettest.Start(assettest.WithState(dir))
	require.Error(t, err, "a directory")
	assert.Contains(t, err.Error(), dir)

	_, err = assettest.Start(assettest.WithState(filepath.Join(dir, "missing", "asset.state")))
	require.Error(t, err, "a directory that does not exist")
}

func TestWithAddress(t *testing.T) {
	srv := assettest.NewServer(assettest.WithAddress("127.0.0.1:0"))
	defer srv.Close()
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"))
	_, err := srv.Client().Invoices.List(context.Background(), biz, nil)
	require.NoError(t, err)
}

// The time a change reads is the one replayed: a server started later,
// whose clock says otherwise, stamps the kept changes as they were.
func TestStateKeepsTimes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	srv := startState(t, path, assettest.WithClock(func() time.Time { return at }))
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
	id := h.createOne(biz, "C-1", "10")
	h.do("PATCH", bizPath(biz, "/invoice/"+id), map[string]any{"status": "voided"}).requireStatus(t, http.StatusOK)
	srv.Close()
	again := startState(t, path, assettest.WithClock(func() time.Time { return at.AddDate(1, 0, 0) }))
	assert.Equal(t, at, again.Invoices(biz)[0].VoidedAt)
}

// Two servers on one file would each append changes the other never
// replays: the second is refused until the first is closed.
func TestStateOneServerPerFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no advisory locks")
	}
	path := filepath.Join(t.TempDir(), "asset.state")
	first, err := assettest.Start(assettest.WithState(path))
	require.NoError(t, err)
	_, err = assettest.Start(assettest.WithState(path))
	require.ErrorContains(t, err, "state file "+path+": in use by another server")
	first.Close()
	second, err := assettest.Start(assettest.WithState(path))
	require.NoError(t, err)
	second.Close()
}

// Tag fields given as an option are not in the file: a start without the
// ones a kept change needs is an error saying so, not a state without it.
func TestStateNeedsTheSameTagFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	srv := startState(t, path, assettest.WithTagFields("Region"))
	h := &tester{t: t, srv: srv, hc: srv.HTTPClient()}
	h.create(biz, map[string]any{"number": "G-1", "lines": []any{map[string]any{"amount": 1}}, "tags": map[string]any{"Region": "EU"}})
	srv.Close()

	_, err := assettest.Start(assettest.WithState(path))
	require.ErrorContains(t, err, "state file "+path+": line 2: POST "+bizPath(biz, "/invoice")+" answers 422 on replay where 201 was answered; the file was edited, or the server was started with other tag fields")
	assert.Len(t, startState(t, path, assettest.WithTagFields("Region")).Invoices(biz), 1)
}

// A crash while a start rewrote the file leaves its new copy behind: the
// next start removes it, and keeps the file.
func TestStateRemovesStaleCopies(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("without advisory locks, a copy may be another server's")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "asset.state")
	srv := startState(t, path)
	(&tester{t: t, srv: srv, hc: srv.HTTPClient()}).createOne(biz, "S-1", "1")
	srv.Close()
	stale := filepath.Join(dir, ".asset.state.tmp-123")
	other := filepath.Join(dir, ".other.state.tmp-123")
	require.NoError(t, os.WriteFile(stale, []byte("half"), 0o600))
	require.NoError(t, os.WriteFile(other, []byte("not ours"), 0o600))

	assert.Len(t, startState(t, path).Invoices(biz), 1)
	assert.NoFileExists(t, stale)
	assert.FileExists(t, other)
}
