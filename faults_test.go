package asset_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/internal/httpcore"
	"github.com/assetkit/asset-go/internal/wiretest"
)

// The fault matrix runs every call against every fault twice. On assettest
// the fault hits the first try only, so the server's state shows whether a
// retry recovered, or applied a change twice. On a raw handler the fault
// hits every try, so the counts show exactly where the retries stop.

const (
	faultBiz     = "biz_FaultMatrix00000000001"
	faultTries   = 4                // the default: one try and three retries
	faultBound   = 15 * time.Second // a hang, not a speed claim: a loaded machine stretches the tries
	faultMaxBody = 64 << 10         // what an error keeps of a body
)

// faultRace is set when the tests run under the race detector.
var faultRace = wiretest.Race()

// faultHuge is the size of the huge bodies: 10 MiB, or 2 MiB under the race
// detector, which makes moving memory ten times slower. 2 MiB still passes
// every limit 10 MiB tests (the 1 MiB of a pooled buffer, the 256 KiB
// drained for reuse, the 64 KiB an error keeps), and CI's plain run sends
// 10 MiB.
var faultHuge = map[bool]int{false: 10 << 20, true: 2 << 20}[faultRace]

// faultPerTry is the per-try timeout of the cases that wait one out: the
// time a try has to reach the server's handler on a fresh connection,
// beside the matrix's other slow calls, on a loaded machine. Under the race
// detector, with other tests running, that took 7ms at most and 3.5ms for
// 99 tries in 100: the margin is for machines far busier. A read that
// misses it is still counted right (see faultTryCounter); a change's one
// try must not miss it, or the change is not applied, or is sent again.
var faultPerTry = map[bool]time.Duration{false: 250 * time.Millisecond, true: 500 * time.Millisecond}[faultRace]

// faultKind is how a call ended.
type faultKind int

const (
	faultOK faultKind = iota
	faultNet
	faultAPI
	faultDecode
	faultInput // refused before sending
)

// faultOutcome is what a call must end with.
type faultOutcome struct {
	kind     faultKind
	status   int  // APIError status
	unknown  bool // MayHaveApplied and errors.Is(err, ErrOutcomeUnknown)
	requests int  // requests the call's route received
	attempts int  // NetworkError.Attempts, when not zero
	applied  int  // changes the server made (writes only)
	// retryAfter bounds APIError.RetryAfter.
	retryAfterMin, retryAfterMax time.Duration
	timeout                      bool   // the network error is a timeout
	contentType                  string // DecodeError.ContentType holds it
	big                          bool   // the huge body arrived whole (success) or was cut to 64 KiB (error)
}

func faultOkAfter(requests, applied int) faultOutcome {
	return faultOutcome{kind: faultOK, requests: requests, applied: applied}
}

func faultNetErr(requests, attempts int, unknown bool, applied int) faultOutcome {
	return faultOutcome{kind: faultNet, requests: requests, attempts: attempts, unknown: unknown, applied: applied}
}

func faultAPIErr(status, requests int, unknown bool, applied int) faultOutcome {
	return faultOutcome{kind: faultAPI, status: status, requests: requests, unknown: unknown, applied: applied}
}

func faultDecodeErr(requests, applied int) faultOutcome {
	return faultOutcome{kind: faultDecode, requests: requests, applied: applied}
}

func (o faultOutcome) waitBetween(lo, hi time.Duration) faultOutcome {
	o.retryAfterMin, o.retryAfterMax = lo, hi
	return o
}

func (o faultOutcome) timedOut() faultOutcome { o.timeout = true; return o }

func (o faultOutcome) withType(ct string) faultOutcome { o.contentType = ct; return o }

func (o faultOutcome) huge() faultOutcome { o.big = true; return o }

// faultRawFunc answers one faulted request on the raw server.
type faultRawFunc func(w http.ResponseWriter, r *http.Request, x faultRawCtx)

// faultRawCtx is what a raw fault may use.
type faultRawCtx struct {
	apply func()          // records that the change was made
	ok    []byte          // the call's success body
	huge  []byte          // the call's success body with a huge invoice
	quit  <-chan struct{} // closed when the test ends
}

// faultCase is one fault: how to inject it on each server, and what every
// call must end with: on assettest (fake) and the raw handler, for reads and
// for writes.
type faultCase struct {
	name string
	// fake injects the fault on route, whose success body would be canned;
	// nil closes the server instead, so the connection is refused.
	fake     func(srv *assettest.Server, route assettest.Route, canned []byte)
	fakeOpts []assettest.Option
	canned   bool // the fake answers with a canned body instead of its state
	// raw answers every request of the call's route; nil: connection refused.
	raw    faultRawFunc
	perTry bool // clients get a per-try timeout
	// deadline, when set, is the deadline of the call's context, in place
	// of faultDeadline, and the calls run in parallel: under it, a wait
	// for longer than the deadline must not be started.
	deadline time.Duration
	// promise is what a call that runs until its deadline has broken.
	promise string
	drops   bool // the connection is cut: Go may replay a GET on a reused one
	huge    bool // the canned or raw success body holds a huge invoice

	fakeRead, fakeWrite, rawRead, rawWrite faultOutcome
}

var faultHTML = []byte("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n")

var faultHugeHTML = sync.OnceValue(func() []byte {
	return append([]byte("<html><body>"), bytes.Repeat([]byte("<p>upstream error</p>"), faultHuge/21)...)
})

var faultHugeDescription = sync.OnceValue(func() string { return strings.Repeat("x", faultHuge) })

// faultHugeBodies caches the huge bodies, by call and backend: building
// one costs more under the race detector than sending it.
var faultHugeBodies sync.Map

