package assettest_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/assettest"
)

// seedList creates invoices N-01..N-n due on consecutive days of March 2024,
// and voids those whose number is a multiple of voidEvery.
func seedList(h *tester, n, voidEvery int) {
	h.t.Helper()
	var batch []map[string]any
	for i := 1; i <= n; i++ {
		batch = append(batch, map[string]any{
			"number": fmt.Sprintf("N-%02d", i),
			"due_at": fmt.Sprintf("2024-03-%02dT00:00:00Z", i),
			"lines":  []any{map[string]any{"amount": i}},
		})
	}
	rep := h.create(biz, batch...)
	for i, d := range rep.get("data").([]any) {
		if voidEvery > 0 && (i+1)%voidEvery == 0 {
			h.do("PATCH", bizPath(biz, "/invoice/"+str(get(d, "id"))), map[string]any{"status": "voided"}).requireStatus(h.t, 200)
		}
	}
}

func (h *tester) list(q url.Values) reply {
	h.t.Helper()
	return h.do("GET", bizPath(biz, "/invoice?"+q.Encode()), nil)
}

func numbers(r reply) []string {
	var out []string
	for _, d := range r.get("data").([]any) {
		out = append(out, str(get(d, "number")))
	}
	return out
}

func TestListFilters(t *testing.T) {
	h := newTester(t)
	seedList(h, 9, 3) // N-03, N-06, N-09 voided
	tests := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"everything in creation order", url.Values{}, []string{"N-01", "N-02", "N-03", "N-04", "N-05", "N-06", "N-07", "N-08", "N-09"}},
		{"one status", url.Values{"status": {"voided"}}, []string{"N-03", "N-06", "N-09"}},
		{"repeated status keys", url.Values{"status": {"voided", "paid"}}, []string{"N-03", "N-06", "N-09"}},
		{"due range is inclusive", url.Values{"due_at_start": {"2024-03-02T00:00:00Z"}, "due_at_end": {"2024-03-04T00:00:00Z"}}, []string{"N-02", "N-03", "N-04"}},
		{"due range with zone offset", url.Values{"due_at_start": {"2024-03-08T01:00:00+01:00"}}, []string{"N-08", "N-09"}},
		{"status and due range", url.Values{"status": {"open"}, "due_at_end": {"2024-03-05"}}, []string{"N-01", "N-02", "N-04", "N-05"}},
		{"nothing matches", url.Values{"status": {"refunded"}}, nil},
		{"page size", url.Values{"page_size": {"2"}}, []string{"N-01", "N-02"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.list(tt.query).requireStatus(t, 200)
			assert.Equal(t, tt.want, numbers(rep))
		})
	}
}

func TestListValidation(t *testing.T) {
	h := newTester(t)
	tests := []struct {
		query url.Values
		typ   string
		loc   []any
	}{
		{url.Values{"page_size": {"0"}}, "greater_than_equal", []any{"query", "page_size"}},
		{url.Values{"page_size": {"101"}}, "less_than_equal", []any{"query", "page_size"}},
		{url.Values{"page_size": {"ten"}}, "int_parsing", []any{"query", "page_size"}},
		{url.Values{"status": {"open", "closed"}}, "enum", []any{"query", "status", 1}},
		{url.Values{"due_at_start": {"yesterday"}}, "datetime_from_date_parsing", []any{"query", "due_at_start"}},
		{url.Values{"page_token": {"garbage!"}}, "value_error", []any{"query", "page_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.query.Encode(), func(t *testing.T) {
			h.list(tt.query).requireDetailAt(t, tt.typ, tt.loc...)
		})
	}
}

func TestDefaultPageSize(t *testing.T) {
	h := newTester(t, assettest.WithDefaultPageSize(4))
	seedList(h, 5, 0)
	assert.Len(t, h.list(nil).requireStatus(t, 200).get("data"), 4)
}

