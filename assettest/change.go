package assettest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
)

// A change is every request or test control that may alter the state. On
// a server that keeps a state file (WithState), changes run one at a time,
// and each one that changed something is written to the file's journal
// and synced before it is answered. Replaying the journal at start must
// rebuild exactly the state that was answered for, so a change draws its
// ids and reads the time only through its draw, which records them when
// live and hands the recorded ones back when replayed.

// draw is the ids and the time of the change under way.
type draw struct {
	now    time.Time
	ids    []string
	replay bool
	// next is the next recorded id a replay hands out; off is set when
	// the replay asked for an id that was not recorded, or of another
	// prefix: the replay then no longer rebuilds what was answered.
	next int
	off  bool
}

// newID is a fresh id of the prefix for the change under way: random, and
// recorded when the server keeps a state file; the recorded one on replay.
func (s *Server) newID(prefix string) string {
	d := s.draw
	switch {
	case d == nil:
		return newID(prefix)
	case d.replay:
		if d.next < len(d.ids) && strings.HasPrefix(d.ids[d.next], prefix) {
			d.next++
			return d.ids[d.next-1]
		}
		d.off = true
		return newID(prefix)
	}
	id := newID(prefix)
	d.ids = append(d.ids, id)
	return id
}

// clock is the time of the change under way, read once per change so that
// a replay stamps what the live change stamped. The rate limiter and token
// expiry read s.now: they are not part of the state.
func (s *Server) clock() time.Time {
	if d := s.draw; d != nil {
		return d.now
	}
	return s.now()
}

// The kinds of journal entries; opRequest is an API request.
const (
	opRequest        = ""
	opAddTransaction = "add_transaction"
	opAddCredit      = "add_credit"
	opAddTagField    = "add_tag_field"
)

// entry is one line of the journal: a change as it was applied, and what
// its answer was, to check the replay against.
type entry struct {
	Op string `json:"op,omitempty"`

	// An API request.
	Method      string          `json:"method,omitempty"`
	Target      string          `json:"target,omitempty"`
	ContentType string          `json:"content_type,omitempty"`
	UserID      string          `json:"user_id,omitempty"`
	Body        json.RawMessage `json:"body,omitempty"`
	// RawBody is a body that is not JSON, which Body cannot hold.
	RawBody []byte `json:"raw_body,omitempty"`

	// A test control.
	Business string `json:"business,omitempty"`
	Customer string `json:"customer,omitempty"`
	Amount   string `json:"amount,omitempty"`
	Name     string `json:"name,omitempty"`

	Now    time.Time `json:"now"`
	IDs    []string  `json:"ids,omitempty"`
	Status int       `json:"status"`
	// Digest is the answer's body's checksum: a replay that answers
	// otherwise rebuilt another state than the one answered for.
	Digest string `json:"digest"`
}

// requestEntry is the journal entry of an API request, without its
// outcome.
func requestEntry(c *call) *entry {
	e := &entry{
		Method:      c.r.Method,
		Target:      c.r.URL.RequestURI(),
		ContentType: c.r.Header.Get("Content-Type"),
		UserID:      c.r.Header.Get("X-User-Id"),
	}
	if len(c.body) == 0 {
		return e
	}
	// The entry is one line, its body spliced in as is. A body its parse
	// read is JSON already, and kept as sent unless it spans lines; any
	// other is checked, and compacted here, outside the change's turn.
	if c.input != nil && !bytes.ContainsAny(c.body, "\r\n") {
		e.Body = c.body
		return e
	}
	var b bytes.Buffer
	if err := json.Compact(&b, c.body); err == nil {
		e.Body = b.Bytes()
	} else {
		e.RawBody = c.body
	}
	return e
}

// body is the request body the entry records.
func (e *entry) body() []byte {
	if e.Body != nil {
		return e.Body
	}
	return e.RawBody
}

