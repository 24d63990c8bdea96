package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assetkit/asset-go"
)

// entry is one invoice read from the file, or the rows that could not be
// made into one.
type entry struct {
	// lines are the file's line numbers the invoice came from, in order.
	lines   []int
	invoice asset.InvoiceCreate
	// bad says why the rows cannot be imported; empty when they can.
	bad string
}

// reader reads a file's entries one at a time, so that the file is never
// held whole.
type reader interface {
	// next returns the next entry, or io.EOF after the last. Another error
	// means the file cannot be read further.
	next() (entry, error)
	// offset is how many bytes of the file have been consumed.
	offset() int64
	// repeatedNumber says why a number must not come back later in the
	// file.
	repeatedNumber() string
}

// csvColumns are the columns a CSV file may have, in any order; number is
// the only one required.
var csvColumns = []string{
	"number", "customer_external_id", "customer_id", "due_date", "description",
	"line_description", "quantity", "unit_price", "amount",
}

// csvReader reads one row per invoice line; consecutive rows with the same
// number are one invoice.
type csvReader struct {
	r       *csv.Reader
	col     map[string]int
	pending []string // a row read ahead: the first of the next invoice
	line    int      // pending's line
	eof     bool
	err     error // what stopped the reading ahead, for the next call
	bom     int64 // the bytes of a byte order mark skipped
}

func newCSVReader(in io.Reader) (*csvReader, error) {
	// A byte order mark before the header, as spreadsheet tools write,
	// would make a quoted first column a bare quote to encoding/csv.
	b := bufio.NewReader(in)
	bom := 0
	if head, _ := b.Peek(3); bytes.Equal(head, []byte("\ufeff")) {
		bom, _ = b.Discard(3)
	}
	r := csv.NewReader(b)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	col := make(map[string]int, len(header))
	for i, name := range header {
		name = strings.TrimSpace(name)
		if !slices.Contains(csvColumns, name) {
			return nil, fmt.Errorf("line 1: unknown column %s; the columns are %s", quoteCell(name), strings.Join(csvColumns, ", "))
		}
		if _, dup := col[name]; dup {
			return nil, fmt.Errorf("line 1: column %s appears twice", quoteCell(name))
		}
		col[name] = i
	}
	if _, ok := col["number"]; !ok {
		return nil, errors.New("line 1: the header has no number column")
	}
	// Every row has the header's number of fields; a row with another is
	// a bad row, reported, and reading goes on.
	r.FieldsPerRecord = len(header)
	return &csvReader{r: r, col: col, bom: int64(bom)}, nil
}

func (c *csvReader) offset() int64 { return c.bom + c.r.InputOffset() }

func (c *csvReader) repeatedNumber() string { return "an invoice's rows must be consecutive" }

