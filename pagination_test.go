package asset

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listReply is how the fake list endpoint answers for one page token.
type listReply struct {
	status int    // 200 unless set
	body   string // the list response
	fails  int    // answer the first this many requests with failStatus
	// failStatus is 400 unless set.
	failStatus int
}

// page is a list response with the given invoice ids; an empty token is
// sent as null.
func listPage(next, prev string, ids ...string) listReply {
	data := make([]map[string]string, len(ids))
	for i, id := range ids {
		data[i] = map[string]string{"id": id, "business_id": testBiz, "number": "N-" + id}
	}
	tok := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	b, _ := json.Marshal(map[string]any{
		"data":       data,
		"pagination": map[string]any{"next_page_token": tok(next), "previous_page_token": tok(prev)},
	})
	return listReply{body: string(b)}
}

// listSite serves a list of invoices page by page, keyed by page_token,
// and records the tokens asked for.
type listSite struct {
	*recServer
	mu    sync.Mutex
	hits  map[string]int
	pages map[string]listReply
}

func newListSite(t *testing.T, pages map[string]listReply) *listSite {
	t.Helper()
	s := &listSite{pages: pages, hits: map[string]int{}}
	s.recServer = newRecServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path != "/v0/business/"+testBiz+"/invoice" || r.Method != http.MethodGet {
			replyJSON(w, 404, `{"detail": "Not Found"}`)
			return
		}
		token := r.URL.Query().Get("page_token")
		s.mu.Lock()
		s.hits[token]++
		hit := s.hits[token]
		s.mu.Unlock()
		p, ok := s.pages[token]
		switch {
		case !ok:
			replyJSON(w, 400, `{"detail": "invalid page token"}`)
		case hit <= p.fails:
			replyJSON(w, cmp.Or(p.failStatus, 400), `{"detail": "page not ready"}`)
		case p.status != 0:
			replyJSON(w, p.status, `{"detail": "failed on purpose"}`)
		default:
			replyJSON(w, 200, p.body)
		}
	})
	return s
}

// tokens lists the page tokens requested, in order; "" is the first page.
func (s *listSite) tokens() []string {
	var out []string
	for _, r := range s.requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		out = append(out, q.Get("page_token"))
	}
	return out
}

// collect runs a walk to its end, returning the ids and the errors yielded.
func walkAll(seq func(func(Invoice, error) bool)) (ids []string, errs []error) {
	for inv, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue // a walk must end by itself after an error
		}
		ids = append(ids, inv.ID)
		if len(ids) > walkAllLimit {
			// A walk that does not end by itself fails here rather than
			// at the test binary's timeout.
			errs = append(errs, errors.New("walk did not end"))
			break
		}
	}
	return ids, errs
}

// walkAllLimit is far more items than any test serves.
const walkAllLimit = 1_000

func TestAllWalksEveryPage(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{
		"":   listPage("p2", "", "a", "b"),
		"p2": listPage("p3", "q1", "c"),
		"p3": listPage("p4", "q2"), // empty, but a next token: go on
		"p4": listPage("p5", "q3"),
		"p5": listPage("", "q4", "d", "e"),
	})
	ids, errs := walkAll(site.client(t).Invoices.All(context.Background(), testBiz, nil))
	assert.Empty(t, errs)
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, ids)
	assert.Equal(t, []string{"", "p2", "p3", "p4", "p5"}, site.tokens())
}

func TestAllEndsOnlyWithoutNextToken(t *testing.T) {
	t.Parallel()
	ends := map[string]string{
		"null":          `{"data": [{"id": "z"}], "pagination": {"next_page_token": null, "previous_page_token": "q"}}`,
		"empty string":  `{"data": [{"id": "z"}], "pagination": {"next_page_token": "", "previous_page_token": "q"}}`,
		"absent member": `{"data": [{"id": "z"}], "pagination": {"previous_page_token": "q"}}`,
		"no pagination": `{"data": [{"id": "z"}]}`,
	}
	for name, last := range ends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			site := newListSite(t, map[string]listReply{
				"":   listPage("p2", "", "a"),
				"p2": {body: last},
			})
			ids, errs := walkAll(site.client(t).Invoices.All(context.Background(), testBiz, nil))
			assert.Empty(t, errs)
			assert.Equal(t, []string{"a", "z"}, ids)
			assert.Equal(t, []string{"", "p2"}, site.tokens())
		})
	}
}

