package assettest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Page tokens are cursors, not offsets, so that a walk neither skips nor
// repeats items when others are created or change status meanwhile. A
// token holds the business, a fingerprint of the filters and a position in
// creation order, signed with a key of this server: it cannot be forged,
// edited, or used with other filters or another business. Every list route
// pages the same way: pageQuery reads the call's paging and listPage
// answers it, pageOf cutting the page and listResponse sending it.

type cursor struct {
	Business string `json:"b"`
	Filters  string `json:"f"`
	// Forward pages list the items created after Seq; backward pages list
	// those created before it.
	Forward bool   `json:"d"`
	Seq     uint64 `json:"s"`
}

const macSize = 16

func (s *Server) encodeToken(c cursor) string {
	payload, err := json.Marshal(c)
	if err != nil {
		panic("assettest: encoding a page token: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(append(payload, s.mac(payload)...))
}

var errBadToken = errors.New("invalid page token")

func (s *Server) decodeToken(token string) (cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) <= macSize {
		return cursor{}, errBadToken
	}
	payload, mac := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if !hmac.Equal(mac, s.mac(payload)) {
		return cursor{}, errBadToken
	}
	var c cursor
	if err := json.Unmarshal(payload, &c); err != nil {
		return cursor{}, errBadToken
	}
	return c, nil
}

func (s *Server) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, s.tokenKey)
	h.Write(payload)
	return h.Sum(nil)[:macSize]
}

// pageQuery is a list call's paging: the page size and the cursor its
// page_token names, for the business and filters it was issued for.
type pageQuery struct {
	size              int
	cursor            *cursor
	business, filters string
}

// pageQuery reads page_size and page_token from q, failing v where they are
// invalid. filters is the fingerprint of the call's filters; a token issued
// for others is refused with a hint naming them (e.g. "status and due_at").
func (s *Server) pageQuery(v *validator, q url.Values, biz, filters, hint string) pageQuery {
	pq := pageQuery{size: s.pageSize, business: biz, filters: filters}
	if raw := q.Get("page_size"); raw != "" {
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			v.fail([]any{"query", "page_size"}, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
		case n < 1:
			v.fail([]any{"query", "page_size"}, "greater_than_equal", "Input should be greater than or equal to 1")
		case n > 100:
			v.fail([]any{"query", "page_size"}, "less_than_equal", "Input should be less than or equal to 100")
		default:
			pq.size = n
		}
	}
	if raw := q.Get("page_token"); raw != "" && v.ok() {
		c, err := s.decodeToken(raw)
		switch {
		case err != nil:
			v.fail([]any{"query", "page_token"}, "value_error", "Value error, invalid page token")
		case c.Business != biz:
			v.fail([]any{"query", "page_token"}, "value_error", "Value error, the page token belongs to another business")
		case c.Filters != filters:
			v.fail([]any{"query", "page_token"}, "value_error", "Value error, the page token was issued for other filters; repeat the original "+hint+" filters")
		}
		pq.cursor = &c
	}
	return pq
}

// fingerprint identifies a list call's filters, each given as text, in the
// page tokens it issues.
func fingerprint(filters ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(filters, "|")))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// sequenced is an item a list pages through: its position is its place in
// creation order across the server (Server.seq when it was created).
type sequenced interface{ position() uint64 }

// pageOf cuts the page the query names out of items (in creation order)
// and returns it with the tokens of its neighbours, "" where there is none.
func pageOf[T sequenced](s *Server, items []T, pq pageQuery) (page []T, next, prev string) {
	lo, hi := 0, min(pq.size, len(items))
	if c := pq.cursor; c != nil {
		// firstFrom is the index of the first item created at or after seq.
		firstFrom := func(seq uint64) int {
			return sort.Search(len(items), func(k int) bool { return items[k].position() >= seq })
		}
		if c.Forward {
			lo = firstFrom(c.Seq + 1)
			hi = min(lo+pq.size, len(items))
		} else {
			hi = firstFrom(c.Seq)
			lo = max(0, hi-pq.size)
		}
	}
	if hi < len(items) {
		after := items[hi].position() - 1
		if hi > 0 {
			after = items[hi-1].position()
		}
		next = s.encodeToken(cursor{Business: pq.business, Filters: pq.filters, Forward: true, Seq: after})
	}
	if lo > 0 {
		before := items[lo-1].position() + 1
		if lo < len(items) {
			before = items[lo].position()
		}
		prev = s.encodeToken(cursor{Business: pq.business, Filters: pq.filters, Forward: false, Seq: before})
	}
	return items[lo:hi], next, prev
}

// listPage answers a list call: the items of pq's business that keep
// selects, from what list holds, paged as pq says, each as wire writes it.
// It takes s.mu.
func listPage[T sequenced, W any](s *Server, pq pageQuery, list func(*business) []T, keep func(T) bool, wire func(T) W) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []T
	if b := s.businesses[pq.business]; b != nil {
		for _, it := range list(b) {
			if keep(it) {
				items = append(items, it)
			}
		}
	}
	page, next, prev := pageOf(s, items, pq)
	data := make([]W, len(page))
	for i, it := range page {
		data[i] = wire(it)
	}
	return listResponse(data, next, prev)
}

// listResponse is the API's list envelope: a page of data and the tokens
// of the pages around it, null where there is none.
func listResponse[T any](data []T, next, prev string) response {
	type pagination struct {
		Next *string `json:"next_page_token"`
		Prev *string `json:"previous_page_token"`
	}
	return jsonResponse(http.StatusOK, struct {
		Data       []T        `json:"data"`
		Pagination pagination `json:"pagination"`
	}{data, pagination{nullable(next), nullable(prev)}})
}