func TestPageTokensBothWays(t *testing.T) {
	h := newTester(t)
	seedList(h, 7, 0)
	q := func(token string) url.Values {
		v := url.Values{"page_size": {"3"}, "status": {"open"}}
		if token != "" {
			v.Set("page_token", token)
		}
		return v
	}
	tokens := func(r reply) (next, prev string) {
		return str(r.get("pagination", "next_page_token")), str(r.get("pagination", "previous_page_token"))
	}

	p1 := h.list(q("")).requireStatus(t, 200)
	assert.Equal(t, []string{"N-01", "N-02", "N-03"}, numbers(p1))
	next1, prev1 := tokens(p1)
	assert.Nil(t, p1.get("pagination", "previous_page_token"), "null, not empty, on the first page")
	assert.Empty(t, prev1)
	require.NotEmpty(t, next1)

	p2 := h.list(q(next1)).requireStatus(t, 200)
	assert.Equal(t, []string{"N-04", "N-05", "N-06"}, numbers(p2))
	next2, prev2 := tokens(p2)

	p3 := h.list(q(next2)).requireStatus(t, 200)
	assert.Equal(t, []string{"N-07"}, numbers(p3))
	next3, prev3 := tokens(p3)
	assert.Nil(t, p3.get("pagination", "next_page_token"))
	assert.Empty(t, next3)

	// Backwards from the last page, and from a saved token.
	back2 := h.list(q(prev3)).requireStatus(t, 200)
	assert.Equal(t, []string{"N-04", "N-05", "N-06"}, numbers(back2))
	back1 := h.list(q(prev2)).requireStatus(t, 200)
	assert.Equal(t, []string{"N-01", "N-02", "N-03"}, numbers(back1))
	_, prevBack1 := tokens(back1)
	assert.Empty(t, prevBack1)

	// An invoice created meanwhile neither shifts nor repeats a walk.
	seedMore := h.create(biz, map[string]any{"number": "N-08"})
	require.Len(t, seedMore.get("data"), 1)
	p3again := h.list(q(next2)).requireStatus(t, 200)
	assert.Equal(t, []string{"N-07", "N-08"}, numbers(p3again))

	// The same position gives the same token: a walk can be resumed.
	assert.Equal(t, next1, str(h.list(q("")).get("pagination", "next_page_token")))
	// A page size change between pages is allowed.
	assert.Equal(t, []string{"N-04"}, numbers(h.list(url.Values{"page_size": {"1"}, "status": {"open"}, "page_token": {next1}})))
}

func TestPageTokenForgery(t *testing.T) {
	h := newTester(t)
	seedList(h, 5, 0)
	first := h.list(url.Values{"page_size": {"2"}}).requireStatus(t, 200)
	token := str(first.get("pagination", "next_page_token"))
	require.NotEmpty(t, token)
	raw, err := base64.RawURLEncoding.DecodeString(token)
	require.NoError(t, err, "tokens are base64url")

	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)/3] ^= 0x01
	other := newTester(t)
	otherTok := func() string {
		seedList(other, 3, 0)
		return str(other.list(url.Values{"page_size": {"1"}}).get("pagination", "next_page_token"))
	}()

	tests := []struct {
		name  string
		query url.Values
	}{
		{"a bit flipped", url.Values{"page_size": {"2"}, "page_token": {base64.RawURLEncoding.EncodeToString(flipped)}}},
		{"truncated", url.Values{"page_size": {"2"}, "page_token": {token[:len(token)-4]}}},
		{"not base64", url.Values{"page_token": {"%%%"}}},
		{"made up", url.Values{"page_token": {base64.RawURLEncoding.EncodeToString([]byte(`{"b":"` + biz + `","s":0,"d":true}0123456789abcdef`))}}},
		{"other filters", url.Values{"page_size": {"2"}, "status": {"open"}, "page_token": {token}}},
		{"other due range", url.Values{"page_size": {"2"}, "due_at_start": {"2024-01-01"}, "page_token": {token}}},
		{"another server's token", url.Values{"page_token": {otherTok}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.list(tt.query).requireDetailAt(t, "value_error", "query", "page_token")
		})
	}

	// Another business's token is refused too.
	h.do("GET", bizPath("biz_other", "/invoice?page_token="+token), nil).requireDetailAt(t, "value_error", "query", "page_token")
	// Status order does not matter for a token.
	a := h.list(url.Values{"page_size": {"1"}, "status": {"open", "paid"}}).requireStatus(t, 200)
	h.list(url.Values{"page_size": {"1"}, "status": {"paid", "open"}, "page_token": {str(a.get("pagination", "next_page_token"))}}).requireStatus(t, 200)
}