func faultHugeBody(key string, build func(description string) []byte) []byte {
	if b, ok := faultHugeBodies.Load(key); ok {
		return b.([]byte)
	}
	b := build(faultHugeDescription())
	faultHugeBodies.Store(key, b)
	return b
}

func faultWrite(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// faultCut closes the connection at once, with a reset, as a failing
// network does.
func faultCut(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func faultDrain(r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }

// faultStatus answers with status without applying anything.
func faultStatus(status int, header func() http.Header, body []byte) faultRawFunc {
	if body == nil {
		body = []byte(`{"detail": "` + http.StatusText(status) + `"}`)
	}
	return func(w http.ResponseWriter, r *http.Request, _ faultRawCtx) {
		faultDrain(r)
		var h http.Header
		if header != nil {
			h = header()
		}
		faultWrite(w, status, h, body)
	}
}

// faultAppliedThen makes the change and then answers with status, as when a
// proxy loses the answer of a server that did the work.
func faultAppliedThen(status int, header http.Header, body []byte) faultRawFunc {
	if body == nil {
		body = []byte(`{"detail": "` + http.StatusText(status) + `"}`)
	}
	return func(w http.ResponseWriter, r *http.Request, x faultRawCtx) {
		faultDrain(r)
		x.apply()
		faultWrite(w, status, header, body)
	}
}

func faultFail(status int) func(*assettest.Server, assettest.Route, []byte) {
	return func(srv *assettest.Server, route assettest.Route, _ []byte) { srv.FailNext(route, 1, status) }
}

func faultFailWith(f func() assettest.Failure) func(*assettest.Server, assettest.Route, []byte) {
	return func(srv *assettest.Server, route assettest.Route, _ []byte) { srv.FailNextWith(route, 1, f()) }
}

func faultRetryAfter(v func() string) func() http.Header {
	return func() http.Header { return http.Header{"Retry-After": {v()}} }
}

func faultConst(s string) func() string { return func() string { return s } }

func faultDateIn(d time.Duration) func() string {
	return func() string { return time.Now().Add(d).UTC().Format(http.TimeFormat) }
}

func fault429(retryAfter func() string) (func(*assettest.Server, assettest.Route, []byte), faultRawFunc) {
	header := func() http.Header {
		if retryAfter == nil {
			return http.Header{} // not nil: no default Retry-After either
		}
		return faultRetryAfter(retryAfter)()
	}
	fake := faultFailWith(func() assettest.Failure { return assettest.Failure{Status: 429, Header: header()} })
	return fake, faultStatus(429, header, []byte(`{"error": "Rate limit exceeded: 300 per 1 minute"}`))
}

// faultSlow makes the change, then keeps the answer back until the client
// gives up.
func faultSlow(w http.ResponseWriter, r *http.Request, x faultRawCtx) {
	faultDrain(r) // net/http notices the client leaving only once the body is read
	x.apply()
	select {
	case <-r.Context().Done():
	case <-x.quit:
	case <-time.After(10 * time.Second):
	}
	faultWrite(w, 200, nil, x.ok)
}

// faultNoVainWait is the promise of the faults whose wait would pass the
// call's deadline.
const faultNoVainWait = "a wait that would outlast the context's deadline is not started: the 429 comes back at once"

// faultCases are the faults of the matrix. A nil raw means connection
// refused.
func faultCases() []faultCase {
	const t = faultTries
	const year = 365 * 24 * time.Hour
	notRetried := func(status int, applied int) faultOutcome { return faultAPIErr(status, 1, false, applied) }
	retryNone := func(o faultOutcome) faultOutcome { return o.waitBetween(0, 0) }

	s0Fake, s0Raw := fault429(faultConst("0"))
	s30Fake, s30Raw := fault429(faultConst("30"))
	datePastFake, datePastRaw := fault429(faultDateIn(-time.Hour))
	dateAheadFake, dateAheadRaw := fault429(faultDateIn(30 * time.Second))
	noneFake, noneRaw := fault429(nil)
	absurdFake, absurdRaw := fault429(faultConst("1000000000000"))

	cases := []faultCase{
		{
			name: "connection refused", fake: nil, raw: nil,
			fakeRead: faultNetErr(0, t, false, 0), fakeWrite: faultNetErr(0, t, false, 0),
			rawRead: faultNetErr(0, t, false, 0), rawWrite: faultNetErr(0, t, false, 0),
		},
		{
			name: "dropped before the request is read", drops: true,
			fake: func(srv *assettest.Server, route assettest.Route, _ []byte) {
				srv.DropNext(route, 1, assettest.DropBeforeApply)
			},
			raw:      func(w http.ResponseWriter, _ *http.Request, _ faultRawCtx) { faultCut(w) },
			fakeRead: faultOkAfter(2, 0), fakeWrite: faultNetErr(1, 1, true, 0),
			rawRead: faultNetErr(t, t, false, 0), rawWrite: faultNetErr(1, 1, true, 0),
		},
		{
			name: "dropped after the change was applied", drops: true,
			fake: func(srv *assettest.Server, route assettest.Route, _ []byte) {
				srv.DropNext(route, 1, assettest.DropAfterApply)
			},
			raw: func(w http.ResponseWriter, r *http.Request, x faultRawCtx) {
				faultDrain(r)
				x.apply()
				faultCut(w)
			},
			fakeRead: faultOkAfter(2, 0), fakeWrite: faultNetErr(1, 1, true, 1),
			rawRead: faultNetErr(t, t, false, 0), rawWrite: faultNetErr(1, 1, true, 1),
		},
		{
			name: "408", fake: faultFail(408), raw: faultStatus(408, nil, nil),
			fakeRead: faultOkAfter(2, 0), fakeWrite: notRetried(408, 0),
			rawRead: faultAPIErr(408, t, false, 0), rawWrite: notRetried(408, 0),
		},
		{
			name: "429 Retry-After 0 seconds", fake: s0Fake, raw: s0Raw,
			fakeRead: faultOkAfter(2, 0), fakeWrite: faultOkAfter(2, 1),
			rawRead: retryNone(faultAPIErr(429, t, false, 0)), rawWrite: retryNone(faultAPIErr(429, t, false, 0)),
		},
		{
			// The wait would outlast the context's deadline: no use sleeping.
			name: "429 Retry-After 30 seconds, past the deadline", fake: s30Fake, raw: s30Raw,
			deadline: wiretest.Bound, promise: faultNoVainWait,
			fakeRead:  faultAPIErr(429, 1, false, 0).waitBetween(30*time.Second, 30*time.Second),
			fakeWrite: faultAPIErr(429, 1, false, 0).waitBetween(30*time.Second, 30*time.Second),
			rawRead:   faultAPIErr(429, 1, false, 0).waitBetween(30*time.Second, 30*time.Second),
			rawWrite:  faultAPIErr(429, 1, false, 0).waitBetween(30*time.Second, 30*time.Second),
		},
		{
			name: "429 Retry-After an HTTP date passed", fake: datePastFake, raw: datePastRaw,
			fakeRead: faultOkAfter(2, 0), fakeWrite: faultOkAfter(2, 1),
			rawRead: retryNone(faultAPIErr(429, t, false, 0)), rawWrite: retryNone(faultAPIErr(429, t, false, 0)),
		},
		{
			name: "429 Retry-After an HTTP date 30s ahead, past the deadline", fake: dateAheadFake, raw: dateAheadRaw,
			deadline: wiretest.Bound, promise: faultNoVainWait,
			fakeRead:  faultAPIErr(429, 1, false, 0).waitBetween(28*time.Second, 30*time.Second),
			fakeWrite: faultAPIErr(429, 1, false, 0).waitBetween(28*time.Second, 30*time.Second),
			rawRead:   faultAPIErr(429, 1, false, 0).waitBetween(28*time.Second, 30*time.Second),
			rawWrite:  faultAPIErr(429, 1, false, 0).waitBetween(28*time.Second, 30*time.Second),
		},
		{
			// As from a proxy: no Retry-After and no x-ratelimit-reset.
			name: "429 without Retry-After", fake: noneFake, raw: noneRaw,
			fakeOpts: []assettest.Option{assettest.WithoutRateLimit()},
			fakeRead: faultOkAfter(2, 0), fakeWrite: faultOkAfter(2, 1),
			rawRead: retryNone(faultAPIErr(429, t, false, 0)), rawWrite: retryNone(faultAPIErr(429, t, false, 0)),
		},
		{
			name: "429 Retry-After 10^12 seconds", fake: absurdFake, raw: absurdRaw,
			fakeRead:  faultAPIErr(429, 1, false, 0).waitBetween(100*year, 1<<63-1),
			fakeWrite: faultAPIErr(429, 1, false, 0).waitBetween(100*year, 1<<63-1),
			rawRead:   faultAPIErr(429, 1, false, 0).waitBetween(100*year, 1<<63-1),
			rawWrite:  faultAPIErr(429, 1, false, 0).waitBetween(100*year, 1<<63-1),
		},
	}
	for _, status := range []int{500, 502, 503, 504} {
		fake, raw := faultFail(status), faultAppliedThen(status, nil, nil)
		if status == 502 {
			html := http.Header{"Content-Type": {"text/html"}}
			fake = faultFailWith(func() assettest.Failure { return assettest.Failure{Status: 502, Header: html, Body: faultHTML} })
			raw = faultAppliedThen(502, html, faultHTML)
		}
		cases = append(cases, faultCase{
			name: fmt.Sprint(status), fake: fake, raw: raw,
			fakeRead: faultOkAfter(2, 0), fakeWrite: retryNone(faultAPIErr(status, 1, true, 0)),
			rawRead: retryNone(faultAPIErr(status, t, false, 0)), rawWrite: retryNone(faultAPIErr(status, 1, true, 1)),
		})
	}
	html := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	cases = append(cases,
		faultCase{
			name: "slow headers past the per-try timeout", perTry: true,
			fake: func(srv *assettest.Server, route assettest.Route, _ []byte) {
				srv.DelayNext(route, 1, 10*time.Second)
			},
			raw:      faultSlow,
			fakeRead: faultOkAfter(2, 0), fakeWrite: faultNetErr(1, 1, true, 0).timedOut(),
			rawRead: faultNetErr(t, t, false, 0).timedOut(), rawWrite: faultNetErr(1, 1, true, 1).timedOut(),
		},
		faultCase{
			name: "truncated body",
			fake: func(srv *assettest.Server, route assettest.Route, _ []byte) { srv.MalformedNext(route, 1) },
			raw: func(w http.ResponseWriter, r *http.Request, x faultRawCtx) {
				faultDrain(r)
				x.apply()
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", fmt.Sprint(len(x.ok)))
				w.WriteHeader(200)
				_, _ = w.Write(x.ok[:len(x.ok)/2])
				faultCut(w) // flushes what was written, then cuts
			},
			// The fake sends a whole response whose JSON stops half way;
			// the raw server cuts the connection half way through the body,
			// which a read retries like any broken connection.
			fakeRead: faultDecodeErr(1, 0), fakeWrite: faultDecodeErr(1, 1),
			rawRead: faultNetErr(t, t, false, 0), rawWrite: faultDecodeErr(1, 1),
		},
		faultCase{
			name: "malformed JSON",
			fake: faultFailWith(func() assettest.Failure {
				return assettest.Failure{Status: 200, Body: []byte(`{"data": {"id": "inv_x",, "total_amount": 1}`)}
			}),
			raw:      faultAppliedThen(200, nil, []byte(`{"data": {"id": "inv_x",, "total_amount": 1}`)),
			fakeRead: faultDecodeErr(1, 0), fakeWrite: faultDecodeErr(1, 0),
			rawRead: faultDecodeErr(1, 0), rawWrite: faultDecodeErr(1, 1),
		},
		faultCase{
			name: "HTML instead of JSON",
			fake: faultFailWith(func() assettest.Failure {
				return assettest.Failure{Status: 200, Header: html, Body: faultHTML}
			}),
			raw:      faultStatus(200, func() http.Header { return html }, faultHTML),
			fakeRead: faultDecodeErr(1, 0).withType("text/html"), fakeWrite: faultDecodeErr(1, 0).withType("text/html"),
			rawRead: faultDecodeErr(1, 0).withType("text/html"), rawWrite: faultDecodeErr(1, 0).withType("text/html"),
		},
		faultCase{
			name: fmt.Sprintf("%d MiB body", faultHuge>>20), canned: true, huge: true,
			fake: func(srv *assettest.Server, route assettest.Route, canned []byte) {
				srv.FailNextWith(route, 1, assettest.Failure{Status: 200, Body: canned})
			},
			raw: func(w http.ResponseWriter, r *http.Request, x faultRawCtx) {
				faultDrain(r)
				x.apply()
				faultWrite(w, 200, nil, x.huge)
			},
			fakeRead: faultOkAfter(1, 0).huge(), fakeWrite: faultOkAfter(1, 0).huge(),
			rawRead: faultOkAfter(1, 0).huge(), rawWrite: faultOkAfter(1, 1).huge(),
		},
		faultCase{
			name: fmt.Sprintf("%d MiB error page", faultHuge>>20),
			fake: faultFailWith(func() assettest.Failure {
				return assettest.Failure{Status: 503, Header: html, Body: faultHugeHTML()}
			}),
			raw:      faultAppliedThen(503, html, faultHugeHTML()),
			fakeRead: faultOkAfter(2, 0), fakeWrite: retryNone(faultAPIErr(503, 1, true, 0)).huge(),
			rawRead: retryNone(faultAPIErr(503, t, false, 0)).huge(), rawWrite: retryNone(faultAPIErr(503, 1, true, 1)).huge(),
		},
		faultCase{
			name: "wrong Content-Type", canned: true,
			fake: func(srv *assettest.Server, route assettest.Route, canned []byte) {
				srv.FailNextWith(route, 1, assettest.Failure{Status: 200, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: canned})
			},
			raw: func(w http.ResponseWriter, r *http.Request, x faultRawCtx) {
				faultDrain(r)
				x.apply()
				faultWrite(w, 200, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, x.ok)
			},
			fakeRead: faultOkAfter(1, 0), fakeWrite: faultOkAfter(1, 0),
			rawRead: faultOkAfter(1, 0), rawWrite: faultOkAfter(1, 1),
		},
	)
	return cases
}

// faultEnv is how a run of the matrix sets up its clients.
type faultEnv struct {
	token string // the bearer token; empty: a default
	// creds makes the client use client credentials; faultToken puts the
	// fault on the token endpoint instead of the call.
	creds, faultToken bool
	clientID, secret  string
	opts              []asset.Option
}

// faultResult is what one call did.
type faultResult struct {
	items    []item
	err      error
	panicked any
	elapsed  time.Duration
	requests int // requests of the call's route
	applied  int // changes the server counted
	state    int // changes visible in the fake's state; -1 on the raw server
	stray    int // raw: requests to an unexpected route
	// outlived is set when the call's context ended before the call did.
	outlived bool
	tries    int // raw: tries of the faulted route the client sent
}

// faultDeadline is the deadline of a call: far past any fault's tries on a
// loaded machine.
const faultDeadline = 20 * time.Second

// faultInTime is the promise of every call of the matrix.
const faultInTime = "every fault ends the call before its deadline"

// faultRun runs one call of the matrix, which must not run until its
// deadline: that breaks promise (faultInTime when empty), and every later
// call under it fails at once instead of waiting for its own deadline.
func faultRun(t *testing.T, promise string, run func() faultResult) faultResult {
	t.Helper()
	if promise == "" {
		promise = faultInTime
	}
	p := wiretest.Promise(promise)
	p.Check(t)
	res := run()
	if res.outlived {
		p.Break(t, "the call ran until its deadline, and ended with %v", res.err)
	}
	return res
}

// call runs c with a deadline of faultDeadline.
func (c endpoint) call(ctx context.Context, client *asset.Client, ids endpointIDs) faultResult {
	return c.callWithin(ctx, client, ids, faultDeadline)
}

// callWithin runs c with a deadline of d, or faultDeadline when d is zero.
func (c endpoint) callWithin(ctx context.Context, client *asset.Client, ids endpointIDs, d time.Duration) (res faultResult) {
	if d == 0 {
		d = faultDeadline
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	defer func() {
		res.elapsed = time.Since(start)
		if p := recover(); p != nil {
			res.panicked = p
		}
	}()
	res.items, res.err = c.run(ctx, client, ids)
	res.outlived = ctx.Err() != nil
	return res
}

// faultFake runs call on assettest with the fault injected.
func faultFake(t *testing.T, fc faultCase, call endpoint, env faultEnv) faultResult {
	t.Helper()
	opts := append([]assettest.Option(nil), fc.fakeOpts...)
	if env.token != "" {
		opts = append(opts, assettest.WithToken(env.token))
	}
	if env.creds {
		opts = append(opts, assettest.WithClientCredentials(env.clientID, env.secret))
	}
	srv := assettest.NewServer(opts...)
	t.Cleanup(srv.Close)
	ctx := context.Background()

	setupClient := srv.Client()
	invs, err := setupClient.Invoices.Create(ctx, faultBiz, []asset.InvoiceCreate{
		{Number: "FM-1", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("100")}}},
		{Number: "FM-2", Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("100")}}},
	})
	require.NoError(t, err)
	inv := invs[0].ID
	ids := endpointIDs{invoice: inv, txn: srv.AddTransaction(faultBiz, asset.MustDecimal("50"))}
	if setup := call.resource().setup; setup != nil {
		setup(t, ctx, srv, setupClient, &ids)
	}
	srv.ResetStats()

	copts := []asset.Option{asset.WithRetryWait(time.Millisecond, 5*time.Millisecond)}
	if fc.perTry {
		copts = append(copts, asset.WithHTTPClient(&http.Client{Transport: srv.HTTPClient().Transport, Timeout: faultPerTry}))
	}
	if env.creds {
		copts = append(copts, asset.WithClientCredentials(srv.ClientCredentials()))
	}
	if fc.fake == nil {
		// Not the closed server's own port: another test's server could be
		// given it.
		copts = append(copts, asset.WithBaseURL(wiretest.RefusedURL(t)))
	}
	client := srv.Client(append(copts, env.opts...)...)

	route := call.route
	if env.faultToken {
		route = assettest.RouteToken
	}
	cannedBody := func(desc string) []byte {
		return call.envelope(call.itemJSON("inv_FaultCanned0000000000001", desc))
	}
	canned := cannedBody("")
	switch {
	case env.faultToken:
		canned = []byte(`{"access_token": "` + srv.Token() + `", "token_type": "bearer", "expires_in": 3600}`)
	case fc.huge:
		canned = faultHugeBody("fake "+call.name, cannedBody)
	}
	if fc.fake == nil {
		srv.Close()
	} else {
		fc.fake(srv, route, canned)
	}

	res := faultRun(t, fc.promise, func() faultResult { return call.callWithin(ctx, client, ids, fc.deadline) })
	st := srv.Stats(call.route)
	res.requests, res.applied, res.state = st.Requests, st.Applied, -1
	got, _ := srv.Invoice(faultBiz, inv)
	switch call.route {
	case assettest.RouteCreateInvoices:
		res.state = len(srv.Invoices(faultBiz)) - 2
	case assettest.RouteUpdateInvoice:
		res.state = len(got.Lines) - 1
		// Each applied update adds a line of 10 to the total of 100.
		want := asset.MustDecimal("100").Add(asset.MustDecimal("10").Mul(asset.DecimalFromInt(int64(res.state))))
		assert.True(t, want.Equal(got.TotalAmount), "total %s after %d updates", got.TotalAmount, res.state)
	case assettest.RouteWriteOff, assettest.RouteApplyPayment:
		res.state = len(got.Payments)
		paid := asset.DecimalFromInt(0)
		for _, p := range got.Payments {
			paid = paid.Add(p.PaymentAmount)
		}
		assert.True(t, paid.Equal(got.TotalPaid), "total_paid %s, payments sum to %s", got.TotalPaid, paid)
	case assettest.RouteCreateCreditMemos:
		res.state = len(srv.CreditMemos(faultBiz)) - 2
		credit, _ := srv.CreditRemaining(faultBiz, faultCustomer)
		want := asset.MustDecimal("30").Add(asset.MustDecimal("10").Mul(asset.DecimalFromInt(int64(res.state))))
		assert.True(t, want.Equal(credit), "credit %s after %d memos of 10 on one of 30", credit, res.state)
	case assettest.RouteVoidCreditMemo:
		var m asset.CreditMemo
		for _, m = range srv.CreditMemos(faultBiz) {
			if m.ID == ids.memo {
				break
			}
		}
		credit, _ := srv.CreditRemaining(faultBiz, faultCustomer)
		res.state = map[bool]int{true: 1}[m.Voided]
		assert.Equal(t, map[bool]string{true: "0", false: "30"}[m.Voided], credit.String(), "the pool after %d voids", res.state)
	case assettest.RouteCreateCustomer:
		res.state = len(srv.Customers(faultBiz)) - 2
	case assettest.RouteCreateTransactions:
		// Every call gets one transaction of 50, the setup one of 5; each
		// batch applied adds one of 10.
		res.state = len(srv.Transactions(faultBiz)) - 2
		sum := asset.DecimalFromInt(0)
		for _, tx := range srv.Transactions(faultBiz) {
			sum = sum.Add(tx.Amount)
		}
		want := asset.MustDecimal("55").Add(asset.MustDecimal("10").Mul(asset.DecimalFromInt(int64(res.state))))
		assert.True(t, want.Equal(sum), "transactions sum to %s after %d batches", sum, res.state)
	case assettest.RouteCreateRefund:
		res.state = len(srv.Refunds(faultBiz)) - 2
	case assettest.RouteApplyRefundPayment:
		r, _ := srv.Refund(faultBiz, ids.refund)
		res.state = len(r.Payments)
		paid := asset.DecimalFromInt(0)
		for _, p := range r.Payments {
			paid = paid.Add(p.Amount)
		}
		assert.True(t, paid.Equal(r.AmountPaid), "amount_paid %s, payments sum to %s", r.AmountPaid, paid)
	}
	return res
}

