// Package katsupay is a typed client for the Katsu Pay invoice API: it
// creates invoices with exact decimal money, checks its input before sending,
// and never retries a create that may already have happened.
//
// Katsu Pay is unrelated to the Asset API of package asset; the two share the
// HTTP machinery (retries, body limits, logging) and the errors of package
// sdkerr, which katsupay exports under its own names: errors.Is(err,
// katsupay.ErrValidation), ErrNotFound, ErrServer, ErrOutcomeUnknown and the
// others, and errors.As with *katsupay.InputError and *katsupay.NetworkError,
// need no other import (asset's names match the same errors).
//
// Every Katsu deployment has its own address, so NewClient takes it as its
// first argument; there is no default host. Katsu Pay's docs say the create
// endpoint needs no headers and no API key, while sibling Katsu endpoints
// take a bearer token and a service key; credentials are therefore optional
// (WithToken, WithServiceKey), and a deployment that wants them answers 401,
// which matches ErrUnauthorized. Package katsupaytest runs a fake
// deployment for tests and examples.
package katsupay

import (
	"bytes"
	"context"
	"net/http"
	"strings"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/clientopt"
	"github.com/assetkit/asset-go/internal/errs"
	"github.com/assetkit/asset-go/internal/httpcore"
	"github.com/assetkit/asset-go/internal/redact"
)

// Client talks to one Katsu Pay deployment. It is safe for concurrent use;
// share one per deployment and credentials so that connections are reused.
type Client struct {
	// Invoices creates invoices.
	Invoices *InvoiceService

	baseURL string
	policy  httpcore.Policy
	sender  *httpcore.Sender
	header  http.Header
	secrets []string // the credentials in header, kept out of errors
	hooks   []asset.Hooks
	chain   []httpcore.Middleware
}

// NewClient makes a client for the deployment at baseURL, e.g.
// "https://pay.example.com" (the part before /api/v1). It must be https,
// except plain http on a loopback host (a local fake such as katsupaytest).
// Credentials are optional, since the docs say the create endpoint takes
// none: give WithToken, WithServiceKey or both as the deployment expects.
// NewClient cannot know which a deployment requires; one that wants
// credentials it was not sent answers 401, an *Error matching
// ErrUnauthorized.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := httpcore.CheckBaseURL(baseURL)
	if err != nil {
		return nil, inputError("baseURL", err.Error())
	}
	// The documented address is "{base}/api/v1/Invoice/Create"; a base that
	// already ends in the API prefix would only ever earn 404s.
	if strings.HasSuffix(strings.ToLower(u.Path), "/api/v1") || strings.Contains(strings.ToLower(u.Path), "/api/v1/") {
		return nil, inputError("baseURL", "give the deployment's address without /api/v1: the client adds the paths itself")
	}
	s := settings{Common: clientopt.New(name)}
	for _, opt := range opts {
		if opt.apply == nil {
			continue
		}
		if err := opt.apply(&s); err != nil {
			return nil, err
		}
	}
	hc := s.HTTPClient
	if hc == nil {
		hc = httpcore.NewHTTPClient()
	}
	h := http.Header{}
	h.Set("User-Agent", httpcore.UserAgent("asset-go-katsupay", asset.Version))
	h.Set("Accept", "application/json")
	if s.token != "" {
		h.Set("Authorization", "Bearer "+s.token)
	}
	if s.apiKey != "" {
		h.Set("service-api-key", s.apiKey)
		h.Set("service-api-code", s.apiCode)
	}
	c := &Client{
		baseURL: u.String(),
		policy:  s.Policy,
		sender:  httpcore.NewSender(hc, s.Logger, nil).WithLogName(name),
		header:  h,
		hooks:   s.hooks,
		chain:   tryChain(s.hooks, s.middleware),
	}
	for _, secret := range []string{s.token, s.apiKey, s.apiCode} {
		if secret != "" {
			c.secrets = append(c.secrets, secret)
		}
	}
	c.Invoices = &InvoiceService{client: c}
	return c, nil
}

// maxReplyBody bounds a success body: a created invoice is a few hundred
// bytes, so anything near it is not the documented reply.
const maxReplyBody = 1 << 20

// maxErrorBody is how much of an error body is kept in Error.Body.
const maxErrorBody = httpcore.MaxErrorBody

// reply is a response with its body read.
type reply struct {
	status    int
	header    http.Header
	body      []byte
	truncated bool
	readErr   error
}

// post sends a JSON body that changes state: it is retried only when the
// server surely did not act on it (a connection that never opened, a 429).
// res, when not nil, receives what the hooks are told of the exchange.
func (c *Client) post(ctx context.Context, path string, body []byte, res *asset.CallResult) (*reply, error) {
	hr := &httpcore.Request{
		Method:      http.MethodPost,
		URL:         c.baseURL + path,
		Header:      c.header.Clone(),
		Body:        body,
		MaxBody:     maxReplyBody,
		Secrets:     c.secrets,
		Route:       path,
		Middleware:  c.chain,
		Credentials: credentialHeaders,
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, outcome, err := c.sender.Send(ctx, c.policy, hr)
	res.Tries, res.LimiterWait = outcome.Attempts, outcome.LimiterWait
	if resp != nil {
		res.StatusCode, res.RequestID = resp.StatusCode, resp.Header.Get("X-Request-Id")
		if rl := httpcore.ParseRateLimit(resp.Header); rl.RemainingOK {
			res.RateLimitOK = true
			res.RateLimit = asset.RateLimit{Limit: rl.Limit, Remaining: rl.Remaining}
		}
	}
	if err != nil {
		return nil, errs.Network(name, hr.Method, path, outcome.Attempts, outcome.MaybeApplied, err)
	}
	defer resp.Release()
	return &reply{
		status: resp.StatusCode,
		header: resp.Header,
		// A server or a proxy may quote the request's headers back; every
		// error and message is made from this body, so none can hold them.
		body:      redact.Bytes(bytes.Clone(resp.Body), c.secrets),
		truncated: resp.TooLong,
		readErr:   resp.ReadErr,
	}, nil
}
