package asset

import (
	"context"
	"fmt"
	"iter"
)

// Page is one page of a list.
type Page[T any] struct {
	// Data is the page's items, possibly none even when more pages follow.
	Data []T
	// NextPageToken and PreviousPageToken name the neighbouring pages; empty
	// means there is none in that direction. They are opaque and can be
	// saved and used later with a Pager or InvoiceListParams.PageToken.
	NextPageToken, PreviousPageToken string
}

// HasNext reports whether a page follows this one.
func (p *Page[T]) HasNext() bool { return p.NextPageToken != "" }

// HasPrevious reports whether a page comes before this one.
func (p *Page[T]) HasPrevious() bool { return p.PreviousPageToken != "" }

// listEnvelope is the wire shape of a list response.
type listEnvelope[T any] struct {
	Data       []T `json:"data"`
	Pagination struct {
		NextPageToken     *string `json:"next_page_token"`
		PreviousPageToken *string `json:"previous_page_token"`
	} `json:"pagination"`
}

func (e *listEnvelope[T]) page() *Page[T] {
	p := &Page[T]{Data: e.Data}
	if t := e.Pagination.NextPageToken; t != nil {
		p.NextPageToken = *t
	}
	if t := e.Pagination.PreviousPageToken; t != nil {
		p.PreviousPageToken = *t
	}
	return p
}

// pageFetcher loads the page a token names ("" for the first page).
type pageFetcher[T any] func(ctx context.Context, token string) (*Page[T], error)

// Pager walks a list page by page in either direction, from the start or
// from any saved page token. Its first Next or Previous loads the page it
// starts at; after that each moves one page along. A Pager is not safe for
// concurrent use.
type Pager[T any] struct {
	fetch   pageFetcher[T]
	start   string
	current *Page[T]
}

// Next loads the page after the current one, or the starting page on the
// first call. It returns ErrNoMorePages when there is none.
func (p *Pager[T]) Next(ctx context.Context) (*Page[T], error) {
	if p.current == nil {
		return p.load(ctx, p.start)
	}
	if !p.current.HasNext() {
		return nil, ErrNoMorePages
	}
	return p.load(ctx, p.current.NextPageToken)
}

// Previous loads the page before the current one, or the starting page on
// the first call. It returns ErrNoMorePages when there is none.
func (p *Pager[T]) Previous(ctx context.Context) (*Page[T], error) {
	if p.current == nil {
		return p.load(ctx, p.start)
	}
	if !p.current.HasPrevious() {
		return nil, ErrNoMorePages
	}
	return p.load(ctx, p.current.PreviousPageToken)
}

// HasNext reports whether Next has a page to load.
func (p *Pager[T]) HasNext() bool { return p.current == nil || p.current.HasNext() }

// HasPrevious reports whether Previous has a page to load.
func (p *Pager[T]) HasPrevious() bool { return p.current == nil || p.current.HasPrevious() }

// Current is the page last loaded, nil before the first.
func (p *Pager[T]) Current() *Page[T] { return p.current }

func (p *Pager[T]) load(ctx context.Context, token string) (*Page[T], error) {
	page, err := p.fetch(ctx, token)
	if err != nil {
		return nil, err // the pager stays where it was, so the move can be retried
	}
	p.current = page
	return page, nil
}

// walk yields every item from the page at start onward. It stops at the
// first page without a next token (an empty page with one goes on), yields
// an error once and stops, and fails with ErrPageLoop if a token repeats,
// which would otherwise loop for ever.
func walk[T any](ctx context.Context, start string, fetch pageFetcher[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[string]bool{start: true}
		token := start
		for {
			page, err := fetch(ctx, token)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range page.Data {
				if !yield(item, nil) {
					return
				}
			}
			if !page.HasNext() {
				return
			}
			token = page.NextPageToken
			if seen[token] {
				yield(zero, fmt.Errorf("%w: the server sent a page token it had sent before in this walk", ErrPageLoop))
				return
			}
			seen[token] = true
		}
	}
}

// failed is an iterator that yields err once.
func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