func TestAllEmptyPagesWithTokenGoOn(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{
		"":   listPage("p2", ""),
		"p2": {body: `{"data": null, "pagination": {"next_page_token": "p3"}}`},
		"p3": listPage("", "", "a"),
	})
	ids, errs := walkAll(site.client(t).Invoices.All(context.Background(), testBiz, nil))
	assert.Empty(t, errs)
	assert.Equal(t, []string{"a"}, ids)
	assert.Equal(t, []string{"", "p2", "p3"}, site.tokens())
}

func TestAllNoInvoices(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{"": listPage("", "")})
	ids, errs := walkAll(site.client(t).Invoices.All(context.Background(), testBiz, nil))
	assert.Empty(t, errs)
	assert.Empty(t, ids)
	assert.Equal(t, 1, site.count())
}

func TestAllRepeatedTokenIsAnError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		start      string
		pages      map[string]listReply
		wantIDs    []string
		wantTokens []string
	}{
		{
			name:  "A B A",
			pages: map[string]listReply{"": listPage("A", "", "x"), "A": listPage("B", "", "a"), "B": listPage("A", "", "b")},
			// The first page, A and B are each fetched once; A is not asked for again.
			wantIDs:    []string{"x", "a", "b"},
			wantTokens: []string{"", "A", "B"},
		},
		{
			name:       "back to the start",
			start:      "S",
			pages:      map[string]listReply{"S": listPage("T", "", "s"), "T": listPage("S", "", "t")},
			wantIDs:    []string{"s", "t"},
			wantTokens: []string{"S", "T"},
		},
		{
			name:       "itself",
			pages:      map[string]listReply{"": listPage("A", "", "x"), "A": listPage("A", "", "a")},
			wantIDs:    []string{"x", "a"},
			wantTokens: []string{"", "A"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			site := newListSite(t, tc.pages)
			params := &InvoiceListParams{PageToken: tc.start}
			ids, errs := walkAll(site.client(t).Invoices.All(context.Background(), testBiz, params))
			assert.Equal(t, tc.wantIDs, ids)
			require.Len(t, errs, 1, "the loop error is yielded once")
			assert.ErrorIs(t, errs[0], ErrPageLoop)
			assertNoSecrets(t, errs[0])
			assert.Equal(t, tc.wantTokens, site.tokens())
		})
	}
}

func TestAllMidWalkErrorYieldedOnce(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		pages      map[string]listReply
		wantIDs    []string
		wantTokens []string
		is         error
	}{
		{
			name:       "second page",
			pages:      map[string]listReply{"": listPage("p2", "", "a", "b"), "p2": {status: 404}, "p3": listPage("", "", "c")},
			wantIDs:    []string{"a", "b"},
			wantTokens: []string{"", "p2"},
			is:         ErrNotFound,
		},
		{
			name:       "first page",
			pages:      map[string]listReply{"": {status: 403}},
			wantIDs:    nil,
			wantTokens: []string{""},
			is:         ErrForbidden,
		},
		{
			name:       "undecodable page",
			pages:      map[string]listReply{"": listPage("p2", "", "a"), "p2": {body: `<html>`}},
			wantIDs:    []string{"a"},
			wantTokens: []string{"", "p2"},
			is:         ErrInvalidReply,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			site := newListSite(t, tc.pages)
			ids, errs := walkAll(site.client(t).Invoices.All(context.Background(), testBiz, nil))
			assert.Equal(t, tc.wantIDs, ids)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], tc.is)
			assertNoSecrets(t, errs[0])
			assert.Equal(t, tc.wantTokens, site.tokens())
		})
	}
}

