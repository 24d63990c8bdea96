package asset

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// pfServer serves a chain of pages "t1", "t2"... over real HTTP and counts
// the requests, so that tests can watch what a walk fetches and when.
type pfServer struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	tokens   []string
}

// pfChain describes a chain of pages: page n: how many invoices it holds and what
// its next token is ("" ends the walk). answer, when set, may take over
// the response and reports whether it did.
type pfChain struct {
	pages  int
	size   func(n int) int
	next   func(n int) string
	answer func(w http.ResponseWriter, r *http.Request, n int) bool
}

func newPFServer(t *testing.T, chain pfChain) *pfServer {
	t.Helper()
	if chain.size == nil {
		chain.size = func(int) int { return 3 }
	}
	if chain.next == nil {
		chain.next = func(n int) string {
			if n+1 < chain.pages {
				return "t" + strconv.Itoa(n+1)
			}
			return ""
		}
	}
	s := &pfServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		tok := r.URL.Query().Get("page_token")
		s.mu.Lock()
		s.tokens = append(s.tokens, tok)
		s.mu.Unlock()
		n, _ := strconv.Atoi(strings.TrimPrefix(tok, "t"))
		if chain.answer != nil && chain.answer(w, r, n) {
			return
		}
		var b strings.Builder
		b.WriteString(`{"data":[`)
		for i := range chain.size(n) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"%d-%d","total_amount":1.50}`, n, i)
		}
		next := "null"
		if tok := chain.next(n); tok != "" {
			next = strconv.Quote(tok)
		}
		fmt.Fprintf(&b, `],"pagination":{"next_page_token":%s,"previous_page_token":null}}`, next)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(b.String()))
	}))
	return s
}

func (s *pfServer) seenTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

// pfNoLeaks checks, once the test and its cleanups are done, that no
// goroutine it started is left: no prefetching walk, no connection.
func pfNoLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// pfClient is a client of s on a transport of the test's own, closed when
// the test ends so that no connection outlives it.
func pfClient(t *testing.T, s *pfServer, opts ...Option) *Client {
	t.Helper()
	hc := perfHTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	return newPerfClient(t, s.URL, append([]Option{WithHTTPClient(hc), WithRetryWait(0, 0)}, opts...)...)
}

// pageOf is the page an invoice of a pfServer came from.
func pageOf(inv Invoice) int {
	n, _ := strconv.Atoi(inv.ID[:strings.IndexByte(inv.ID, '-')])
	return n
}

// waitFor polls cond until it holds, failing the test if it never does.
// It synchronises with the walk's goroutine; it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// walkers lists the prefetch settings every test runs with.
var walkers = []struct {
	name  string
	ahead int
	opts  []Option
}{
	{"sequential", 0, []Option{WithPrefetch(0)}},
	{"default", 1, nil},
	{"three ahead", 3, []Option{WithPrefetch(3)}},
	{"ten ahead", 10, []Option{WithPrefetch(10)}},
}

func TestPrefetchKeepsOrder(t *testing.T) {
	pfNoLeaks(t)
	// Pages 4 and 5 are empty but name a next page: the walk goes on.
	size := func(n int) int {
		if n == 4 || n == 5 {
			return 0
		}
		return 3
	}
	for _, w := range walkers {
		t.Run(w.name, func(t *testing.T) {
			srv := newPFServer(t, pfChain{pages: 30, size: size})
			defer srv.Close()
			c := pfClient(t, srv)
			var got, want []string
			for n := range 30 {
				for i := range size(n) {
					want = append(want, fmt.Sprintf("%d-%d", n, i))
				}
			}
			for inv, err := range c.Invoices.All(context.Background(), perfBiz, nil, w.opts...) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, inv.ID)
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("walked\n%v\nwant\n%v", got, want)
			}
			if n := srv.requests.Load(); n != 30 {
				t.Errorf("%d requests for 30 pages", n)
			}
		})
	}
}

func TestPrefetchStaysWithinItsLead(t *testing.T) {
	pfNoLeaks(t)
	const pages = 12
	for _, w := range walkers {
		t.Run(w.name, func(t *testing.T) {
			// Each walk has a server of its own, whose requests alone
			// it counts; they run alongside each other, and before
			// the parallel tests start.
			t.Parallel()
			srv := newPFServer(t, pfChain{pages: pages})
			defer srv.Close()
			c := pfClient(t, srv)
			onPage := -1
			for inv, err := range c.Invoices.All(context.Background(), perfBiz, nil, w.opts...) {
				if err != nil {
					t.Fatal(err)
				}
				if n := pageOf(inv); n != onPage {
					onPage = n
					// The loop holds page n: pages up to n+ahead may be
					// requested, and with prefetch they are, without the
					// loop asking.
					lead := int64(min(onPage+1+w.ahead, pages))
					waitFor(t, fmt.Sprintf("%d requests while on page %d", lead, onPage), func() bool {
						return srv.requests.Load() >= lead
					})
					time.Sleep(5 * time.Millisecond) // room for a walk that overreaches to show it
					if got := srv.requests.Load(); got > lead {
						t.Fatalf("on page %d with %d ahead, %d pages were requested", onPage, w.ahead, got)
					}
				}
			}
			if onPage != pages-1 {
				t.Fatalf("the walk ended on page %d", onPage)
			}
		})
	}
}

// prefetchGoroutines counts the goroutines running a prefetching walk.
func prefetchGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "asset-go.prefetch[")
}

func TestPrefetchBreakCancelsAndStops(t *testing.T) {
	pfNoLeaks(t)
	const pages, breakOn = 20, 5
	for _, w := range walkers {
		t.Run(w.name, func(t *testing.T) {
			cancelled := make(chan struct{}, 1)
			release := make(chan struct{})
			srv := newPFServer(t, pfChain{pages: pages, answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n != breakOn+1 {
					return false
				}
				// The page after the break stays in flight until the
				// walk cancels it.
				select {
				case <-r.Context().Done():
					cancelled <- struct{}{}
				case <-release:
				case <-time.After(5 * time.Second): // so that a walk that never cancels fails rather than hangs
				}
				return true
			}})
			defer srv.Close()
			defer close(release) // before Close, which waits for the handlers
			c := pfClient(t, srv)
			for inv, err := range c.Invoices.All(context.Background(), perfBiz, nil, w.opts...) {
				if err != nil {
					t.Fatal(err)
				}
				if pageOf(inv) == breakOn {
					if w.ahead > 0 {
						waitFor(t, "the next page in flight", func() bool { return srv.requests.Load() == breakOn+2 })
					}
					break
				}
			}
			// The walk's goroutine has closed its last channel before the
			// iterator returns; only its exit may still be under way.
			waitFor(t, "the prefetching goroutine to exit", func() bool { return prefetchGoroutines() == 0 })
			want := int64(breakOn + 1)
			if w.ahead > 0 {
				want++
				select {
				case <-cancelled:
				case <-time.After(10 * time.Second):
					t.Fatal("the request in flight at the break was not cancelled")
				}
			}
			time.Sleep(20 * time.Millisecond) // room for a walk that goes on to show it
			if got := srv.requests.Load(); got != want {
				t.Errorf("after a break on page %d, %d pages were requested, want %d: %q", breakOn, got, want, srv.seenTokens())
			}
		})
	}
}

func TestPrefetchErrorOnce(t *testing.T) {
	pfNoLeaks(t)
	for _, w := range walkers {
		t.Run(w.name+"/status", func(t *testing.T) {
			srv := newPFServer(t, pfChain{pages: 10, answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n != 3 {
					return false
				}
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"detail":"gone"}`))
				return true
			}})
			defer srv.Close()
			ids, errs := walkAll(pfClient(t, srv).Invoices.All(context.Background(), perfBiz, nil, w.opts...))
			if len(ids) != 9 || len(errs) != 1 || !errors.Is(errs[0], ErrNotFound) {
				t.Fatalf("walked %d invoices and %v, want 9 and one ErrNotFound", len(ids), errs)
			}
			if got := srv.requests.Load(); got != 4 {
				t.Errorf("%d requests, want 4: nothing after the error", got)
			}
		})
		t.Run(w.name+"/token loop", func(t *testing.T) {
			srv := newPFServer(t, pfChain{pages: 10, next: func(n int) string {
				if n == 3 {
					return "t2"
				}
				return "t" + strconv.Itoa(n+1)
			}})
			defer srv.Close()
			ids, errs := walkAll(pfClient(t, srv).Invoices.All(context.Background(), perfBiz, nil, w.opts...))
			if len(ids) != 12 || len(errs) != 1 || !errors.Is(errs[0], ErrPageLoop) {
				t.Fatalf("walked %d invoices and %v, want 12 and one ErrPageLoop", len(ids), errs)
			}
			if got := srv.requests.Load(); got != 4 {
				t.Errorf("%d requests, want 4: the repeated token is not fetched", got)
			}
		})
	}
}

