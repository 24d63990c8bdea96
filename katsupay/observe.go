package katsupay

import (
	"context"
	"errors"
	"net/http"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/internal/httpcore"
)

// WithMiddleware runs mw around each try of every call, inside the retry
// loop, as asset.WithMiddleware does for the Asset client, with the same
// guarantees: a middleware sees no credential (Authorization and the
// service key headers are added after the last one), cannot put a try on
// the wire twice, and cannot make a create replayable. The first is the
// outermost. asset.CallInfoFrom names the call: method POST, route
// "/api/v1/Invoice/Create", no business.
func WithMiddleware(mw ...asset.Middleware) Option {
	return Option{func(s *settings) error {
		for _, m := range mw {
			if m == nil {
				return inputError("WithMiddleware", "nil middleware")
			}
		}
		s.middleware = append(s.middleware, mw...)
		return nil
	}}
}

// WithHooks installs h, as asset.WithHooks does: its Try wraps each try,
// outside the WithMiddleware ones, and its CallStart and CallEnd see every
// call. Katsu Pay has no operations of many calls, so the Operation hooks
// are never called.
func WithHooks(h asset.Hooks) Option {
	return Option{func(s *settings) error {
		s.hooks = append(s.hooks, h)
		return nil
	}}
}

// credentialHeaders carry the credentials of WithToken and WithServiceKey.
var credentialHeaders = []string{"Authorization", "Service-Api-Key", "Service-Api-Code"}

// tryChain is the middlewares of each try: the hooks' Try, then mws.
func tryChain(hooks []asset.Hooks, mws []asset.Middleware) []httpcore.Middleware {
	var chain []httpcore.Middleware
	add := func(m asset.Middleware) {
		chain = append(chain, func(req *http.Request, next httpcore.Next) (*http.Response, error) {
			return m(req, asset.MiddlewareNext(next))
		})
	}
	for _, h := range hooks {
		if h.Try != nil {
			add(h.Try)
		}
	}
	for _, m := range mws {
		add(m)
	}
	return chain
}

// observed runs call, one API call, between the hooks' CallStart and
// CallEnd; call reports what it saw into res.
func (c *Client) observed(ctx context.Context, info asset.CallInfo, call func(context.Context, *asset.CallResult) error) error {
	if len(c.hooks) == 0 {
		return call(ctx, &asset.CallResult{})
	}
	for _, h := range c.hooks {
		if h.CallStart != nil {
			if hctx := h.CallStart(ctx, info); hctx != nil {
				ctx = hctx
			}
		}
	}
	var res asset.CallResult
	err := call(ctx, &res)
	res.Err, res.Outcome = err, outcomeOf(err)
	for i := len(c.hooks) - 1; i >= 0; i-- {
		if c.hooks[i].CallEnd != nil {
			c.hooks[i].CallEnd(ctx, info, res)
		}
	}
	return err
}

// outcomeOf is asset.OutcomeOf, knowing that any *Error below 500 other
// than 429 that may not have been applied is a refusal.
func outcomeOf(err error) asset.Outcome {
	var e *Error
	if errors.As(err, &e) && e.StatusCode < 500 && e.StatusCode != http.StatusTooManyRequests && !e.mayHaveApplied {
		return asset.OutcomeRefused
	}
	return asset.OutcomeOf(err)
}