// digest is a checksum of an answer's body, to tell a replay that answers
// otherwise; it guards against a file edited or a server changed, not
// against an adversary, so a checksum the processor computes is enough.
func digest(body []byte) string {
	return fmt.Sprintf("%08x", crc32.Checksum(body, castagnoli))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// commit runs apply as one change. Without a state file it only runs it.
// With one, it records the change's ids and time and, when apply changed
// something, writes the entry to the journal and waits for it to be synced
// before the answer leaves. Changes are applied and written one at a time,
// in the journal's order, but the sync happens outside that turn: one sync
// covers every change written before it, so the next change is applied
// while the last one's sync runs. A change that could not be kept is
// answered 503, its outcome unknown to the client, and so is every change
// after it, so that the file never misses a change that a later one builds
// on.
func (s *Server) commit(e *entry, apply func() response) response {
	if s.journal == nil {
		return apply()
	}
	out, written, ok := s.applyAndWrite(e, apply)
	if !ok || written == 0 {
		return out
	}
	if err := s.journal.syncTo(written); err != nil {
		s.change.Lock()
		defer s.change.Unlock()
		if s.broken == nil {
			s.broken = err
		}
		return s.unavailable()
	}
	return out
}

// applyAndWrite is the part of commit done in the change's turn: it
// returns the answer, the journal offset to sync to (0 when nothing was
// written) and false when the answer is already final.
func (s *Server) applyAndWrite(e *entry, apply func() response) (response, int64, bool) {
	s.change.Lock()
	defer s.change.Unlock()
	if s.broken != nil {
		return s.unavailable(), 0, false
	}
	d := &draw{now: s.now().Round(0)}
	s.draw = d
	out := apply()
	s.draw = nil
	if out.status >= 300 || out.unchanged {
		return out, 0, true
	}
	e.Now, e.IDs, e.Status, e.Digest = d.now, d.ids, out.status, digest(out.body)
	written, err := s.journal.write(e)
	if err != nil {
		s.broken = err
		return s.unavailable(), 0, false
	}
	return out, written, true
}

// read runs a read of the state. With a state file, it never runs while a
// change is being applied, and its answer waits until every change it may
// have seen is synced: a client is never shown a change that a crash could
// still take back.
func (s *Server) read(serve func() response) response {
	if s.journal == nil {
		return serve()
	}
	s.change.RLock()
	out := serve()
	written := s.journal.written.Load()
	s.change.RUnlock()
	// A failed sync has refused every change since; what the read saw
	// stays in memory either way, so it is answered.
	_ = s.journal.syncTo(written)
	return out
}

// unavailable is the answer to a change once the journal failed; s.change
// must be held.
func (s *Server) unavailable() response {
	return detail(http.StatusServiceUnavailable, "The server cannot keep changes: "+s.broken.Error()+
		"; a change answered so may or may not have been applied")
}

// control applies a test control's entry; s.change must be held when the
// server keeps a state file. Its answer's body is {"id": ...} for what it
// created, which the admin API sends as is.
func (s *Server) control(e *entry) response {
	amount, err := asset.ParseDecimal(e.Amount)
	if e.Op != opAddTagField && (err != nil || !amount.IsSet() || amount.Sign() <= 0 || !inCents(amount)) {
		return detail(http.StatusUnprocessableEntity, "amount must be a positive amount in cents")
	}
	if !prefixed(e.Business, "biz_") {
		return detail(http.StatusUnprocessableEntity, "business must be a biz_ id")
	}
	switch e.Op {
	case opAddTransaction:
		id := s.newID("txn_")
		s.mu.Lock()
		defer s.mu.Unlock()
		s.addTransaction(s.business(e.Business), &transaction{id: id, externalID: "AddTransaction-" + strings.TrimPrefix(id, "txn_"),
			accountID: AddTransactionAccount, description: "AddTransaction", amount: amount, datetime: normalTime(s.clock())})
		return jsonResponse(http.StatusCreated, map[string]string{"id": id})
	case opAddCredit:
		if e.Customer == "" {
			return detail(http.StatusUnprocessableEntity, "customer_id is required")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		m := s.issueMemo(s.business(e.Business), e.Business, memoInput{customerID: e.Customer, number: s.newID("AddCredit-"), amount: amount}, "")
		return jsonResponse(http.StatusCreated, map[string]string{"id": m.id})
	case opAddTagField:
		if e.Name == "" {
			return detail(http.StatusUnprocessableEntity, "name is required")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.business(e.Business).tagFields[e.Name] = true
		return jsonResponse(http.StatusCreated, map[string]string{"name": e.Name})
	}
	return detail(http.StatusBadRequest, "unknown change "+e.Op)
}

// runControl commits a test control and returns the id it created; the
// error is the journal's, when it could not keep the change.
func (s *Server) runControl(e *entry) (string, response) {
	out := s.commit(e, func() response { return s.control(e) })
	var created struct {
		ID string `json:"id"`
	}
	if out.status < 300 {
		_ = json.Unmarshal(out.body, &created)
	}
	return created.ID, out
}

// mustControl is runControl for the Go helpers, which panic as a test
// helper does when the server cannot keep what they ask.
func (s *Server) mustControl(fn string, e *entry) string {
	id, out := s.runControl(e)
	if out.status >= 300 {
		panic("assettest: " + fn + ": " + string(out.body))
	}
	return id
}
