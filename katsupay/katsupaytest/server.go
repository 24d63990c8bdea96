// Package katsupaytest runs a fake Katsu Pay deployment over HTTP on the
// loopback interface, for tests and examples. It answers POST
// /api/v1/Invoice/Create with Katsu Pay's {succeeded, message, errors, data}
// envelope, checks the credentials and the body it is sent, and can be told
// to fail in the ways a real deployment can.
//
// Katsu Pay's docs say the endpoint takes no credentials, but a deployment
// may want those of sibling Katsu endpoints; by default the server expects
// both a bearer token and a service key, and WithToken("") and
// WithServiceKey("", "") make it accept requests without them.
//
// # Lost answers
//
// Katsu Pay has no idempotency key, so code that creates invoices must
// decide what to do when an answer is lost: katsupay then reports
// asset.ErrOutcomeUnknown and the invoice may or may not exist. A Fault with
// AfterCreate creates the invoice and then loses the answer, so that a test
// can check that the invoice is looked for, not created twice:
//
//	srv.FailNext(katsupaytest.Fault{Drop: true, AfterCreate: true})
//	_, err := client.Invoices.Create(ctx, inv)
//	// errors.Is(err, asset.ErrOutcomeUnknown), and len(srv.Invoices()) == 1
package katsupaytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/uuid"
	"github.com/assetkit/asset-go/katsupay"
)

// The credentials a Server expects unless told otherwise.
const (
	Token   = "katsupaytest-token"
	APIKey  = "katsupaytest-api-key"
	APICode = "katsupaytest-api-code"
)

// createPath is the one endpoint the fake serves.
const createPath = "/api/v1/Invoice/Create"

// acceptedTypes are the request Content-Types Katsu's docs list for the
// endpoint, all read as JSON.
var acceptedTypes = map[string]bool{"application/json": true, "text/json": true, "text/plain": true}

// Server is a fake Katsu Pay deployment. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to give katsupay.NewClient, e.g.
	// "http://127.0.0.1:41234".
	URL string

	srv             *httptest.Server
	token           string
	apiKey, apiCode string

	mu       sync.Mutex
	faults   []Fault
	invoices []Invoice
	requests int
}

// Option configures a Server given to NewServer, as the options of
// packages asset and assettest do. The zero Option does nothing.
type Option struct {
	apply func(*Server)
}

// WithToken makes the server expect this bearer token (default Token); ""
// accepts any token or none.
func WithToken(token string) Option {
	return Option{func(s *Server) { s.token = token }}
}

// WithServiceKey makes the server expect these service-api-key and
// service-api-code headers (default APIKey and APICode). If either is empty,
// the server accepts any key or none.
func WithServiceKey(apiKey, apiCode string) Option {
	return Option{func(s *Server) { s.apiKey, s.apiCode = apiKey, apiCode }}
}

// Invoice is an invoice the server created.
type Invoice struct {
	// ID is the id the server gave it, a UUID. Ids are sequential, so a
	// test's output is the same on every run.
	ID string
	// Amount is the sum of quantity × unit price over the products. Taxes
	// and discounts are not applied: Katsu's docs do not say how it
	// applies them.
	Amount asset.Decimal
	// Request is the body as the server decoded it.
	Request katsupay.CreateInvoice
}

// Fault is what the server does with one request instead of answering it
// normally. A faulted request creates nothing, unless AfterCreate is set.
type Fault struct {
	// Status is the HTTP status of the answer; 0 means 200, which with no
	// Body is a {"succeeded": false} envelope.
	Status int
	// Message and Errors fill the {"succeeded": false} envelope sent.
	Message string
	Errors  []string
	// RetryAfter, when positive, is sent as Retry-After in whole seconds.
	RetryAfter time.Duration
	// Body, when not empty, is sent as is instead of the envelope: a
	// proxy's HTML page, malformed JSON, another shape.
	Body string
	// Drop closes the connection without an answer, after the request has
	// been read: the client cannot know whether the invoice was created.
	Drop bool
	// AfterCreate handles the request in full first, creating the invoice
	// if the request is valid, and only then drops the connection or sends
	// the fault's answer in place of the server's: the invoice exists but
	// the client never learns its id, as when the network fails on the way
	// back or the deployment fails after saving. This is the case a caller
	// must reconcile before creating again. A request the server refuses
	// (credentials, body) still creates nothing, and the fault replaces the
	// refusal too.
	AfterCreate bool
}

