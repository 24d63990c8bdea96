package assettest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"
)

// Page tokens are cursors, not offsets, so that a walk neither skips nor
// repeats invoices when others are created or change status meanwhile. A
// token holds the business, a fingerprint of the filters and a position in
// creation order, signed with a key of this server: it cannot be forged,
// edited, or used with other filters or another business.

type cursor struct {
	Business string `json:"b"`
	Filters  string `json:"f"`
	// Forward pages list invoices created after Seq; backward pages list
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

// listFilter is a list call's filters.
type listFilter struct {
	statuses   []string
	start, end time.Time
}

// fingerprint identifies the filters in a page token; the order of the
// status values does not matter.
func (f listFilter) fingerprint() string {
	st := slices.Clone(f.statuses)
	slices.Sort(st)
	st = slices.Compact(st)
	parts := []string{strings.Join(st, ","), fmtTime(f.start), fmtTime(f.end)}
	sum := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (f listFilter) match(inv *invoice) bool {
	if len(f.statuses) > 0 && !slices.Contains(f.statuses, string(inv.status)) {
		return false
	}
	if !f.start.IsZero() && (inv.dueAt.IsZero() || inv.dueAt.Before(f.start)) {
		return false
	}
	if !f.end.IsZero() && (inv.dueAt.IsZero() || inv.dueAt.After(f.end)) {
		return false
	}
	return true
}

// page cuts the page a cursor names out of items (in creation order) and
// returns it with the tokens of its neighbours, "" where there is none.
func (s *Server) page(items []*invoice, c *cursor, size int, biz, filters string) (page []*invoice, next, prev string) {
	lo, hi := 0, min(size, len(items))
	if c != nil {
		// firstFrom is the index of the first item created at or after seq.
		firstFrom := func(seq uint64) int {
			return sort.Search(len(items), func(k int) bool { return items[k].seq >= seq })
		}
		if c.Forward {
			lo = firstFrom(c.Seq + 1)
			hi = min(lo+size, len(items))
		} else {
			hi = firstFrom(c.Seq)
			lo = max(0, hi-size)
		}
	}
	if hi < len(items) {
		after := items[hi].seq - 1
		if hi > 0 {
			after = items[hi-1].seq
		}
		next = s.encodeToken(cursor{Business: biz, Filters: filters, Forward: true, Seq: after})
	}
	if lo > 0 {
		before := items[lo-1].seq + 1
		if lo < len(items) {
			before = items[lo].seq
		}
		prev = s.encodeToken(cursor{Business: biz, Filters: filters, Forward: false, Seq: before})
	}
	return items[lo:hi], next, prev
}