func TestAllRetriesAPageLikeAnyGET(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{
		"":   listPage("p2", "", "a"),
		"p2": {body: listPage("", "", "b").body, fails: 1, failStatus: 503},
	})
	ids, errs := walkAll(site.client(t).Invoices.All(context.Background(), testBiz, nil))
	assert.Empty(t, errs)
	assert.Equal(t, []string{"a", "b"}, ids)
	assert.Equal(t, []string{"", "p2", "p2"}, site.tokens())
}

func TestAllBreakStopsFetching(t *testing.T) {
	// Not parallel: a walk that wrongly goes on has 20ms to show it.
	pages := map[string]listReply{
		"":   listPage("p2", "", "a1", "a2"),
		"p2": listPage("p3", "", "b1", "b2"),
		"p3": listPage("p4", "", "c1", "c2"),
		"p4": listPage("p5", "", "d1", "d2"),
		"p5": listPage("", "", "e1", "e2"),
	}
	order := []string{"", "p2", "p3", "p4", "p5"}
	for _, stopAt := range []string{"a1", "a2", "b1", "c2"} {
		t.Run(stopAt, func(t *testing.T) {
			site := newListSite(t, pages)
			var onPage int
			for inv, err := range site.client(t).Invoices.All(context.Background(), testBiz, nil) {
				require.NoError(t, err)
				onPage = strings.Index("abcde", inv.ID[:1])
				if inv.ID == stopAt {
					break
				}
			}
			// Whatever was in flight has been answered or cancelled by now;
			// give a walk that wrongly goes on the time to show it.
			time.Sleep(20 * time.Millisecond)
			tokens := site.tokens()
			assert.LessOrEqual(t, len(tokens), onPage+2,
				"at most one page beyond the one being consumed was requested: %q", tokens)
			assert.Equal(t, order[:len(tokens)], tokens, "pages are requested in order, each once")
		})
	}
}

func TestAllCopiesParams(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{
		"":   listPage("p2", "", "a"),
		"p2": listPage("p3", "", "b"),
		"p3": listPage("", "", "c"),
	})
	due := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	params := &InvoiceListParams{Status: []InvoiceStatus{InvoiceStatusOpen}, PageSize: 2, DueAtEnd: due}
	seq := site.client(t).Invoices.All(context.Background(), testBiz, params)
	// Changes after All returns, before and during the walk, have no effect.
	params.Status[0] = InvoiceStatusPaid
	params.PageSize = 50
	params.PageToken = "p3"
	var ids []string
	for inv, err := range seq {
		require.NoError(t, err)
		ids = append(ids, inv.ID)
		params.Status = append(params.Status, InvoiceStatusVoided)
		params.DueAtEnd = time.Time{}
	}
	assert.Equal(t, []string{"a", "b", "c"}, ids)
	reqs := site.requests()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		assert.Equal(t, []string{"open"}, q["status"], "request %d", i)
		assert.Equal(t, "2", q.Get("page_size"), "request %d", i)
		assert.Equal(t, "2026-01-31T00:00:00Z", q.Get("due_at_end"), "request %d", i)
	}
	assert.Equal(t, []string{"", "p2", "p3"}, site.tokens())
}

func TestAllStartsAtCallersToken(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{
		"":   listPage("p2", "", "a"),
		"p2": listPage("p3", "q1", "b"),
		"p3": listPage("", "q2", "c"),
	})
	ids, errs := walkAll(site.client(t).Invoices.All(context.Background(), testBiz, &InvoiceListParams{PageToken: "p2"}))
	assert.Empty(t, errs)
	assert.Equal(t, []string{"b", "c"}, ids)
	assert.Equal(t, []string{"p2", "p3"}, site.tokens())
}