func TestPrefetchCallerCancels(t *testing.T) {
	pfNoLeaks(t)
	for _, w := range walkers {
		for _, last := range []bool{false, true} {
			name := w.name
			if last {
				name += "/on the page before the last"
			}
			t.Run(name, func(t *testing.T) {
				pages := 10
				if last {
					pages = 3
				}
				srv := newPFServer(t, pfChain{pages: pages})
				defer srv.Close()
				c := pfClient(t, srv)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var pagesSeen []int
				var errs []error
				for inv, err := range c.Invoices.All(ctx, perfBiz, nil, w.opts...) {
					if err != nil {
						errs = append(errs, err)
						continue
					}
					if n := pageOf(inv); len(pagesSeen) == 0 || pagesSeen[len(pagesSeen)-1] != n {
						pagesSeen = append(pagesSeen, n)
					}
					if pageOf(inv) == 1 {
						// Let the prefetch fetch what it may, then cancel.
						waitFor(t, "the prefetch", func() bool { return srv.requests.Load() >= int64(min(2+w.ahead, pages)) })
						cancel()
					}
				}
				// The page in hand is finished; no page fetched before
				// the cancel is handed out after it.
				if len(pagesSeen) != 2 || pagesSeen[1] != 1 {
					t.Errorf("walked pages %v after cancelling on page 1", pagesSeen)
				}
				if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
					t.Errorf("errors %v, want one context.Canceled", errs)
				}
			})
		}
	}
}