// field is the row's value of a column, empty when the file has none.
func (c *csvReader) field(row []string, name string) string {
	if i, ok := c.col[name]; ok && i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

// read returns the next row and its line, or nil at the end.
func (c *csvReader) read() ([]string, int, error) {
	if c.err != nil {
		return nil, 0, c.err
	}
	if c.pending != nil || c.eof {
		row, line := c.pending, c.line
		c.pending = nil
		return row, line, nil
	}
	row, err := c.r.Read()
	switch {
	case errors.Is(err, io.EOF):
		c.eof = true
		return nil, 0, nil
	case err != nil && !errors.Is(err, csv.ErrFieldCount):
		// A broken quote leaves no way to tell where the next row starts.
		return nil, 0, err
	}
	// A row with the wrong number of fields comes with ErrFieldCount: it
	// is reported as a bad row by next.
	line, _ := c.r.FieldPos(0)
	return row, line, nil
}

func (c *csvReader) next() (entry, error) {
	row, line, err := c.read()
	if err != nil || row == nil {
		if err == nil {
			err = io.EOF
		}
		return entry{}, err
	}
	var e entry
	number := c.field(row, "number")
	e.invoice.Number = number // named in the result even when its row is bad
	for {
		e.lines = append(e.lines, line)
		if e.bad == "" {
			e.bad = c.addRow(&e.invoice, row, len(e.lines) == 1)
			if e.bad != "" && len(e.lines) > 1 {
				e.bad = fmt.Sprintf("line %d: %s", line, e.bad)
			}
		}
		row, line, err = c.read()
		if err != nil {
			// The unreadable row may have been one of this invoice's: an
			// invoice missing a line must not be created. Report the rows
			// read, and the error on the next call.
			c.err = err
			if e.bad == "" {
				e.bad = "not sent: the next row could not be read, and the invoice may go on there"
			}
			return e, nil
		}
		if row == nil || number == "" || c.field(row, "number") != number {
			c.pending, c.line = row, line
			return e, nil
		}
	}
}

// addRow adds one row to inv, the first of the invoice when first; it
// returns why the row is bad, or "".
func (c *csvReader) addRow(inv *asset.InvoiceCreate, row []string, first bool) string {
	if len(row) != c.r.FieldsPerRecord {
		return fmt.Sprintf("has %d fields; the header has %d", len(row), c.r.FieldsPerRecord)
	}
	number := c.field(row, "number")
	switch {
	case number == "":
		return "number is empty"
	case !utf8.ValidString(number):
		return "number " + quoteCell(number) + " is not valid UTF-8"
	}
	var due time.Time
	if s := c.field(row, "due_date"); s != "" {
		var err error
		if due, err = time.Parse(time.DateOnly, s); err != nil {
			return fmt.Sprintf("due_date %s is not a date as 2006-01-02", quoteCell(s))
		}
	}
	head := asset.InvoiceCreate{
		Number:             number,
		CustomerExternalID: c.field(row, "customer_external_id"),
		CustomerID:         c.field(row, "customer_id"),
		Description:        c.field(row, "description"),
		DueAt:              due,
	}
	if first {
		*inv = head
	} else if head.CustomerExternalID != inv.CustomerExternalID || head.CustomerID != inv.CustomerID ||
		head.Description != inv.Description || !head.DueAt.Equal(inv.DueAt) {
		return "its customer, due date or description differs from the invoice's first row"
	}

	var l asset.InvoiceLineCreate
	l.Description = c.field(row, "line_description")
	for _, d := range []struct {
		name string
		into *asset.Decimal
	}{{"quantity", &l.Quantity}, {"unit_price", &l.UnitPrice}, {"amount", &l.Amount}} {
		s := c.field(row, d.name)
		if s == "" {
			continue
		}
		v, err := asset.ParseDecimal(s)
		if err != nil {
			return fmt.Sprintf("%s %s is not a number", d.name, quoteCell(s))
		}
		*d.into = v
	}
	switch {
	case l.Description == "" && !l.Quantity.IsSet() && !l.UnitPrice.IsSet() && !l.Amount.IsSet():
		return "" // a row with no line: an invoice without lines
	case !l.Amount.IsSet() && (!l.Quantity.IsSet() || !l.UnitPrice.IsSet()):
		return "the line needs an amount, or a quantity and a unit_price"
	}
	inv.Lines = append(inv.Lines, l)
	return ""
}

// maxJSONLine bounds one line of a JSON Lines file.
const maxJSONLine = 1 << 20

// jsonlReader reads one invoice per line, in the API's JSON shape.
type jsonlReader struct {
	r     *bufio.Reader
	line  int
	bytes int64
}

func newJSONLReader(in io.Reader) *jsonlReader {
	return &jsonlReader{r: bufio.NewReaderSize(in, 64<<10)}
}

func (j *jsonlReader) offset() int64 { return j.bytes }

func (j *jsonlReader) repeatedNumber() string { return "numbers are unique per business" }

func (j *jsonlReader) next() (entry, error) {
	for {
		raw, long, err := j.readLine()
		if err != nil {
			return entry{}, err
		}
		j.line++
		e := entry{lines: []int{j.line}}
		switch raw = bytes.TrimSpace(raw); {
		case long:
			e.bad = fmt.Sprintf("the line is longer than %d bytes", maxJSONLine)
		case len(raw) == 0:
			continue // a blank line holds no invoice
		case !utf8.Valid(raw):
			// encoding/json would read its bad bytes as U+FFFD.
			e.bad = "the line is not valid UTF-8"
		default:
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e.invoice); err != nil {
				e.bad = "not an invoice: " + err.Error()
			} else if dec.More() {
				e.bad = "more than one JSON value on the line"
			}
		}
		return e, nil
	}
}

// readLine reads the next line, without its end. A line longer than
// maxJSONLine is read to its end and not kept: long says so. It returns
// io.EOF after the last line.
func (j *jsonlReader) readLine() (line []byte, long bool, err error) {
	var buf []byte
	for {
		part, err := j.r.ReadSlice('\n')
		j.bytes += int64(len(part))
		if !long {
			if len(buf)+len(part) > maxJSONLine+1 {
				long, buf = true, nil
			} else {
				buf = append(buf, part...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(buf) == 0 && !long {
				return nil, false, io.EOF
			}
			return buf, long, nil
		case err != nil:
			return nil, false, fmt.Errorf("line %d: %w", j.line+1, err)
		}
		return bytes.TrimSuffix(buf, []byte("\n")), long, nil
	}
}
