package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
)

// binaries holds the programs the tests run as processes, built once per
// test run.
var binaries struct {
	once sync.Once
	dir  string
	err  error
}

// TestMain removes the built programs when the tests end.
func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		_ = os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}

// binary is the path of a program of the module built from pkg ("." for
// this command), building them all on first use.
func binary(t *testing.T, name string) string {
	t.Helper()
	binaries.once.Do(func() {
		binaries.dir, binaries.err = os.MkdirTemp("", "assettest-bin-")
		if binaries.err != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", binaries.dir, ".", "../../examples/import").CombinedOutput()
		if err != nil {
			binaries.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binaries.err)
	return filepath.Join(binaries.dir, name)
}

// process is the command running as a process of its own.
type process struct {
	cmd    *exec.Cmd
	url    string
	env    map[string]string
	stderr *strings.Builder
	done   chan error
}

// start runs the command with args and waits, within a deadline, for the
// lines it prints once it serves. The test's end kills it if still running.
func start(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{
		cmd:    exec.Command(binary(t, "assettest"), append([]string{"-addr", "127.0.0.1:0"}, args...)...),
		env:    map[string]string{},
		stderr: &strings.Builder{},
		done:   make(chan error, 1),
	}
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	lines := make(chan []string, 1)
	go func() {
		var got []string
		sc := bufio.NewScanner(stdout)
		for len(got) < 5 && sc.Scan() {
			got = append(got, sc.Text())
		}
		lines <- got
		_, _ = io.Copy(io.Discard, stdout)
		p.done <- p.cmd.Wait()
	}()
	select {
	case got := <-lines:
		require.Len(t, got, 5, "stderr: %s", p.stderr)
		p.url = got[0]
		for _, l := range got[1:] {
			k, v, ok := strings.Cut(l, "=")
			require.True(t, ok, l)
			p.env[k] = v
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the server printed no URL within 30s; stderr: %s", p.stderr)
	}
	require.True(t, strings.HasPrefix(p.url, "http://127.0.0.1:"), p.url)
	require.Equal(t, p.url, p.env["ASSET_BASE_URL"])
	return p
}

// client is an SDK client of the process, retrying fast.
func (p *process) client(t *testing.T) *asset.Client {
	t.Helper()
	c, err := asset.NewClient(asset.WithBaseURL(p.url), asset.WithToken(p.env["ASSET_TOKEN"]),
		asset.WithRetryWait(time.Millisecond, 10*time.Millisecond), asset.WithMaxRetries(1))
	require.NoError(t, err)
	return c
}

// wait is the process's exit, within a deadline.
func (p *process) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit within 30s")
		return nil
	}
}

const biz = "biz_cmd"

// allInvoices is every invoice of the business, by number; it fails the
// test if a number is there twice.
func allInvoices(t *testing.T, c *asset.Client) map[string]asset.Invoice {
	t.Helper()
	out := map[string]asset.Invoice{}
	for inv, err := range c.Invoices.All(context.Background(), biz, nil) {
		require.NoError(t, err)
		_, twice := out[inv.Number]
		require.False(t, twice, "%s was created twice", inv.Number)
		out[inv.Number] = inv
	}
	return out
}

// The process is killed with SIGKILL in the middle of CreateMany, at a
// different point each round, and restarted on its state file: every
// invoice the SDK was told was created is there as it was answered, every
// batch is there whole or not at all, nothing the SDK said failed is
// there, and the lost batches, which the SDK reports as unknown outcomes,
// settle once the server is back.
func TestKilledMidBatch(t *testing.T) {
	state := filepath.Join(t.TempDir(), "asset.state")
	ctx := context.Background()
	const perRound, batch = 1500, 100
	answered := map[string]asset.Invoice{}
	unknownTotal := 0
	defer func() {
		assert.Positive(t, unknownTotal, "the batches in flight at a kill are unknown outcomes")
	}()
	for round, killAfter := range []int{1, 4, 9} {
		p := start(t, "-state", state, "-latency", "20ms", "-rate-limit", "off", "-tenant-rate-limit", "off")
		invoices := make([]asset.InvoiceCreate, perRound)
		for i := range invoices {
			invoices[i] = asset.InvoiceCreate{
				Number: fmt.Sprintf("K%d-%04d", round, i), CustomerExternalID: fmt.Sprintf("erp-%d", i%7),
				Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal(fmt.Sprintf("%d.%02d", i, i%100))}},
			}
		}
		batches := 0
		created, err := p.client(t).Invoices.CreateMany(ctx, biz, invoices, asset.WithProgress(func(asset.Progress) {
			if batches++; batches == killAfter {
				_ = p.cmd.Process.Signal(syscall.SIGKILL)
			}
		}))
		require.Error(t, err, "round %d: the server died before the end", round)
		require.NotEmpty(t, created, "round %d: some batches were answered", round)
		var batchErr *asset.BatchError
		require.ErrorAs(t, err, &batchErr)
		require.Error(t, p.wait(t), "killed")
		t.Logf("round %d: %d created, %d failed", round, len(created), len(batchErr.Failures))

		again := start(t, "-state", state, "-rate-limit", "off", "-tenant-rate-limit", "off")
		c := again.client(t)
		for _, inv := range created {
			answered[inv.Number] = inv
		}
		kept := allInvoices(t, c)
		for number, inv := range answered {
			assert.Equal(t, inv, kept[number], "answered before a kill, so kept as answered")
		}
		unknown := 0
		for _, f := range batchErr.Failures {
			if errors.Is(f.Err, asset.ErrOutcomeUnknown) {
				unknown++
				continue
			}
			assert.NotContains(t, kept, f.Number, "reported as not created: %v", f.Err)
		}
		unknownTotal += unknown
		t.Logf("round %d: %d unknown, %d kept of the round", round, unknown, len(kept)-len(answered))
		for first := 0; first < perRound; first += batch {
			n := 0
			for _, in := range invoices[first : first+batch] {
				if _, ok := kept[in.Number]; ok {
					n++
				}
			}
			assert.Contains(t, []int{0, batch}, n, "round %d: the batch from %d is whole or absent", round, first)
		}
		// The SDK settles the unknown ones now that the server is back.
		var numbers []string
		for _, f := range batchErr.Failures {
			numbers = append(numbers, f.Number)
		}
		found, err := c.Invoices.FindByNumbers(ctx, biz, numbers)
		require.NoError(t, err)
		for _, number := range numbers {
			_, ok := kept[number]
			_, settled := found[number]
			assert.Equal(t, ok, settled, number)
		}
		require.NoError(t, again.cmd.Process.Signal(syscall.SIGTERM))
		require.NoError(t, again.wait(t), "a clean stop; stderr: %s", again.stderr)
	}
}

