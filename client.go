package asset

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// Client talks to the Asset API. It is safe for concurrent use; share one
// per set of credentials so that connections and tokens are reused.
type Client struct {
	// Invoices creates, reads, lists, updates and writes off invoices.
	Invoices *InvoiceService
	// Payments applies payments to invoices.
	Payments *PaymentService
	// Refunds records refunds of invoices and pays them.
	Refunds *RefundService
	// CreditMemos creates, reads, lists and voids credit memos.
	CreditMemos *CreditMemoService
	// Customers creates, reads, lists and updates customers.
	Customers *CustomerService
	// Transactions records, reads and lists transactions.
	Transactions *TransactionService
	// Ledgers reads the chart of accounts.
	Ledgers *LedgerService

	settings settings
	sender   *httpcore.Sender
}

// The services hold nothing but their client; they are declared here, with
// the Client that lists them, and their methods in a file each.

// InvoiceService is the invoice part of the API, at client.Invoices.
type InvoiceService struct{ client *Client }

// PaymentService applies payments to invoices, at client.Payments.
type PaymentService struct{ client *Client }

// RefundService records refunds of invoices and the transactions that pay
// them, at client.Refunds.
type RefundService struct{ client *Client }

// CreditMemoService is the credit memo part of the API, at
// client.CreditMemos. A credit memo adds its amount to the customer's
// credit pool; a payment without a transaction (Payments.Apply with no
// TransactionID) draws on that pool. There is no call that applies a memo
// to an invoice.
type CreditMemoService struct{ client *Client }

// CustomerService is the customer part of the API, at client.Customers.
type CustomerService struct{ client *Client }

// TransactionService is the transaction part of the API, at
// client.Transactions: the money payments are drawn on.
type TransactionService struct{ client *Client }

// LedgerService reads the business's chart of accounts, at client.Ledgers.
type LedgerService struct{ client *Client }

// NewClient makes a client. Credentials are required: WithToken,
// WithTokenSource or WithClientCredentials. The default host is
// ProductionURL; use WithBaseURL(SandboxURL) to test against the sandbox.
func NewClient(opts ...Option) (*Client, error) {
	s := defaultSettings()
	if err := s.apply(opts); err != nil {
		return nil, err
	}
	hc := s.HTTPClient
	if hc == nil {
		hc = httpcore.NewHTTPClient()
	}
	s.HTTPClient = nil // the sender owns it now
	c := &Client{sender: httpcore.NewSender(hc, s.Logger, s.limit.build(s.Policy.RetryAfterMax))}
	if s.credentials != nil {
		s.auth = newClientCredentialsAuth(c.sender, s, *s.credentials)
	}
	if s.auth == nil {
		return nil, &InputError{Field: "credentials", Reason: "none given: use WithToken, WithTokenSource or WithClientCredentials"}
	}
	c.settings = s
	c.Invoices = &InvoiceService{client: c}
	c.Payments = &PaymentService{client: c}
	c.Refunds = &RefundService{client: c}
	c.CreditMemos = &CreditMemoService{client: c}
	c.Customers = &CustomerService{client: c}
	c.Transactions = &TransactionService{client: c}
	c.Ledgers = &LedgerService{client: c}
	return c, nil
}

// apiRequest is one API call as a service method describes it.
type apiRequest struct {
	method string
	path   apiPath // from pathf
	query  url.Values
	body   any
	// name names body in the errors of checkEncodable, e.g. "update"; ""
	// when the body was checked already.
	name string
	// takes are the options, of those only some calls use, that the
	// call honours; do refuses the others.
	takes scopedOptions
}

// notGiven marks, while a call's options apply, a concurrency no option
// set (a concurrency below 1 is refused).
const notGiven = -1