// faultTryCounter counts the tries the client hands its transport for the
// faulted route. A try that its timeout ended before the server's handler
// ran, on a loaded machine, is missing from the server's count; it is a try
// all the same.
type faultTryCounter struct {
	next  http.RoundTripper
	count func(*http.Request) bool
	mu    sync.Mutex
	n     int
}

func (c *faultTryCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.count(r) {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
	return c.next.RoundTrip(r)
}

func (c *faultTryCounter) tries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// faultRawServer is a handler that answers the call's route with a fault
// and counts what it did.
type faultRawServer struct {
	mu                       sync.Mutex
	requests, applied, stray int
}

func (s *faultRawServer) add(n *int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*n++
}

// faultRaw runs call against a raw handler that faults every request.
func faultRaw(t *testing.T, fc faultCase, call endpoint, env faultEnv) faultResult {
	t.Helper()
	const inv = "inv_RawFault0000000000000001"
	token := env.token
	if token == "" {
		token = "tok_raw_fault_matrix"
	}
	quit := make(chan struct{})
	okBody := func(desc string) []byte { return call.envelope(call.itemJSON(inv, desc)) }
	if call.walk {
		// The second page of the walk, the one the fault hits.
		okBody = func(desc string) []byte {
			return []byte(`{"data": [` + call.itemJSON("inv_RawFault0000000000000002", desc) +
				`], "pagination": {"next_page_token": null, "previous_page_token": "pg_1"}}`)
		}
	}
	ok := okBody("")
	var huge []byte
	if fc.huge {
		huge = faultHugeBody("raw "+call.name, okBody)
	}
	faulted := call.route
	if env.faultToken {
		faulted = assettest.RouteToken
	}
	// faultedRequest is a request the fault hits, as the server counts it.
	faultedRequest := func(r *http.Request) bool {
		if r.Method+" "+r.URL.Path != routePath(faulted, rawIDs) {
			return false
		}
		return !call.walk || faulted != call.route || r.URL.Query().Get("page_token") != ""
	}
	rs := &faultRawServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		switch {
		case key == routePath(assettest.RouteToken, rawIDs) && faulted != assettest.RouteToken:
			faultDrain(r)
			faultWrite(w, 200, nil, []byte(`{"access_token": "`+token+`", "token_type": "bearer", "expires_in": 3600}`))
			return
		case key != routePath(call.route, rawIDs) && key != routePath(faulted, rawIDs):
			rs.add(&rs.stray)
			faultWrite(w, 404, nil, []byte(`{"detail": "Not Found"}`))
			return
		case call.walk && r.URL.Query().Get("page_token") == "" && faulted == call.route:
			// The walk's first page is served; the fault hits the next.
			faultDrain(r)
			faultWrite(w, 200, nil, []byte(`{"data": [`+call.itemJSON(inv, "")+
				`], "pagination": {"next_page_token": "pg_2", "previous_page_token": null}}`))
			return
		case key == routePath(call.route, rawIDs) && faulted != call.route:
			rs.add(&rs.requests)
			faultDrain(r)
			rs.add(&rs.applied)
			faultWrite(w, 200, nil, ok)
			return
		}
		if faulted == call.route {
			rs.add(&rs.requests)
		}
		x := faultRawCtx{apply: func() { rs.add(&rs.applied) }, ok: ok, huge: huge, quit: quit}
		if faulted == assettest.RouteToken {
			x.ok = []byte(`{"access_token": "` + token + `", "token_type": "bearer", "expires_in": 3600}`)
			x.huge = x.ok
		}
		fc.raw(w, r, x)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(quit) }) // runs first, ending slow handlers

	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	counter := &faultTryCounter{next: transport, count: faultedRequest}
	hc := &http.Client{Transport: counter}
	if fc.perTry {
		hc.Timeout = faultPerTry
	}
	base := srv.URL
	if fc.raw == nil {
		base = wiretest.RefusedURL(t)
	}
	opts := []asset.Option{
		asset.WithBaseURL(base), asset.WithHTTPClient(hc), asset.WithToken(token),
		asset.WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}
	if env.creds {
		opts = append(opts, asset.WithClientCredentials(asset.ClientCredentials{ClientID: env.clientID, ClientSecret: env.secret}))
	}
	client, err := asset.NewClient(append(opts, env.opts...)...)
	require.NoError(t, err)

	res := faultRun(t, fc.promise, func() faultResult {
		return call.callWithin(context.Background(), client, rawIDs, fc.deadline)
	})
	rs.mu.Lock()
	defer rs.mu.Unlock()
	res.requests, res.applied, res.stray, res.state = rs.requests, rs.applied, rs.stray, -1
	res.tries = counter.tries()
	return res
}