// NewServer starts a server; Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{token: Token, apiKey: APIKey, apiCode: APICode}
	for _, opt := range opts {
		if opt.apply != nil {
			opt.apply(s)
		}
	}
	if s.apiKey == "" || s.apiCode == "" {
		s.apiKey, s.apiCode = "", ""
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns a client wired to the server, with the credentials it
// expects and no others, and then opts. It panics if opts are invalid.
func (s *Server) Client(opts ...katsupay.Option) *katsupay.Client {
	base := []katsupay.Option{katsupay.WithHTTPClient(s.srv.Client())}
	if s.token != "" {
		base = append(base, katsupay.WithToken(s.token))
	}
	if s.apiKey != "" {
		base = append(base, katsupay.WithServiceKey(s.apiKey, s.apiCode))
	}
	c, err := katsupay.NewClient(s.URL, append(base, opts...)...)
	if err != nil {
		panic("katsupaytest: " + err.Error())
	}
	return c
}

// FailNext queues faults: each of the next requests gets the next fault,
// whatever the request, until the queue is empty.
func (s *Server) FailNext(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Invoices returns the invoices created so far, oldest first.
func (s *Server) Invoices() []Invoice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Invoice(nil), s.invoices...)
}

// Requests is how many requests have reached the server, faulted or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// envelope is Katsu Pay's reply shape.
type envelope struct {
	Succeeded bool                     `json:"succeeded"`
	Message   string                   `json:"message"`
	Errors    []string                 `json:"errors"`
	Data      *katsupay.CreatedInvoice `json:"data"`
}

// answer is the server's own reply to a request, which a fault may replace.
type answer struct {
	status int
	allow  string
	env    envelope
}

func refusal(status int, msg string, errs ...string) answer {
	return answer{status: status, env: envelope{Message: msg, Errors: append([]string{}, errs...)}}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.requests++
	var fault *Fault
	if len(s.faults) > 0 {
		fault = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if err != nil {
		refuse(w, http.StatusBadRequest, "The request body could not be read.")
		return
	}
	if fault != nil && !fault.AfterCreate {
		s.fail(w, fault)
		return
	}
	a := s.handle(r, body)
	if fault != nil {
		s.fail(w, fault)
		return
	}
	if a.allow != "" {
		w.Header().Set("Allow", a.allow)
	}
	reply(w, a.status, a.env)
}

// handle does what the request asks, creating the invoice if it is valid.
func (s *Server) handle(r *http.Request, body []byte) answer {
	if r.URL.Path != createPath {
		return refusal(http.StatusNotFound, "Resource not found.")
	}
	if r.Method != http.MethodPost {
		a := refusal(http.StatusMethodNotAllowed, "Only POST is allowed.")
		a.allow = http.MethodPost
		return a
	}
	if msg := s.checkAuth(r.Header); msg != "" {
		return refusal(http.StatusUnauthorized, msg)
	}
	// Parameters such as charset do not matter: the body is read as UTF-8
	// JSON whatever they say.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); !acceptedTypes[mt] {
		return refusal(http.StatusUnsupportedMediaType, "Content-Type must be application/json, text/json or text/plain.")
	}
	inv, problems := decodeInvoice(body)
	if len(problems) > 0 {
		return refusal(http.StatusBadRequest, "Validation failed.", problems...)
	}
	s.mu.Lock()
	created := Invoice{
		ID:      fmt.Sprintf("00000000-0000-4000-8000-%012d", len(s.invoices)+1),
		Amount:  total(inv.Products),
		Request: inv,
	}
	s.invoices = append(s.invoices, created)
	s.mu.Unlock()
	return answer{status: http.StatusOK, env: envelope{
		Succeeded: true,
		Message:   "Invoice created successfully.",
		Errors:    []string{},
		Data:      &katsupay.CreatedInvoice{InvoiceID: created.ID, Amount: created.Amount},
	}}
}

