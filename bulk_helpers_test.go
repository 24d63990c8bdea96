package asset_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
)

const bulkBiz = "biz_Bulk00000000000000000001"

// bulkInput is n valid invoices numbered prefix-0, prefix-1 ...
func bulkInput(prefix string, n int) []asset.InvoiceCreate {
	in := make([]asset.InvoiceCreate, n)
	for i := range in {
		in[i] = asset.InvoiceCreate{
			Number:             fmt.Sprintf("%s-%d", prefix, i),
			CustomerExternalID: "erp-42",
			Lines:              []asset.InvoiceLineCreate{{Description: "Service", Amount: asset.MustDecimal("12.50")}},
		}
	}
	return in
}

// requireAccounted checks what CreateMany promises whatever happened: each
// invoice of input is either created or a failure, never both nor twice,
// and the created ones come in the input's order. It returns the failures.
func requireAccounted(t *testing.T, input []asset.InvoiceCreate, created []asset.Invoice, err error) []asset.BatchFailure {
	t.Helper()
	var failures []asset.BatchFailure
	if err != nil {
		var batchErr *asset.BatchError
		require.ErrorAs(t, err, &batchErr)
		failures = batchErr.Failures
	}
	index := make(map[string]int, len(input))
	for i, inv := range input {
		index[inv.Number] = i
	}
	where := make([]string, len(input))
	last := -1
	for _, inv := range created {
		i, ok := index[inv.Number]
		require.True(t, ok, "created %q, which is not in the input", inv.Number)
		require.Empty(t, where[i], "invoice %d reported twice", i)
		require.Greater(t, i, last, "created %q out of the input's order", inv.Number)
		require.NotEmpty(t, inv.ID)
		where[i], last = "created", i
	}
	for _, f := range failures {
		require.True(t, f.Index >= 0 && f.Index < len(input), "failure %+v indexes nothing", f)
		require.Equal(t, input[f.Index].Number, f.Number, "failure %d", f.Index)
		require.Empty(t, where[f.Index], "invoice %d reported twice", f.Index)
		require.NotEmpty(t, f.Message, "failure %d", f.Index)
		where[f.Index] = "failed"
	}
	for i, w := range where {
		require.NotEmpty(t, w, "invoice %d (%s) is neither created nor a failure", i, input[i].Number)
	}
	return failures
}

// requireOnServerOnce checks that each number of input is on the server at
// most once, and that the server holds want invoices in all.
func requireOnServerOnce(t *testing.T, srv *assettest.Server, want int) map[string]bool {
	t.Helper()
	on := map[string]bool{}
	for _, inv := range srv.Invoices(bulkBiz) {
		require.False(t, on[inv.Number], "%s created twice", inv.Number)
		on[inv.Number] = true
	}
	require.Len(t, on, want, "invoices on the server")
	return on
}

// progressLog records WithProgress's calls, and whether two ever overlapped.
type progressLog struct {
	mu       sync.Mutex
	calls    []asset.Progress
	inside   atomic.Int32
	overlaps atomic.Int32
}

func (p *progressLog) record(pr asset.Progress) {
	if p.inside.Add(1) > 1 {
		p.overlaps.Add(1)
	}
	defer p.inside.Add(-1)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, pr)
}

// requireConsistent checks that the calls never overlapped, only moved
// forward, and ended at total with created and failed as returned.
func (p *progressLog) requireConsistent(t *testing.T, total, created, failed int) {
	t.Helper()
	require.Zero(t, p.overlaps.Load(), "progress calls overlapped")
	require.NotEmpty(t, p.calls)
	var prev asset.Progress
	for _, c := range p.calls {
		require.Equal(t, total, c.Total)
		require.Greater(t, c.Done, prev.Done, "progress %+v after %+v", c, prev)
		require.GreaterOrEqual(t, c.Created, prev.Created)
		require.GreaterOrEqual(t, c.Failed, prev.Failed)
		require.Equal(t, c.Done, c.Created+c.Failed, "progress %+v", c)
		prev = c
	}
	require.Equal(t, asset.Progress{Done: total, Total: total, Created: created, Failed: failed}, prev)
}

// inFlight is a transport that counts the requests in flight at once.
type inFlight struct {
	next      http.RoundTripper
	now, peak atomic.Int32
}

func (f *inFlight) RoundTrip(r *http.Request) (*http.Response, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return f.next.RoundTrip(r)
}

// rewriting is a proxy in front of srv that hands each answer to rewrite
// before the client sees it: a server that words, orders or leaves out
// things as assettest does not. A connection srv dropped is dropped.
func rewriting(t *testing.T, srv *assettest.Server, rewrite func(r *http.Request, status int, body []byte) []byte) *asset.Client {
	t.Helper()
	upstream := srv.HTTPClient()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := http.NewRequestWithContext(r.Context(), r.Method, srv.URL+r.URL.RequestURI(), r.Body)
		if err != nil {
			panic(err)
		}
		out.Header = r.Header.Clone()
		resp, err := upstream.Do(out)
		if err != nil {
			conn, _, herr := http.NewResponseController(w).Hijack()
			if herr == nil {
				_ = conn.Close()
			}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			panic(err)
		}
		for k, v := range resp.Header {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(rewrite(r, resp.StatusCode, body))
	}))
	t.Cleanup(proxy.Close)
	c, err := asset.NewClient(asset.WithBaseURL(proxy.URL), asset.WithToken(srv.Token()),
		asset.WithRetryWait(time.Millisecond, 20*time.Millisecond))
	require.NoError(t, err)
	return c
}

// rewordDuplicates is a rewrite that words the refusal of a number in use
// as assettest does not.
func rewordDuplicates(_ *http.Request, _ int, body []byte) []byte {
	return regexp.MustCompile(`An? [a-z ]+ with number \\"[^"\\]*\\" already exists`).
		ReplaceAll(body, []byte(`Nummer bereits vergeben`))
}

// editBatchAnswer is a rewrite of the answers to batch creates: edit gets
// the created invoices as sent and returns those the client sees.
func editBatchAnswer(edit func(data []json.RawMessage) []json.RawMessage) func(*http.Request, int, []byte) []byte {
	return func(r *http.Request, status int, body []byte) []byte {
		if r.Method != http.MethodPost || status != http.StatusCreated {
			return body
		}
		var env map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err != nil {
			panic(err)
		}
		var data []json.RawMessage
		if err := json.Unmarshal(env["data"], &data); err != nil {
			panic(err)
		}
		env["data"], _ = json.Marshal(edit(data))
		out, _ := json.Marshal(env)
		return out
	}
}