func TestAllBadInputYieldedOnceWithoutRequest(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{"": listPage("", "", "a")})
	c := site.client(t)
	for name, seq := range map[string]func(func(Invoice, error) bool){
		"empty business":  c.Invoices.All(context.Background(), "", nil),
		"slash":           c.Invoices.All(context.Background(), "biz/../x", nil),
		"page size":       c.Invoices.All(context.Background(), testBiz, &InvoiceListParams{PageSize: 101}),
		"unknown status":  c.Invoices.All(context.Background(), testBiz, &InvoiceListParams{Status: []InvoiceStatus{"late"}}),
		"client option":   c.Invoices.All(context.Background(), testBiz, nil, WithBaseURL(SandboxURL)),
		"negative size":   c.Invoices.All(context.Background(), testBiz, &InvoiceListParams{PageSize: -1}),
		"reversed range":  c.Invoices.All(context.Background(), testBiz, &InvoiceListParams{DueAtStart: time.Now(), DueAtEnd: time.Now().Add(-time.Hour)}),
		"bad call option": c.Invoices.All(context.Background(), testBiz, nil, WithMaxRetries(-1)),
	} {
		t.Run(name, func(t *testing.T) {
			ids, errs := walkAll(seq)
			assert.Empty(t, ids)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrValidation)
			assertNoSecrets(t, errs[0])
		})
	}
	assert.Zero(t, site.count())
}

func TestAllCancelledContext(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{
		"":   listPage("p2", "", "a", "b"),
		"p2": listPage("p3", "", "c"),
		"p3": listPage("", "", "d"),
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ids []string
	var errs []error
	for inv, err := range site.client(t).Invoices.All(ctx, testBiz, nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, inv.ID)
		cancel()
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assertNoSecrets(t, errs[0])
	// Page one may be walked to its end; nothing after the cancel is yielded
	// as an invoice from a page fetched later.
	assert.NotContains(t, ids, "d")
	assert.LessOrEqual(t, site.count(), 2)
}

func TestListOnePage(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{"p2": listPage("p3", "p1", "b", "c")})
	params := &InvoiceListParams{PageToken: "p2", PageSize: 2}
	p, err := site.client(t).Invoices.List(context.Background(), testBiz, params)
	require.NoError(t, err)
	require.Len(t, p.Data, 2)
	assert.Equal(t, "b", p.Data[0].ID)
	assert.Equal(t, "p3", p.NextPageToken)
	assert.Equal(t, "p1", p.PreviousPageToken)
	assert.True(t, p.HasNext())
	assert.True(t, p.HasPrevious())
	assert.Equal(t, []string{"p2"}, site.tokens())
	assert.Equal(t, "p2", params.PageToken, "the caller's params are left alone")
}

// pagerListSite has three pages with direction-specific tokens, as opaque
// cursors often are: n2 and p1 name pages 2 and 1 from either side.
func pagerListSite(t *testing.T) *listSite {
	return newListSite(t, map[string]listReply{
		"":   listPage("n2", "", "a", "b"),
		"p1": listPage("n2", "", "a", "b"),
		"n2": listPage("n3", "p1", "c", "d"),
		"p2": listPage("n3", "p1", "c", "d"),
		"n3": listPage("", "p2", "e"),
	})
}

func idsOf(p *Page[Invoice]) []string {
	var ids []string
	for _, inv := range p.Data {
		ids = append(ids, inv.ID)
	}
	return ids
}

func TestPagerForwardAndBack(t *testing.T) {
	t.Parallel()
	site := pagerListSite(t)
	pg := site.client(t).Invoices.Pager(testBiz, nil)
	ctx := context.Background()
	assert.Nil(t, pg.Current())
	assert.True(t, pg.HasNext())
	assert.True(t, pg.HasPrevious())

	steps := []struct {
		forward bool
		want    []string // nil: ErrNoMorePages
	}{
		{true, []string{"a", "b"}},
		{false, nil}, // nothing before the first page
		{true, []string{"c", "d"}},
		{true, []string{"e"}},
		{true, nil}, // nothing after the last
		{false, []string{"c", "d"}},
		{false, []string{"a", "b"}},
		{false, nil},
		{true, []string{"c", "d"}},
	}
	for i, st := range steps {
		var p *Page[Invoice]
		var err error
		if st.forward {
			p, err = pg.Next(ctx)
		} else {
			p, err = pg.Previous(ctx)
		}
		if st.want == nil {
			require.ErrorIs(t, err, ErrNoMorePages, "step %d", i)
			assert.Nil(t, p)
			continue
		}
		require.NoError(t, err, "step %d", i)
		assert.Equal(t, st.want, idsOf(p), "step %d", i)
		assert.Same(t, p, pg.Current())
	}
	assert.Equal(t, []string{"", "n2", "n3", "p2", "p1", "n2"}, site.tokens(),
		"reaching an end costs no request")
}