// TestFaultMatrix also proves that no credential leaks, whatever fails:
// the fake is called with a static token, the raw server through client
// credentials, and every error and log line is searched for them.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, fc := range faultCases() {
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel() // each call has a server of its own
			for _, call := range endpoints {
				if fc.huge && !call.firstOfItsShape() {
					continue // a huge body is read alike by every call of a shape
				}
				t.Run("assettest/"+call.name, func(t *testing.T) {
					if fc.huge || fc.perTry || fc.deadline > 0 {
						t.Parallel() // slow, and alike in every call
					}
					want := fc.fakeRead
					if call.write {
						want = fc.fakeWrite
					}
					log, logOpt := leakLogger()
					res := faultFake(t, fc, call, faultEnv{token: leakToken, opts: []asset.Option{logOpt}})
					// A successful walk reads the fake's second page too,
					// unless a canned page without a next token stood in.
					items, extra := 1, 0
					switch {
					case call.walk && want.kind == faultOK && !fc.canned:
						items, extra = 2, 1
					case call.fakeItems > 0 && !fc.canned:
						items = call.fakeItems
					}
					want.requests += extra
					faultCheck(t, call, want, res, items, 0, 0)
					leakCheck(t, res, log, leakToken)
				})
				t.Run("raw/"+call.name, func(t *testing.T) {
					if fc.huge || fc.perTry || fc.deadline > 0 {
						t.Parallel()
					}
					want := fc.rawRead
					if call.write {
						want = fc.rawWrite
					}
					log, logOpt := leakLogger()
					res := faultRaw(t, fc, call, faultEnv{
						creds: true, clientID: leakClientID, secret: leakSecret, token: leakIssued,
						opts: []asset.Option{logOpt},
					})
					items, before, replay := 1, 0, 0
					if call.walk && fc.raw != nil {
						items, before = 2, 1 // the first page came before the fault
					}
					if fc.drops && !call.write {
						// The token request or the walk's first page left a
						// connection that Go may reuse, and replay on.
						replay = 1
					}
					assert.LessOrEqual(t, res.requests, res.tries+replay, "requests the server received, of the tries sent")
					if fc.perTry {
						// A try that its timeout ended before the server's
						// handler ran never reached the server's count.
						res.requests = res.tries
					}
					assert.Zero(t, res.stray, "requests to other routes")
					faultCheck(t, call, want, res, items, before, replay)
					leakCheck(t, res, log, leakSecret, leakIssued)
				})
			}
		})
	}
}

