package soak

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/httpcore"
	"github.com/assetkit/asset-go/internal/wiretest"
)

// The faults below HTTP: loopback servers of internal/wiretest that read a
// change to its end and then break the connection (an HTTP/2 stream reset
// or GOAWAY, TLS answered in plain text, a kept-alive connection closed).
// They hold no state, so they run beside assettest rather than in front of
// it: each change must reach the server exactly once, however the
// transport fails, and be reported as done or unknown, never as refused.

var wireFaults = []wiretest.Fault{wiretest.H2Reset, wiretest.H2GoAway, wiretest.TLSGarbage, wiretest.DropKeptAlive}

var wireNames = map[wiretest.Fault]string{
	wiretest.H2Reset: "HTTP/2 reset", wiretest.H2GoAway: "HTTP/2 GOAWAY",
	wiretest.TLSGarbage: "TLS answered in plain text", wiretest.DropKeptAlive: "kept-alive closed",
}

// wireServerChanges is how many changes a wiretest server takes before it
// is replaced: it accepts a bounded number of connections, and each fault
// costs one.
const wireServerChanges = 60

const wireInvoice = "inv_SoakWire000000000000001"

// wireAnswer is the invoice every wiretest server answers with.
var wireAnswer = []byte(`{"data": {"id": "` + wireInvoice + `", "business_id": "biz_soakWire", "number": "WIRE-1",` +
	` "description": null, "total_amount": 100.00, "total_paid": 0, "status": "open", "source": "manual",` +
	` "lines": [], "payments": []}}`)

type wireSoak struct {
	s       *soak
	rng     *rand.Rand
	servers map[wiretest.Fault]*wireServer
	fired   map[string]int
	calls   int
}

type wireServer struct {
	srv     *wiretest.Server
	tr      *http.Transport
	client  *asset.Client
	changes int
}

func newWireSoak(s *soak) *wireSoak {
	return &wireSoak{s: s, rng: s.rngFor(1 << 41), servers: map[wiretest.Fault]*wireServer{}, fired: map[string]int{}}
}

func (ws *wireSoak) run() {
	for time.Now().Before(ws.s.stopAt) {
		ws.one(wireFaults[ws.rng.IntN(len(wireFaults))])
		// A pause leaves the machine's cores to the workers: a few
		// hundred wire faults a second are plenty.
		time.Sleep(2 * time.Millisecond)
	}
}

// server is a wiretest server with fault and a client of it, a fresh one
// once the last has taken its share of changes.
func (ws *wireSoak) server(fault wiretest.Fault) *wireServer {
	if w := ws.servers[fault]; w != nil && w.changes < wireServerChanges {
		return w
	}
	ws.closeServer(fault)
	srv := wiretest.Start(ws.s.t, fault, wireAnswer)
	tr := httpcore.NewHTTPClient().Transport.(*http.Transport).Clone()
	tr.ForceAttemptHTTP2 = true
	tr.TLSClientConfig = &tls.Config{RootCAs: srv.Roots}
	tr.DialContext = ws.s.conns.dial(tr.DialContext)
	ws.s.mu.Lock()
	ws.s.transports = append(ws.s.transports, tr)
	ws.s.mu.Unlock()
	client, err := asset.NewClient(asset.WithBaseURL(srv.URL), asset.WithToken("soak-wire-token"),
		asset.WithHTTPClient(&http.Client{Transport: tr}), asset.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	if err != nil {
		ws.s.violate("wire client: %v", err)
	}
	w := &wireServer{srv: srv, tr: tr, client: client}
	ws.servers[fault] = w
	return w
}

func (ws *wireSoak) closeServer(fault wiretest.Fault) {
	if w := ws.servers[fault]; w != nil {
		w.tr.CloseIdleConnections()
		w.srv.Close()
		delete(ws.servers, fault)
	}
}

func (ws *wireSoak) close() {
	for _, f := range wireFaults {
		ws.closeServer(f)
	}
}

// one makes one random call through a server with fault and checks what
// reached the server against what the SDK answered.
func (ws *wireSoak) one(fault wiretest.Fault) {
	w := ws.server(fault)
	if w.client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	retries := ws.rng.IntN(5)
	opts := []asset.Option{asset.WithMaxRetries(retries), asset.WithUserID(fmt.Sprintf("usr_wire_%d", ws.rng.IntN(4)))}
	before := w.srv.Applied()
	var err error
	op := ""
	switch ws.rng.IntN(5) {
	case 0:
		op = "pay"
		_, err = w.client.Payments.Apply(ctx, "biz_soakWire", asset.InvoicePaymentCreate{
			InvoiceID: wireInvoice, TransactionID: "txn_SoakWire000000000000001", PaymentAmount: dec(1 + ws.rng.Int64N(10000)),
		}, opts...)
	case 1:
		op = "update"
		_, err = w.client.Invoices.Update(ctx, "biz_soakWire", wireInvoice, asset.InvoiceUpdate{
			Tags: map[string]*string{tagField: asset.TagSet("wire")},
		}, opts...)
	case 2:
		op = "write off"
		_, err = w.client.Invoices.WriteOff(ctx, "biz_soakWire", wireInvoice, asset.InvoiceWriteOff{}, opts...)
	case 3:
		op = "void"
		_, err = w.client.Invoices.Update(ctx, "biz_soakWire", wireInvoice, asset.InvoiceUpdate{Status: asset.InvoiceStatusVoided}, opts...)
	default:
		// A read is safe to send again, and is: given a retry, it must end
		// answered, the server faulting only its first.
		_, err = w.client.Invoices.Get(ctx, "biz_soakWire", wireInvoice, opts...)
		if err != nil && retries > 0 {
			ws.s.violate("wire %s: a read was not answered: %v", wireNames[fault], err)
		}
		return
	}
	ws.calls++
	w.changes++
	o := classify(err)
	reached := w.srv.Applied() - before
	if reached != 1 {
		ws.s.violate("wire %s: %s reached the server %d times, want once (answered %s: %v)", wireNames[fault], op, reached, o, err)
	}
	if o == refused && reached > 0 {
		ws.s.violate("wire %s: %s reached the server and was reported refused: %v", wireNames[fault], op, err)
	}
	if o == unknown {
		ws.fired[wireNames[fault]]++
	}
}

func (ws *wireSoak) summary() string {
	names := make([]string, 0, len(ws.fired))
	for n := range ws.fired {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := []string{fmt.Sprintf("%d changes", ws.calls)}
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %d", n, ws.fired[n]))
	}
	return strings.Join(parts, ", ")
}