func TestWithPrefetchRange(t *testing.T) {
	pfNoLeaks(t)
	srv := newPFServer(t, pfChain{pages: 2})
	defer srv.Close()
	c := pfClient(t, srv)
	for _, n := range []int{-1, 11} {
		ids, errs := walkAll(c.Invoices.All(context.Background(), perfBiz, nil, WithPrefetch(n)))
		var inputErr *InputError
		if len(ids) != 0 || len(errs) != 1 || !errors.As(errs[0], &inputErr) || !errors.Is(errs[0], ErrValidation) {
			t.Errorf("WithPrefetch(%d): walked %v and %v, want one *InputError", n, ids, errs)
		}
		if _, err := NewClient(WithToken(perfToken), WithPrefetch(n)); !errors.As(err, &inputErr) {
			t.Errorf("NewClient(WithPrefetch(%d)) = %v, want an *InputError", n, err)
		}
	}
	if got := srv.requests.Load(); got != 0 {
		t.Errorf("%d requests for refused options", got)
	}
	// On the client, it sets every walk's default.
	seq := pfClient(t, srv, WithPrefetch(0)).Invoices.All(context.Background(), perfBiz, nil)
	for range seq {
		if n := prefetchGoroutines(); n != 0 {
			t.Fatalf("%d prefetching goroutines in a walk the client set to sequential", n)
		}
	}
}

// A walk broken out of cancels the page it was fetching ahead; that page's
// failure is the walk's own doing, and must not replace, in
// WithResponseInto, the answer of the last page the loop got.
func TestPrefetchCancelledKeepsTheLastPagesResponse(t *testing.T) {
	pfNoLeaks(t)
	s := newPFServer(t, pfChain{pages: 3, answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("X-Request-Id", "req_page"+strconv.Itoa(n))
		if n == 1 {
			<-r.Context().Done() // fetched ahead, never answered
			return true
		}
		return false
	}})
	defer s.Close()
	c := pfClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var resp Response
	for range c.Invoices.All(ctx, testBiz, nil, WithResponseInto(&resp), WithPrefetch(1)) {
		waitFor(t, "the second page to be asked for", func() bool { return s.requests.Load() == 2 })
		break
	}
	if resp.StatusCode != http.StatusOK || resp.RequestID != "req_page0" {
		t.Errorf("the response is %d %q; want the first page's, 200 %q: the last the loop got", resp.StatusCode, resp.RequestID, "req_page0")
	}
}
