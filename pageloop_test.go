package asset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAllEndlessEmptyPagesEnds walks a server that answers every request
// with an empty page and a next token never seen before. No token repeats,
// so only a bound on the walk can end it; the deadline keeps the test from
// hanging if there is none.
func TestAllEndlessEmptyPagesEnds(t *testing.T) {
	t.Parallel()
	for _, tokenSize := range []int{8, 16 << 10} {
		t.Run(fmt.Sprintf("tokens of %d bytes", tokenSize), func(t *testing.T) {
			var n atomic.Int64
			pad := strings.Repeat("t", tokenSize)
			// A plain handler, keeping nothing of the thousand requests, on
			// one kept-alive connection: the walk stays quick under -race.
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next := fmt.Sprintf("%d-%s", n.Add(1), pad)[:tokenSize]
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"data": [], "pagination": {"next_page_token": "`+next+`"}}`)
			}))
			defer srv.Close()
			c, err := NewClient(WithToken(testToken), WithBaseURL(srv.URL))
			require.NoError(t, err)
			// A guard against a walk without bounds, far past what a
			// thousand loopback requests take on a loaded machine.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var errs []error
			for _, err := range c.Invoices.All(ctx, testBiz, nil) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1, "the walk ends with one error")
			assert.ErrorIs(t, errs[0], ErrPageLoop)
			assert.False(t, errors.Is(errs[0], context.DeadlineExceeded), "the walk must end before the deadline: %v", errs[0])
			assert.LessOrEqual(t, n.Load(), int64(maxEmptyRun+1+1), "requests after the run of empty pages was too long (one may be prefetched)")
		})
	}
}

// TestWalkPagesBounds drives the walk with an in-memory fetch so that the
// bounds can be reached quickly.
func TestWalkPagesBounds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		items     func(n int) []int // the items of page n
		wantPages int
	}{
		{"full pages for ever", func(int) []int { return []int{1} }, maxWalkPages},
		{"empty pages for ever", func(int) []int { return nil }, maxEmptyRun},
		{"empty runs broken by one item", func(n int) []int {
			if n%maxEmptyRun == 0 {
				return []int{1}
			}
			return nil
		}, maxWalkPages},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fetches := 0
			fetch := func(_ context.Context, token string) (*Page[int], error) {
				fetches++
				return &Page[int]{Data: tc.items(fetches), NextPageToken: fmt.Sprintf("t%d", fetches)}, nil
			}
			pages := 0
			var err error
			for _, e := range walkPages(context.Background(), "", fetch) {
				if e != nil {
					err = e
					break
				}
				pages++
				if pages > maxWalkPages+1 {
					break // the bound did not hold; do not walk for ever
				}
			}
			assert.ErrorIs(t, err, ErrPageLoop)
			assert.Equal(t, tc.wantPages, pages)
		})
	}
}
