// Package katsupaytest runs a fake Katsu Pay deployment over HTTP on the
// loopback interface, for tests and examples. It answers POST
// /api/v1/Invoice/Create with Katsu Pay's {succeeded, message, errors, data}
// envelope, checks the credentials and the body it is sent, and can be told
// to fail in the ways a real deployment can.
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

// The credentials a Server expects unless told otherwise, and that
// Server.Client sends.
const (
	Token   = "katsupaytest-token"
	APIKey  = "katsupaytest-api-key"
	APICode = "katsupaytest-api-code"
)

// createPath is the one endpoint the fake serves.
const createPath = "/api/v1/Invoice/Create"

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

// Option configures a Server.
type Option func(*Server)

// WithToken makes the server expect this bearer token (default Token); ""
// accepts any token or none.
func WithToken(token string) Option {
	return func(s *Server) { s.token = token }
}

// WithServiceKey makes the server expect these service-api-key and
// service-api-code headers (default APIKey and APICode). If either is empty,
// the server accepts any key or none.
func WithServiceKey(apiKey, apiCode string) Option {
	return func(s *Server) { s.apiKey, s.apiCode = apiKey, apiCode }
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
// normally. A faulted request creates nothing.
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
}

// NewServer starts a server; Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{token: Token, apiKey: APIKey, apiCode: APICode}
	for _, opt := range opts {
		opt(s)
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
// expects, and then opts. It panics if opts are invalid.
func (s *Server) Client(opts ...katsupay.Option) *katsupay.Client {
	base := []katsupay.Option{katsupay.WithHTTPClient(s.srv.Client())}
	if s.token != "" {
		base = append(base, katsupay.WithToken(s.token))
	}
	if s.apiKey != "" {
		base = append(base, katsupay.WithServiceKey(s.apiKey, s.apiCode))
	}
	if s.token == "" && s.apiKey == "" {
		// The client refuses to run without credentials; the server
		// accepts any, so send a placeholder.
		base = append(base, katsupay.WithToken("katsupaytest"))
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
	if fault != nil {
		s.fail(w, fault)
		return
	}
	if r.URL.Path != createPath {
		refuse(w, http.StatusNotFound, "Resource not found.")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		refuse(w, http.StatusMethodNotAllowed, "Only POST is allowed.")
		return
	}
	if msg := s.checkAuth(r.Header); msg != "" {
		refuse(w, http.StatusUnauthorized, msg)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		refuse(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json.")
		return
	}
	inv, problems := decodeInvoice(body)
	if len(problems) > 0 {
		refuse(w, http.StatusBadRequest, "Validation failed.", problems...)
		return
	}
	s.mu.Lock()
	created := Invoice{
		ID:      fmt.Sprintf("00000000-0000-4000-8000-%012d", len(s.invoices)+1),
		Amount:  total(inv.Products),
		Request: inv,
	}
	s.invoices = append(s.invoices, created)
	s.mu.Unlock()
	reply(w, http.StatusOK, envelope{
		Succeeded: true,
		Message:   "Invoice created successfully.",
		Errors:    []string{},
		Data:      &katsupay.CreatedInvoice{InvoiceID: created.ID, Amount: created.Amount},
	})
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
	reply(w, status, envelope{Message: msg, Errors: append([]string{}, errs...)})
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

// decodeInvoice reads the body strictly, so that a misspelt field (say
// "recurringInvoice" for Katsu's "recuringInvoice") is refused rather than
// silently dropped, and applies the checks a deployment would.
func decodeInvoice(body []byte) (katsupay.CreateInvoice, []string) {
	var inv katsupay.CreateInvoice
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&inv); err != nil {
		return inv, []string{"The body is not a CreateInvoice: " + err.Error()}
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