func TestPagerHasNextAndPrevious(t *testing.T) {
	t.Parallel()
	site := pagerListSite(t)
	pg := site.client(t).Invoices.Pager(testBiz, nil)
	_, err := pg.Next(context.Background())
	require.NoError(t, err)
	assert.True(t, pg.HasNext())
	assert.False(t, pg.HasPrevious())
	_, err = pg.Next(context.Background())
	require.NoError(t, err)
	_, err = pg.Next(context.Background())
	require.NoError(t, err)
	assert.False(t, pg.HasNext())
	assert.True(t, pg.HasPrevious())
}

func TestPagerFromSavedToken(t *testing.T) {
	t.Parallel()
	for _, forward := range []bool{true, false} {
		t.Run(map[bool]string{true: "next first", false: "previous first"}[forward], func(t *testing.T) {
			t.Parallel()
			site := pagerListSite(t)
			pg := site.client(t).Invoices.Pager(testBiz, &InvoiceListParams{PageToken: "n3"})
			ctx := context.Background()
			first := pg.Previous
			if forward {
				first = pg.Next
			}
			p, err := first(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"e"}, idsOf(p), "the first move loads the saved page")
			_, err = pg.Next(ctx)
			assert.ErrorIs(t, err, ErrNoMorePages)
			p, err = pg.Previous(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"c", "d"}, idsOf(p))
			p, err = pg.Previous(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"a", "b"}, idsOf(p))
			_, err = pg.Previous(ctx)
			assert.ErrorIs(t, err, ErrNoMorePages)
			assert.Equal(t, []string{"n3", "p2", "p1"}, site.tokens())
		})
	}
}

func TestPagerFailedLoadStaysPut(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{
		"":   listPage("n2", "", "a"),
		"n2": {body: listPage("n3", "p1", "b").body, fails: 1},
		"n3": listPage("", "p2", "c"),
	})
	pg := site.client(t).Invoices.Pager(testBiz, nil)
	ctx := context.Background()
	first, err := pg.Next(ctx)
	require.NoError(t, err)

	p, err := pg.Next(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrValidation)
	assertNoSecrets(t, err)
	assert.Nil(t, p)
	assert.Same(t, first, pg.Current(), "a failed move leaves the pager where it was")
	assert.True(t, pg.HasNext())

	p, err = pg.Next(ctx)
	require.NoError(t, err, "the same move can be tried again")
	assert.Equal(t, []string{"b"}, idsOf(p))
	assert.Equal(t, []string{"", "n2", "n2"}, site.tokens())
}

func TestPagerFailedFirstLoad(t *testing.T) {
	t.Parallel()
	site := newListSite(t, map[string]listReply{"": {body: listPage("", "", "a").body, fails: 1}})
	pg := site.client(t).Invoices.Pager(testBiz, nil)
	_, err := pg.Next(context.Background())
	require.Error(t, err)
	assert.Nil(t, pg.Current())
	p, err := pg.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, idsOf(p))
}

func TestPagerBadInputOnFirstMove(t *testing.T) {
	t.Parallel()
	site := pagerListSite(t)
	c := site.client(t)
	cases := map[string]*Pager[Invoice]{
		"empty business": c.Invoices.Pager("", nil),
		"page size":      c.Invoices.Pager(testBiz, &InvoiceListParams{PageSize: 500}),
		"unknown status": c.Invoices.Pager(testBiz, &InvoiceListParams{Status: []InvoiceStatus{"archived"}}),
		"client option":  c.Invoices.Pager(testBiz, nil, WithLogger(nil)),
	}
	for name, pg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := pg.Next(context.Background())
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			_, err = pg.Previous(context.Background())
			require.ErrorAs(t, err, &ie)
			assertNoSecrets(t, err)
			assert.Nil(t, pg.Current())
		})
	}
	assert.Zero(t, site.count(), "nothing is sent for bad input")
}

