package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/assetkit/asset-go"
)

// send creates a chunk's invoices and writes the result of each of its
// rows, in the file's order.
func (imp *importer) send(ctx context.Context, chunk []entry) error {
	if len(chunk) == 0 {
		return nil
	}
	outcomes := make([]outcome, len(chunk))
	// which maps an invoice sent to its entry.
	var invoices []asset.InvoiceCreate
	var which []int
	firstLine := map[string]int{}
	for i, e := range chunk {
		if e.bad == "" {
			// CreateMany refuses a number used twice; say where instead.
			if line, dup := firstLine[e.invoice.Number]; dup {
				e.bad = fmt.Sprintf("number %s is also on line %d: %s", quoteCell(e.invoice.Number), line, imp.read.repeatedNumber())
				chunk[i] = e
			} else {
				firstLine[e.invoice.Number] = e.lines[0]
			}
		}
		if e.bad != "" {
			outcomes[i] = outcome{result: resultInvalid, detail: e.bad}
			continue
		}
		invoices = append(invoices, e.invoice)
		which = append(which, i)
	}

	endDone := imp.fileDone()
	if err := imp.create(ctx, invoices, which, outcomes, endDone); err != nil {
		return err
	}

	for i, e := range chunk {
		if err := imp.results.write(e, outcomes[i]); err != nil {
			return err
		}
	}
	if err := imp.results.flush(); err != nil {
		return err
	}
	imp.doneBefore = endDone
	imp.progress.chunk(chunk[0].lines[0], lastLine(chunk), endDone, &imp.results.tally)
	return nil
}

// create sends a chunk's invoices and fills in their outcomes; which maps
// each invoice to its entry. endDone is the share of the file read once the
// chunk is done, for the progress shown.
func (imp *importer) create(ctx context.Context, invoices []asset.InvoiceCreate, which []int, outcomes []outcome, endDone float64) error {
	startDone := imp.doneBefore
	opts := []asset.Option{
		asset.WithConcurrency(imp.cfg.concurrency),
		asset.WithProgress(func(p asset.Progress) {
			imp.progress.update(p, startDone+(endDone-startDone)*float64(p.Done)/float64(p.Total), &imp.results.tally)
		}),
	}
	for {
		created, err := imp.client.Invoices.CreateMany(ctx, imp.business, invoices, opts...)
		var inputErr *asset.InputError
		if errors.As(err, &inputErr) {
			// An invoice the SDK refuses (a negative amount, a number too
			// long) is a bad row; the others are sent without it.
			i, field, ok := inputIndex(inputErr.Field)
			if !ok || i >= len(invoices) {
				return err
			}
			outcomes[which[i]] = outcome{result: resultInvalid, detail: strings.TrimPrefix(field+" ", " ") + inputErr.Reason}
			invoices = append(invoices[:i], invoices[i+1:]...)
			which = append(which[:i], which[i+1:]...)
			continue
		}
		var batchErr *asset.BatchError
		if err != nil && !errors.As(err, &batchErr) {
			return err // not about the invoices: CreateMany accounts for those
		}
		index := make(map[string]int, len(invoices))
		for i, inv := range invoices {
			index[inv.Number] = i
		}
		for _, inv := range created {
			outcomes[which[index[inv.Number]]] = outcome{result: resultCreated, id: inv.ID}
		}
		if batchErr != nil {
			imp.settleRefusals(ctx, invoices, which, batchErr.Failures, outcomes)
		}
		return nil
	}
}

// settleRefusals fills in the outcomes of CreateMany's failures. An
// invoice the server refused for itself may have been refused because its
// number is taken, by an earlier run most likely: the refused numbers are
// looked up, never guessed from the server's words, and those found are
// rows that exist, with their invoice's id.
func (imp *importer) settleRefusals(ctx context.Context, invoices []asset.InvoiceCreate, which []int, failures []asset.BatchFailure, outcomes []outcome) {
	var refused []string
	var start, end time.Time
	dated := true
	for _, f := range failures {
		if f.Index < 0 {
			continue // a number the server named that was not sent
		}
		outcomes[which[f.Index]] = failureOutcome(f)
		if f.Err != nil {
			continue
		}
		refused = append(refused, f.Number)
		due := invoices[f.Index].DueAt
		dated = dated && !due.IsZero()
		if start.IsZero() || due.Before(start) {
			start = due
		}
		if due.After(end) {
			end = due
		}
	}
	if len(refused) == 0 {
		return
	}
	var opts []asset.Option
	if dated {
		opts = append(opts, asset.WithDueWindow(start.AddDate(0, 0, -1), end.AddDate(0, 0, 1)))
	}
	found, err := imp.client.Invoices.FindByNumbers(ctx, imp.business, refused, opts...)
	for _, f := range failures {
		if f.Index < 0 || f.Err != nil {
			continue
		}
		o := &outcomes[which[f.Index]]
		if inv, ok := found[f.Number]; ok {
			*o = outcome{result: resultExists, id: inv.ID, detail: "the business has an invoice with this number: " + f.Message}
		} else if err != nil {
			o.detail += fmt.Sprintf(" (whether the number is in use could not be looked up: %v)", err)
		}
	}
}

func lastLine(chunk []entry) int {
	lines := chunk[len(chunk)-1].lines
	return lines[len(lines)-1]
}

// inputIndex reads which invoice an *InputError is about from its field,
// e.g. "invoices[12].lines[0].amount" is invoice 12's "lines[0].amount".
func inputIndex(field string) (int, string, bool) {
	rest, ok := strings.CutPrefix(field, "invoices[")
	if !ok {
		return 0, "", false
	}
	n, rest, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, "", false
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 {
		return 0, "", false
	}
	return i, strings.TrimPrefix(rest, "."), true
}