// faultCheck asserts that res is the outcome want. items is how many
// invoices a success returns, before how many a failed call yields before
// its error, replay how many requests Go's transport may have added.
func faultCheck(t *testing.T, call endpoint, want faultOutcome, res faultResult, items, before, replay int) {
	t.Helper()
	require.Nil(t, res.panicked, "the call panicked")
	assert.Less(t, res.elapsed, faultBound, "the call took too long")
	assert.GreaterOrEqual(t, res.requests, want.requests, "requests the server received")
	assert.LessOrEqual(t, res.requests, want.requests+replay, "requests the server received")
	if call.write {
		assert.Equal(t, want.applied, res.applied, "changes the server applied")
		if res.state >= 0 {
			assert.Equal(t, res.applied, res.state, "the server's state shows every change it counted, once")
		}
	}
	err := res.err
	if !call.write {
		assert.NotErrorIs(t, err, asset.ErrOutcomeUnknown, "a read changes nothing")
	}
	if want.kind == faultOK {
		require.NoError(t, err)
		require.Len(t, res.items, items)
		if want.big {
			assert.Len(t, res.items[len(res.items)-1].Text, faultHuge)
		}
		return
	}
	require.Error(t, err)
	assert.Len(t, res.items, before, "invoices yielded before the error")
	unknown := want.unknown
	if want.kind == faultDecode && call.write {
		// The server answered success to a change: it most likely applied
		// it, but what it did cannot be read.
		unknown = true
	}
	assert.Equal(t, unknown, errors.Is(err, asset.ErrOutcomeUnknown), "errors.Is(err, ErrOutcomeUnknown): %v", err)
	var netErr *asset.NetworkError
	var apiErr *asset.APIError
	var decErr *asset.DecodeError
	switch want.kind {
	case faultNet:
		require.ErrorAs(t, err, &netErr)
		assert.Equal(t, want.unknown, netErr.MayHaveApplied)
		if want.attempts > 0 {
			assert.Equal(t, want.attempts, netErr.Attempts, "attempts")
		}
		if want.timeout {
			var ne net.Error
			assert.True(t, errors.As(err, &ne) && ne.Timeout(), "a timeout: %v", err)
		}
		assert.False(t, errors.As(err, &apiErr) || errors.As(err, &decErr))
	case faultAPI:
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, want.status, apiErr.StatusCode)
		assert.Equal(t, want.status == 429, errors.Is(err, asset.ErrRateLimited), "ErrRateLimited")
		assert.Equal(t, want.status >= 500, errors.Is(err, asset.ErrServer), "ErrServer")
		assert.GreaterOrEqual(t, apiErr.RetryAfter, want.retryAfterMin, "RetryAfter")
		assert.LessOrEqual(t, apiErr.RetryAfter, want.retryAfterMax, "RetryAfter")
		assert.LessOrEqual(t, len(apiErr.Body), faultMaxBody)
		if want.big {
			assert.Len(t, apiErr.Body, faultMaxBody, "a huge error body is kept in part")
		}
		assert.Less(t, len(err.Error()), 1024, "the message stays short: %.200s", err)
	case faultInput:
		var inErr *asset.InputError
		require.ErrorAs(t, err, &inErr)
		assert.ErrorIs(t, err, asset.ErrValidation)
	case faultDecode:
		require.ErrorAs(t, err, &decErr)
		assert.ErrorIs(t, err, asset.ErrInvalidReply)
		assert.True(t, decErr.StatusCode >= 200 && decErr.StatusCode < 300, "status %d", decErr.StatusCode)
		assert.LessOrEqual(t, len(decErr.Body), faultMaxBody)
		assert.Contains(t, decErr.ContentType, want.contentType)
		assert.False(t, errors.As(err, &apiErr) || errors.As(err, &netErr))
	}
}

