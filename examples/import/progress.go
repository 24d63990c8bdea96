package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/assetkit/asset-go"
)

// progress shows how far the import has come. Its methods are called one
// at a time: CreateMany's progress calls are serial.
type progress interface {
	// update reports the chunk in flight: how far CreateMany has come with
	// it, and the share of the file read once it is done.
	update(p asset.Progress, fileDone float64, t *tally)
	// chunk reports a chunk done.
	chunk(firstLine, lastLine int, fileDone float64, t *tally)
	// end finishes the display.
	end()
}

// newProgress draws a bar on a terminal, and writes plain lines, one per
// chunk, to anything else (a log file, a CI job's output).
func newProgress(w io.Writer) progress {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return &bar{w: w}
		}
	}
	return &lines{w: w}
}

func summary(t *tally) string {
	return fmt.Sprintf("%d rows: %d created, %d exist, %d unknown, %d failed, %d invalid",
		t.rows, t.results[resultCreated], t.results[resultExists], t.results[resultUnknown],
		t.results[resultFailed], t.results[resultInvalid])
}

// lines writes a line per chunk.
type lines struct{ w io.Writer }

func (l *lines) update(asset.Progress, float64, *tally) {}

func (l *lines) chunk(first, last int, fileDone float64, t *tally) {
	fmt.Fprintf(l.w, "lines %d-%d done, %3.0f%% of the file; so far %s\n", first, last, 100*fileDone, summary(t))
}

func (l *lines) end() {}

// bar redraws one line in place with a carriage return.
type bar struct {
	w    io.Writer
	drew bool
}

const barWidth = 30

func (b *bar) update(p asset.Progress, fileDone float64, t *tally) {
	b.draw(fileDone, fmt.Sprintf("%s; %d of %d invoices of this chunk sent", summary(t), p.Done, p.Total))
}

func (b *bar) chunk(_, _ int, fileDone float64, t *tally) { b.draw(fileDone, summary(t)) }

func (b *bar) draw(done float64, text string) {
	n := min(barWidth, max(0, int(done*barWidth)))
	// \033[K clears what a longer line drew before.
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%% %s\033[K", strings.Repeat("#", n), strings.Repeat(".", barWidth-n), 100*done, text)
	b.drew = true
}

func (b *bar) end() {
	if b.drew {
		fmt.Fprintln(b.w)
	}
}
