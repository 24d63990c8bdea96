package asset

import (
	"context"
	"fmt"
	"hash/maphash"
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
// an error once and stops, and fails with ErrPageLoop if a token repeats
// or the walk passes its bounds (maxEmptyRun, maxWalkPages), which would
// otherwise loop for ever. With ahead > 0 it fetches up to that
// many pages ahead of the loop (see prefetch).
//
// Once ctx is done no new page is handed to the loop, even one fetched
// before: with or without prefetch, the loop finishes the page it is on
// and then sees the cancellation.
func walkItems[T any](ctx context.Context, start string, fetch pageFetcher[T], ahead int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		pages := walkPages(ctx, start, fetch)
		// A nil ctx would panic in context.WithCancel; the plain walk
		// reports it as an *InputError from the first fetch instead.
		if ahead > 0 && ctx != nil {
			pages = prefetch(ctx, start, fetch, ahead)
		}
		dropped := false
		for page, err := range pages {
			if err != nil {
				yield(zero, err)
				return
			}
			if ctx.Err() != nil {
				// The next fetch fails with the cancellation, unless this
				// was the last page.
				dropped = true
				continue
			}
			for _, item := range page.Data {
				if !yield(item, nil) {
					return
				}
			}
		}
		if dropped {
			yield(zero, ctx.Err())
		}
	}
}

// Bounds on a walk by All, beyond which it fails with ErrPageLoop. A server
// that keeps sending fresh next tokens would otherwise be walked for ever,
// and a loop whose pages are empty never runs its body, so the caller could
// not even break out.
const (
	// maxEmptyRun is how many empty pages in a row a walk accepts.
	maxEmptyRun = 1000
	// maxWalkPages is how many pages one walk fetches at most.
	maxWalkPages = 100_000
)

// walkPages yields the pages of a walk in order, then an error if one ends
// it. It fetches a page only when the previous one has been taken.
//
// Tokens are remembered by a 64-bit hash, not their text, so a walk holds
// at most maxWalkPages hashes however long the server's tokens are.
func walkPages[T any](ctx context.Context, start string, fetch pageFetcher[T]) iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		seed := maphash.MakeSeed()
		seen := map[uint64]bool{maphash.String(seed, start): true}
		token := start
		for pages, empty := 1, 0; ; pages++ {
			page, err := fetch(ctx, token)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) || !page.HasNext() {
				return
			}
			if empty++; len(page.Data) > 0 {
				empty = 0
			}
			token = page.NextPageToken
			h := maphash.String(seed, token)
			var why string
			switch {
			case seen[h]:
				why = "the server sent a page token it had sent before in this walk"
			case empty >= maxEmptyRun:
				why = fmt.Sprintf("the server sent %d empty pages in a row, each naming a next one", empty)
			case pages >= maxWalkPages:
				why = fmt.Sprintf("the walk reached %d pages; use a Pager to go further", pages)
			}
			if why != "" {
				yield(nil, fmt.Errorf("%w: %s", ErrPageLoop, why))
				return
			}
			seen[h] = true
		}
	}
}

// pageResult is one step of a walk as it crosses from the fetching
// goroutine to the loop.
type pageResult[T any] struct {
	page *Page[T]
	err  error
}

// prefetch runs walkPages in a goroutine that keeps up to ahead pages ready
// (or in flight) beyond the one the loop is on, so that the server's
// latency overlaps the caller's work. An unbuffered channel already holds
// one page in hand-over while the loop works on the previous one, hence
// the buffer of ahead-1.
//
// When the loop ends early, the goroutine is told to stop, the request in
// flight is cancelled through a context of its own, no other one is
// started, and the goroutine has returned before the iterator does.
func prefetch[T any](ctx context.Context, start string, fetch pageFetcher[T], ahead int) iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		fetchCtx, cancel := context.WithCancel(ctx)
		results := make(chan pageResult[T], ahead-1)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(results)
			for page, err := range walkPages(fetchCtx, start, fetch) {
				// The select on stop, not on fetchCtx, decides: the
				// caller's own cancellation is an error for the loop to
				// see, not a reason to end silently.
				select {
				case results <- pageResult[T]{page, err}:
				case <-stop:
					return
				}
				select {
				case <-stop:
					return // before the next fetch: no request after a break
				default:
				}
			}
		}()
		defer func() {
			close(stop)
			cancel()
			<-done
		}()
		for r := range results {
			if !yield(r.page, r.err) {
				return
			}
		}
	}
}

// failed is an iterator that yields err once.
func failedWalk[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
