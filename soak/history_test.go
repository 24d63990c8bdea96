package soak

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/assetkit/asset-go"
)

// outcome is what the SDK answered a call, as a caller must read it.
type outcome int

const (
	answered outcome = iota // success
	refused                 // an error that says nothing was applied
	unknown                 // an error matching ErrOutcomeUnknown
)

func (o outcome) String() string {
	return [...]string{"success", "refusal", "unknown"}[o]
}

// classify reads err as a caller would: only ErrOutcomeUnknown leaves the
// change open, every other error promises that nothing was applied.
func classify(err error) outcome {
	switch {
	case err == nil:
		return answered
	case errors.Is(err, asset.ErrOutcomeUnknown):
		return unknown
	}
	return refused
}

// reason is the kind of err, coarsely: what the summary counts refusals
// and unknown outcomes by.
func reason(err error) string {
	var apiErr *asset.APIError
	var netErr *asset.NetworkError
	var decErr *asset.DecodeError
	var batch *asset.BatchError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &batch) && len(batch.Failures) > 0 && batch.Failures[0].Err != nil:
		return reason(batch.Failures[0].Err)
	case errors.As(err, &apiErr):
		return fmt.Sprintf("status %d", apiErr.StatusCode)
	case errors.As(err, &decErr):
		return "unreadable answer"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.As(err, &netErr) && netErr.MayHaveApplied:
		return "connection lost after sending"
	case errors.As(err, &netErr):
		return "connection lost before sending"
	}
	return "other"
}

// resolution is what became of an unknown outcome once looked up.
type resolution int

const (
	unresolved resolution = iota
	foundApplied
	foundNotApplied
	foundPartly // a batch some of whose items were created
)

func (r resolution) String() string {
	return [...]string{"", "applied", "not applied", "partly applied"}[r]
}

// record is one call of the history.
type record struct {
	worker, seq int
	op          string
	target      string // the ids or numbers the call is about
	asked       string // what was asked, briefly
	start, end  time.Time
	deadline    time.Time // zero when the call had none
	outcome     outcome
	err         string
	reason      string // the kind of error, for the summary
	resolved    resolution
}

func (r *record) String() string {
	s := fmt.Sprintf("w%02d#%d %s %s (%s) -> %s", r.worker, r.seq, r.op, r.target, r.asked, r.outcome)
	if r.err != "" {
		s += ": " + r.err
	}
	if r.resolved != unresolved {
		s += " => " + r.resolved.String()
	}
	return s
}

// readOps are the operations that change nothing: their errors are not
// counted by cause.
var readOps = map[string]bool{"get": true, "page back": true, "walk invoices": true, "walk memos": true, "walk refunds": true}

// history is every call the workers made, in the order they ended.
type history struct {
	mu      sync.Mutex
	records []*record
}

func (h *history) add(r *record) {
	h.mu.Lock()
	h.records = append(h.records, r)
	h.mu.Unlock()
}

// lines is the history, a record a line, in the order the calls ended.
func (h *history) lines() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, r := range h.records {
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// about lists the records whose target mentions id, for a failure's
// report: what was asked of that entity and what the SDK said.
func (h *history) about(id string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if strings.Contains(r.target, id) {
			out = append(out, r.String())
		}
	}
	return out
}

// summary counts the calls by operation and outcome, and the unknown
// outcomes by how they were resolved.
func (h *history) summary() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	type key struct {
		op string
		o  outcome
	}
	counts := map[key]int{}
	res := map[resolution]int{}
	ops := map[string]bool{}
	reasons := map[outcome]map[string]int{refused: {}, unknown: {}}
	for _, r := range h.records {
		counts[key{r.op, r.outcome}]++
		if r.outcome != answered && !readOps[r.op] {
			reasons[r.outcome][r.reason]++
		}
		ops[r.op] = true
		if r.outcome == unknown {
			res[r.resolved]++
		}
	}
	names := make([]string, 0, len(ops))
	for op := range ops {
		names = append(names, op)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "%d calls\n", len(h.records))
	for _, op := range names {
		fmt.Fprintf(&b, "  %-16s %6d ok %6d refused %6d unknown\n", op,
			counts[key{op, answered}], counts[key{op, refused}], counts[key{op, unknown}])
	}
	for _, o := range []outcome{refused, unknown} {
		fmt.Fprintf(&b, "  changes with outcome %s, by cause:", o)
		causes := make([]string, 0, len(reasons[o]))
		for c := range reasons[o] {
			causes = append(causes, c)
		}
		sort.Strings(causes)
		for _, c := range causes {
			fmt.Fprintf(&b, " %s %d,", c, reasons[o][c])
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "  unknown outcomes resolved: %d applied, %d not applied, %d partly applied, %d not looked up (reads)\n",
		res[foundApplied], res[foundNotApplied], res[foundPartly], res[unresolved])
	return b.String()
}
