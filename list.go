package asset

import (
	"context"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"

	"github.com/google/go-querystring/query"
)

// listParams is what a resource's list parameters give the lister: they
// check themselves, and encode to a query with go-querystring, their page
// token (the page a walk starts at) under page_token.
type listParams interface {
	validate() error
}

// lister lists one resource: every List, All and Pager is a line on it.
// It holds the checked, encoded params, so later changes by the caller do
// not affect a walk in progress; err is bad input, reported by each use.
type lister[T any] struct {
	client *Client
	path   apiPath
	query  url.Values // without page_token
	start  string
	opts   []Option
	err    error
	takes  scopedOptions // the options its requests honour
}

// list checks path's error and params (nil means none) once and returns the
// lister of the items of type T at path.
func newLister[T any, P any, PP interface {
	*P
	listParams
}](c *Client, path apiPath, pathErr error, params PP, opts []Option) lister[T] {
	l := lister[T]{client: c, path: path, err: pathErr, opts: append([]Option(nil), opts...)}
	if l.err != nil {
		return l
	}
	var p P
	if params != nil {
		p = *params
	}
	if l.err = PP(&p).validate(); l.err != nil {
		return l
	}
	q, err := query.Values(p)
	if err != nil {
		l.err = &InputError{Field: "params", Reason: err.Error()}
		return l
	}
	l.start = q.Get("page_token")
	q.Del("page_token")
	l.query = q
	return l
}

// fetch loads the page token names ("" for the first page).
func (l lister[T]) fetch(ctx context.Context, token string) (*Page[T], error) {
	if l.err != nil {
		return nil, l.err
	}
	q := l.query
	if token != "" {
		q = make(url.Values, len(l.query)+1)
		for k, v := range l.query {
			q[k] = v
		}
		q.Set("page_token", token)
	}
	var env listEnvelope[T]
	if err := l.client.do(ctx, apiRequest{method: http.MethodGet, path: l.path, query: q, takes: l.takes}, &env, l.opts); err != nil {
		return nil, err
	}
	return env.page(), nil
}

// page loads the page the params start at.
func (l lister[T]) firstPage(ctx context.Context) (*Page[T], error) { return l.fetch(ctx, l.start) }

// all walks every item from the page the params start at, prefetching as
// the call's options say.
func (l lister[T]) items(ctx context.Context) iter.Seq2[T, error] {
	if l.err != nil {
		return failedWalk[T](l.err)
	}
	cs, err := l.client.callSettings(l.opts)
	if err != nil {
		return failedWalk[T](err)
	}
	l.takes = scopedPrefetch
	fetch := l.fetch
	if into := cs.responseInto; into != nil {
		fetch = l.answeredInto(into)
	}
	if len(cs.hooks) == 0 || ctx == nil {
		return walkItems(ctx, l.start, fetch, cs.prefetch)
	}
	op := Operation{Name: "All", Method: http.MethodGet, Route: l.path.template, BusinessID: l.path.business}
	return func(yield func(T, error) bool) {
		octx, event, end := cs.hooks.operation(ctx, op)
		var pages, items atomic.Int64
		fetch := func(ctx context.Context, token string) (*Page[T], error) {
			p, err := fetch(ctx, token)
			if err == nil {
				event("page", slog.Int64("page", pages.Add(1)), slog.Int("items", len(p.Data)),
					slog.Int64("items_total", items.Add(int64(len(p.Data)))))
			}
			return p, err
		}
		var err error
		for item, e := range walkItems(octx, l.start, fetch, cs.prefetch) {
			if e != nil {
				err = e
			}
			if !yield(item, e) {
				break
			}
		}
		end(err)
	}
}

// answeredInto is the walk's fetch for a caller's WithResponseInto: each
// page's answer goes into into, except a fetch the walk itself ended (the
// loop was broken out of, or its context ended), whose answer never reached
// the loop and would hide the last one that did.
func (l lister[T]) answeredInto(into *Response) pageFetcher[T] {
	return func(ctx context.Context, token string) (*Page[T], error) {
		var r Response
		own := l
		own.opts = append(slices.Clip(l.opts), WithResponseInto(&r))
		page, err := own.fetch(ctx, token)
		if err == nil || ctx.Err() == nil {
			*into = r
		}
		return page, err
	}
}

// pager is a Pager starting at the page the params name; bad input is
// reported by its first move.
func (l lister[T]) pager() *Pager[T] { return &Pager[T]{fetch: l.fetch, start: l.start} }