// A pager from a saved token sends that token and the filters on its first
// move, in one request.
func TestPagerSavedTokenAndFiltersSent(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("GET "+pathInvoices, reply(200, listPage("tok_next", "tok_prev", "x").body))
	pg := c.Invoices.Pager(testBiz, &InvoiceListParams{Status: []InvoiceStatus{InvoiceStatusOpen}, PageToken: "tok_saved"})
	p, err := pg.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, idsOf(p))
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "page_token=tok_saved&status=open", sent[0].Query)
}

// queryRecorder answers every list request with an empty last page and keeps
// the URL it was sent to.
type queryRecorder struct {
	mu   sync.Mutex
	urls []*url.URL
}

func (r *queryRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.urls = append(r.urls, req.URL)
	r.mu.Unlock()
	return (&fixedReply{status: 200, header: http.Header{}, body: []byte(`{"data": [], "pagination": {}}`)}).RoundTrip(req)
}

func FuzzListQuery(f *testing.F) {
	f.Add("", "open", 0)
	f.Add("eyJvZmZzZXQiOiAxMDB9", "open,paid", 100)
	f.Add("a+b/c=d&page_token=evil#frag", "uncollectible", 1)
	f.Add("tok with spaces %20 %zz", "partially_refunded,refunded,voided", 50)
	f.Add("\x00\xff\n\r\t", "", -1)
	f.Add("ünïcødé✓", "open,", 101)
	f.Add(strings.Repeat("x", 5000), "OPEN", 7)

	f.Fuzz(func(t *testing.T, token, statuses string, pageSize int) {
		rq := &queryRecorder{}
		c, err := NewClient(WithToken(testToken), WithHTTPClient(&http.Client{Transport: rq}), WithMaxRetries(0))
		require.NoError(t, err)
		var sts []InvoiceStatus
		known := true
		if statuses != "" {
			for _, s := range strings.Split(statuses, ",") {
				sts = append(sts, InvoiceStatus(s))
				known = known && InvoiceStatus(s).IsKnown()
			}
		}
		params := &InvoiceListParams{Status: sts, PageSize: pageSize, PageToken: token}
		_, err = c.Invoices.List(context.Background(), testBiz, params)

		if !known || pageSize < 0 || pageSize > 100 {
			require.ErrorIs(t, err, ErrValidation)
			require.Empty(t, rq.urls, "nothing is sent for bad input")
			return
		}
		require.NoError(t, err)
		require.Len(t, rq.urls, 1)
		u := rq.urls[0]
		require.Equal(t, "/v0/business/"+testBiz+"/invoice", u.Path)
		q, err := url.ParseQuery(u.RawQuery)
		require.NoError(t, err)
		if token == "" {
			_, has := q["page_token"]
			require.False(t, has)
		} else {
			require.Equal(t, []string{token}, q["page_token"], "the token round-trips exactly")
		}
		var wantStatus []string
		for _, s := range sts {
			wantStatus = append(wantStatus, string(s))
		}
		require.Equal(t, wantStatus, q["status"])
		if pageSize == 0 {
			require.Empty(t, q.Get("page_size"))
		} else {
			require.Equal(t, strconv.Itoa(pageSize), q.Get("page_size"))
		}
		for k := range q {
			require.Contains(t, []string{"page_token", "status", "page_size"}, k)
		}

		// The same token through a pager and a walk.
		pg := c.Invoices.Pager(testBiz, params)
		_, err = pg.Next(context.Background())
		require.NoError(t, err)
		for _, err := range c.Invoices.All(context.Background(), testBiz, params) {
			require.NoError(t, err)
		}
		require.Len(t, rq.urls, 3)
		for _, u := range rq.urls[1:] {
			require.Equal(t, rq.urls[0].RawQuery, u.RawQuery)
		}
	})
}