// faultWireCase is a fault below HTTP, on a loopback server that speaks TLS
// and HTTP/2 as the API does, reached through the SDK's default transport.
// The fault hits every change, and the first request of a read.
type faultWireCase struct {
	name  string
	fault wiretest.Fault
	// proxy is the URL of the proxy requests go through to a host they
	// never reach; nil: no proxy, straight to the faulty server.
	proxy func(t *testing.T) string
	opts  []asset.Option
	slow  bool // every try waits out its timeout: the calls run in parallel

	read, write faultOutcome
}

func faultWireCases() []faultWireCase {
	const t = faultTries
	return []faultWireCase{
		{
			name: "HTTP/2 stream reset after the change was applied", fault: wiretest.H2Reset,
			read: faultOkAfter(2, 0), write: faultNetErr(1, 1, true, 1),
		},
		{
			name: "HTTP/2 GOAWAY with last stream 0 after the change was applied", fault: wiretest.H2GoAway,
			read: faultOkAfter(2, 0), write: faultNetErr(1, 1, true, 1),
		},
		{
			name: "TLS answered in plain text after the change was applied", fault: wiretest.TLSGarbage,
			read: faultOkAfter(2, 0), write: faultNetErr(1, 1, true, 1),
		},
		{
			// net/http would send a change with this header again on a
			// kept-alive connection that died after the write.
			name: "Idempotency-Key header", fault: wiretest.DropKeptAlive,
			opts: []asset.Option{asset.WithHeader("Idempotency-Key", "key-1")},
			read: faultOutcome{kind: faultInput}, write: faultOutcome{kind: faultInput},
		},
		{
			name: "HTTPS proxy down", proxy: func(t *testing.T) string { return wiretest.DeadProxy(t) },
			read: faultNetErr(0, t, false, 0), write: faultNetErr(0, t, false, 0),
		},
		{
			name: "HTTPS proxy refuses the CONNECT with 407", proxy: faultProxy(wiretest.ProxyAuthRequired),
			read: faultNetErr(0, t, false, 0), write: faultNetErr(0, t, false, 0),
		},
		{
			name: "HTTPS proxy refuses the CONNECT with 502", proxy: faultProxy(wiretest.ProxyBadGateway),
			read: faultNetErr(0, t, false, 0), write: faultNetErr(0, t, false, 0),
		},
		{
			name: "HTTPS proxy closes the connection after the CONNECT", proxy: faultProxy(wiretest.ProxyCloseAfterConnect),
			read: faultNetErr(0, t, false, 0), write: faultNetErr(0, t, false, 0),
		},
		{
			name: "HTTPS proxy stalls after the CONNECT", proxy: faultProxy(wiretest.ProxyStall),
			// Whether a try ends before or after the proxy reads its
			// CONNECT, nothing reaches the server: any timeout will do.
			opts: []asset.Option{asset.WithAttemptTimeout(100 * time.Millisecond)}, slow: true,
			read: faultNetErr(0, t, false, 0).timedOut(), write: faultNetErr(0, t, false, 0).timedOut(),
		},
	}
}