// admin calls the admin API of the process over plain HTTP, as curl would.
func (p *process) admin(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, p.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+p.env["ASSET_TOKEN"])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// The process serves the API and the admin API on its flags, and a
// restart on the state file goes on from what it held, money included.
func TestProcessKeepsState(t *testing.T) {
	state := filepath.Join(t.TempDir(), "asset.state")
	p := start(t, "-state", state, "-token", "tok_local", "-client-id", "cli_local", "-client-secret", "sec_local", "-rate-limit", "3/1m")
	assert.Equal(t, "tok_local", p.env["ASSET_TOKEN"])
	assert.Equal(t, "cli_local", p.env["ASSET_CLIENT_ID"])
	assert.Equal(t, "sec_local", p.env["ASSET_CLIENT_SECRET"])
	ctx := context.Background()

	status, body := p.admin(t, "POST", "/_assettest/businesses/"+biz+"/transactions", `{"amount": "80.00"}`)
	require.Equal(t, http.StatusCreated, status, body)
	txn := strings.TrimSuffix(strings.TrimPrefix(body, `{"id":"`), `"}`)
	require.True(t, strings.HasPrefix(txn, "txn_"), body)

	c, err := asset.NewClient(asset.WithBaseURL(p.url), asset.WithClientCredentials(asset.ClientCredentials{ClientID: "cli_local", ClientSecret: "sec_local"}))
	require.NoError(t, err)
	invs, err := c.Invoices.Create(ctx, biz, []asset.InvoiceCreate{{Number: "P-1", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("100.00")}}}})
	require.NoError(t, err)
	paid, err := c.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txn})
	require.NoError(t, err)
	assert.Equal(t, "80.00", paid.TotalPaid.String())

	status, body = p.admin(t, "POST", "/_assettest/faults", `{"route": "GET /v0/business/{business_id}/invoice/{invoice_id}", "fault": "status", "status": 503, "retry_after": 0}`)
	require.Equal(t, http.StatusCreated, status, body)
	var resp asset.Response
	_, err = c.Invoices.Get(ctx, biz, invs[0].ID, asset.WithMaxRetries(0), asset.WithResponseInto(&resp))
	require.Error(t, err, "the injected 503")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	status, body = p.admin(t, "GET", "/_assettest/stats", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"GET /v0/business/{business_id}/invoice/{invoice_id}":{"requests":1,"applied":0,"served":0,"rate_limited":0,"faulted":1}`)
	// -rate-limit 3/1m: the create, the payment and this list spend the
	// business's window (the faulted request never reached the limiter).
	_, err = c.Invoices.List(ctx, biz, nil, asset.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.Invoices.List(ctx, biz, nil, asset.WithMaxRetries(0))
	assert.ErrorIs(t, err, asset.ErrRateLimited)

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, p.wait(t), "a clean stop; stderr: %s", p.stderr)
	assert.Contains(t, p.stderr.String(), "stopped")

	again := start(t, "-state", state, "-token", "tok_local")
	c2 := again.client(t)
	got, err := c2.Invoices.Get(ctx, biz, invs[0].ID)
	require.NoError(t, err)
	assert.Equal(t, *paid, *got)
	_, err = c2.Payments.Apply(ctx, biz, asset.InvoicePaymentCreate{InvoiceID: invs[0].ID, TransactionID: txn})
	assert.ErrorIs(t, err, asset.ErrValidation, "the transaction was applied in full before the restart")
}

// A bad state file stops the command with an error naming the file, and
// leaves the file as it was.
func TestBadStateFile(t *testing.T) {
	state := filepath.Join(t.TempDir(), "asset.state")
	require.NoError(t, os.WriteFile(state, []byte("not a state file\n"), 0o600))
	cmd := exec.Command(binary(t, "assettest"), "-addr", "127.0.0.1:0", "-state", state)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "state file "+state+": line 1: not an assettest state file")
	b, err := os.ReadFile(state)
	require.NoError(t, err)
	assert.Equal(t, "not a state file\n", string(b))
}

// The walk-through of docs/testing.md: the import example run twice against one
// server creates each invoice once, the second run finding them all.
func TestImportTwice(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "-state", filepath.Join(dir, "asset.state"))
	csv := "number,customer_external_id,due_date,line_description,quantity,unit_price,amount\n"
	for i := range 250 {
		csv += fmt.Sprintf("INV-%04d,erp-%d,2026-12-31,Consulting,2,%d.50,\n", i, i%9, i)
	}
	file := filepath.Join(dir, "invoices.csv")
	require.NoError(t, os.WriteFile(file, []byte(csv), 0o600))

	for run, want := range []string{"250 created, 0 exist", "0 created, 250 exist"} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, binary(t, "import"), "-file", file)
		cmd.Env = append(os.Environ(), "ASSET_BASE_URL="+p.url, "ASSET_TOKEN="+p.env["ASSET_TOKEN"], "ASSET_BUSINESS_ID="+biz, "TMPDIR="+dir)
		out, err := cmd.CombinedOutput()
		cancel()
		require.NoError(t, err, "run %d: %s", run+1, out)
		assert.Contains(t, string(out), "Imported "+file+": 250 invoices in 250 rows: "+want, "run %d", run+1)
	}
	assert.Len(t, allInvoices(t, p.client(t)), 250)
}
