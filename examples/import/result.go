package main

import (
	"context"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assetkit/asset-go"
)

// The results a row can have, in the result file's result column.
const (
	resultCreated = "created"  // created by this run
	resultExists  = "exists"   // the business already has an invoice with this number
	resultUnknown = "unknown"  // sent, but the answer was lost: it may exist
	resultFailed  = "failed"   // refused by the API: fix the row
	resultInvalid = "invalid"  // not sent: the row is bad
	resultNotSent = "not_sent" // not sent: the run was interrupted
)

// exists is the result file's exists column: whether an invoice with the
// row's number is in the business now.
var exists = map[string]string{
	resultCreated: "yes", resultExists: "yes", resultUnknown: "maybe",
	resultFailed: "no", resultInvalid: "no", resultNotSent: "no",
}

// resultHeader names the result file's columns.
var resultHeader = []string{"line", "number", "result", "invoice_id", "exists", "detail"}

// outcome is what became of one entry.
type outcome struct {
	result, id, detail string
}

// failureOutcome turns a CreateMany failure into a row's result: a
// refusal is failed until settleRefusals finds its number in use.
func failureOutcome(f asset.BatchFailure) outcome {
	switch {
	case errors.Is(f.Err, asset.ErrOutcomeUnknown):
		return outcome{resultUnknown, "", f.Message + "; running the import again settles it"}
	case f.Err != nil && (errors.Is(f.Err, context.Canceled) || errors.Is(f.Err, context.DeadlineExceeded)):
		return outcome{resultNotSent, "", "interrupted before it was sent; run the import again"}
	}
	return outcome{resultFailed, "", f.Message}
}

// neutral keeps a cell from being read as a formula by a spreadsheet that
// opens the result file: a cell starting with = + - @, a tab or a carriage
// return gets a leading apostrophe, as spreadsheet tools expect.
func neutral(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// quoteCell quotes a cell of the input for a message, at most its first 40
// characters: a message must not repeat a huge or hostile cell whole.
func quoteCell(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:40])) + "…"
}

// tally counts the results of a run.
type tally struct {
	rows     int
	invoices int
	results  map[string]int // rows by result
}

// resultWriter writes the result file, one line per row of the input.
type resultWriter struct {
	w *csv.Writer
	tally
}

func newResultWriter(w *csv.Writer) (*resultWriter, error) {
	if err := w.Write(resultHeader); err != nil {
		return nil, err
	}
	return &resultWriter{w: w, tally: tally{results: map[string]int{}}}, nil
}

// write records an entry's outcome on each of its rows.
func (r *resultWriter) write(e entry, o outcome) error {
	r.invoices++
	for _, line := range e.lines {
		r.rows++
		r.results[o.result]++
		if err := r.w.Write([]string{strconv.Itoa(line), neutral(e.invoice.Number), o.result, neutral(o.id), exists[o.result], neutral(o.detail)}); err != nil {
			return err
		}
	}
	return nil
}

// flush writes out what is buffered, so that an interrupted run keeps the
// results of every chunk it finished.
func (r *resultWriter) flush() error {
	r.w.Flush()
	return r.w.Error()
}