// faultProxy starts a proxy that takes the connection and fails the
// CONNECT with fault.
func faultProxy(fault wiretest.ProxyFault) func(t *testing.T) string {
	return func(t *testing.T) string { return wiretest.StartProxy(t, fault).URL }
}

// faultWire runs call against a wiretest server with fc's fault.
func faultWire(t *testing.T, fc faultWireCase, call endpoint, logOpt asset.Option) faultResult {
	t.Helper()
	const inv = "inv_RawFault0000000000000001"
	tr := httpcore.NewHTTPClient().Transport.(*http.Transport).Clone()
	tr.ForceAttemptHTTP2 = true
	t.Cleanup(tr.CloseIdleConnections)
	base, srv := "https://api.sandbox.invalid", (*wiretest.Server)(nil)
	if fc.proxy != nil {
		proxy, err := url.Parse(fc.proxy(t))
		require.NoError(t, err)
		tr.Proxy = http.ProxyURL(proxy)
	} else {
		srv = wiretest.Start(t, fc.fault, call.envelope(call.itemJSON(inv, "")))
		base = srv.URL
		tr.TLSClientConfig = &tls.Config{RootCAs: srv.Roots}
	}
	opts := append([]asset.Option{
		asset.WithBaseURL(base), asset.WithHTTPClient(&http.Client{Transport: tr}), asset.WithToken(leakToken),
		asset.WithRetryWait(time.Millisecond, 5*time.Millisecond), logOpt,
	}, fc.opts...)
	client, err := asset.NewClient(opts...)
	if err != nil {
		return faultResult{err: err, state: -1}
	}
	res := faultRun(t, "", func() faultResult { return call.call(context.Background(), client, rawIDs) })
	res.state = -1
	if srv != nil {
		res.requests, res.applied = srv.Requests(), srv.Applied()
	}
	return res
}

// TestFaultMatrixTransport runs every call against the faults below HTTP:
// a change the server applied is never sent again, by net/http or by the
// SDK, and is reported as maybe applied; a change that never left is
// retried and reported as not applied.
func TestFaultMatrixTransport(t *testing.T) {
	t.Parallel()
	for _, fc := range faultWireCases() {
		t.Run(fc.name, func(t *testing.T) {
			for _, call := range endpoints {
				t.Run(call.name, func(t *testing.T) {
					if fc.slow {
						t.Parallel()
					}
					want := fc.read
					if call.write {
						want = fc.write
					}
					log, logOpt := leakLogger()
					res := faultWire(t, fc, call, logOpt)
					faultCheck(t, call, want, res, 1, 0, 0)
					if want.kind != faultInput {
						leakCheck(t, res, log, leakToken)
					}
				})
			}
		})
	}
}
