package main

import (
	"context"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"

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

// failureOutcome turns a CreateMany failure into a row's result.
func failureOutcome(f asset.BatchFailure) outcome {
	switch {
	case errors.Is(f.Err, asset.ErrOutcomeUnknown):
		return outcome{resultUnknown, "", f.Message + "; running the import again settles it"}
	case f.Err != nil && (errors.Is(f.Err, context.Canceled) || errors.Is(f.Err, context.DeadlineExceeded)):
		return outcome{resultNotSent, "", "interrupted before it was sent; run the import again"}
	case f.Err == nil && alreadyExists(f.Message):
		return outcome{resultExists, "", f.Message}
	}
	return outcome{resultFailed, "", f.Message}
}

// alreadyExists reports whether the API refused an invoice because its
// number is taken: by an earlier run of the import, most likely.
func alreadyExists(message string) bool {
	return strings.Contains(strings.ToLower(message), "already exist")
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
		if err := r.w.Write([]string{strconv.Itoa(line), e.invoice.Number, o.result, o.id, exists[o.result], o.detail}); err != nil {
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