// callSettings is the client's settings with one call's options applied,
// noting in scoped which of those that only some calls use were given.
func (c *Client) callSettings(opts []Option) (settings, error) {
	s := c.settings
	if len(opts) == 0 {
		return s, nil
	}
	s.perCall = true
	s.concurrency = notGiven
	err := s.apply(opts)
	if s.concurrency == notGiven {
		s.concurrency = c.settings.concurrency
	} else {
		s.scoped |= scopedConcurrency
	}
	if s.progress != nil { // refused on NewClient: given to this call
		s.scoped |= scopedProgress
	}
	return s, err
}

// do is the pipeline every call goes through: check, encode, authenticate,
// send with retries, and turn the response into out or an error.
func (c *Client) do(ctx context.Context, r apiRequest, out any, opts []Option) error {
	if ctx == nil {
		return &InputError{Field: "ctx", Reason: "is nil; pass context.Background() or the request's context"}
	}
	s, err := c.callSettings(opts)
	if err != nil {
		return err
	}
	if err := refuseUnused(s.scoped, r.takes, r.method+" "+r.path.escaped); err != nil {
		return err
	}
	hr := &httpcore.Request{
		Method:     r.method,
		URL:        s.baseURL + r.path.escaped,
		Header:     baseHeader(&s),
		Idempotent: r.method == http.MethodGet,
		Key:        r.path.business,
	}
	if len(r.query) > 0 {
		hr.URL += "?" + r.query.Encode()
	}
	if r.body != nil {
		if r.name != "" {
			if err := checkEncodable(r.name, r.body); err != nil {
				return err
			}
		}
		if hr.Body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("asset: encoding the %s %s body: %w", r.method, r.path.escaped, err)
		}
		hr.Header.Set("Content-Type", "application/json")
	}
	if s.userID != "" {
		hr.Header.Set("X-User-Id", s.userID)
	}
	hr.Route = r.path.template
	hr.Middleware = tryChain(s.hooks, s.middleware)
	hr.Credentials = credentialHeaders
	if len(s.hooks) == 0 {
		_, err := c.send(ctx, &s, hr, r.path.escaped, out)
		return err
	}
	call := CallInfo{Method: r.method, Route: r.path.template, BusinessID: r.path.business}
	ctx = s.hooks.callStart(ctx, call)
	x, err := c.send(ctx, &s, hr, r.path.escaped, out)
	res := CallResult{Outcome: OutcomeOf(err), Err: err, StatusCode: x.status, Tries: x.attempts, LimiterWait: x.limiterWait}
	if x.header != nil {
		res.RequestID = x.header.Get("X-Request-Id")
		res.RateLimit = parseRateLimit(x.header)
		res.RateLimitOK = httpcore.ParseRateLimit(x.header).RemainingOK
	}
	s.hooks.callEnd(ctx, call, res)
	return err
}

// credentialHeaders are the headers of a call that carry its credential,
// which middlewares do not see.
var credentialHeaders = []string{"Authorization"}

// send authenticates hr and exchanges it, once more with a new credential
// if the first is refused; what it returns counts the tries of both.
func (c *Client) send(ctx context.Context, s *settings, hr *httpcore.Request, path string, out any) (exchanged, error) {
	var refused string // the credential a 401 refused
	var refusedErr error
	var total exchanged // the tries of every exchange
	for {
		authz, err := s.auth.authorization(ctx)
		if err != nil {
			return total, err
		}
		if authz == refused {
			return total, refusedErr // the same credential would be refused again
		}
		hr.Header.Set("Authorization", authz)
		hr.Secrets = authzSecrets(authz)
		x, err := exchange(ctx, c.sender, s, hr, path, out)
		x.attempts += total.attempts
		x.limiterWait += total.limiterWait
		total = x
		if s.responseInto != nil {
			s.responseInto.Attempts = total.attempts
		}
		// A 401 was not processed, so sending again is safe even for POST:
		// the token may have been revoked or expired early. Once only.
		if x.status == http.StatusUnauthorized && refused == "" && s.auth.refresh(authz) {
			refused, refusedErr = authz, err
			continue
		}
		return total, err
	}
}