func (s *Server) checkAuth(h http.Header) string {
	if s.token != "" && h.Get("Authorization") != "Bearer "+s.token {
		return "The bearer token is missing or invalid."
	}
	if s.apiKey != "" && h.Get("service-api-key") != s.apiKey {
		return "The service-api-key header is missing or invalid."
	}
	if s.apiCode != "" && h.Get("service-api-code") != s.apiCode {
		return "The service-api-code header is missing or invalid."
	}
	return ""
}

func (s *Server) fail(w http.ResponseWriter, f *Fault) {
	if f.Drop {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("katsupaytest: the server cannot drop connections")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
	}
	if f.Body != "" {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, f.Body)
		return
	}
	msg := f.Message
	switch {
	case msg != "":
	case status >= 200 && status < 300:
		msg = "The invoice could not be created."
	default:
		msg = http.StatusText(status)
	}
	refuse(w, status, msg, f.Errors...)
}

func refuse(w http.ResponseWriter, status int, msg string, errs ...string) {
	a := refusal(status, msg, errs...)
	reply(w, a.status, a.env)
}

func reply(w http.ResponseWriter, status int, e envelope) {
	b, err := json.Marshal(e)
	if err != nil {
		panic("katsupaytest: " + err.Error())
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// decodeInvoice reads the body as ASP.NET does by default, and applies the
// checks a deployment would. Unknown fields are ignored, not refused, so a
// test that passes here does not rely on a strictness the real service
// lacks; a misspelt field is then simply absent. Trailing data after the
// object is malformed JSON, which ASP.NET refuses.
func decodeInvoice(body []byte) (katsupay.CreateInvoice, []string) {
	var inv katsupay.CreateInvoice
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&inv); err != nil {
		return inv, []string{"The body is not a CreateInvoice: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return inv, []string{"The body is not a CreateInvoice: data after the JSON object."}
	}
	var problems []string
	check := func(ok bool, format string, args ...any) {
		if !ok {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	check(isRealUUID(inv.CounterPartyID), "counterPartyId must be a UUID.")
	check(isRealUUID(inv.ReceivingAccountID), "receivingAccountId must be a UUID.")
	check(!inv.DueDate.IsZero(), "dueDate is required.")
	check(len(inv.Products) > 0, "products must not be empty.")
	for i, p := range inv.Products {
		check(isRealUUID(p.ProductID), "products[%d].productId must be a UUID.", i)
		check(p.Quantity > 0, "products[%d].quantity must be positive.", i)
		check(p.UnitPrice.IsSet() && p.UnitPrice.Sign() >= 0, "products[%d].unitPrice must be a number, not negative.", i)
	}
	for i, t := range inv.Taxes {
		check(isRealUUID(t.TaxID), "taxes[%d].taxId must be a UUID.", i)
		check(t.TaxPercentageValue.IsSet() && t.TaxPercentageValue.Sign() >= 0, "taxes[%d].taxPercentageValue must be a number, not negative.", i)
	}
	check(inv.Discount.DiscountValue.Sign() >= 0, "discount.discountValue must not be negative.")
	return inv, problems
}

func total(products []katsupay.Product) asset.Decimal {
	sum := asset.DecimalFromInt(0)
	for _, p := range products {
		sum = sum.Add(asset.DecimalFromInt(int64(p.Quantity)).Mul(p.UnitPrice))
	}
	return sum
}

// isRealUUID reports a well-formed UUID that is not the nil one.
func isRealUUID(s string) bool { return uuid.Valid(s) && s != uuid.Nil }
