// Command import creates invoices from a CSV or JSON Lines file, in
// batches sent concurrently within the API's rate limit
// (Invoices.CreateMany), and writes what became of every row.
//
//	go run ./examples/import -file invoices.csv
//	go run ./examples/import -file invoices.jsonl -out results.csv
//
// Without ASSET_TOKEN it starts an embedded assettest server, an in-memory
// Asset API, and, without -file, imports a generated file of sample
// invoices. To use the real API, set ASSET_TOKEN and ASSET_BUSINESS_ID
// (and optionally ASSET_BASE_URL, ASSET_USER_ID, ASSET_ATTEMPT_TIMEOUT and ASSET_RATE_LIMIT),
// as for the other examples. A try that failed and will be retried, and a
// request that failed, are said on stderr as they happen.
//
// # The CSV format
//
// A header row names the columns, in any order; only number is required:
//
//	number,customer_external_id,due_date,description,line_description,quantity,unit_price,amount
//	INV-1001,erp-42,2026-12-31,December,Consulting,10,150.00,
//	INV-1001,erp-42,2026-12-31,December,Travel,,,80.00
//	INV-1002,erp-7,2026-12-31,December,Support,1,99.00,
//
// Each row is one line of an invoice; consecutive rows with the same number
// are one invoice, whose customer_external_id (or customer_id), due_date
// (2006-01-02) and description are its first row's, and which the other
// rows must repeat or leave the same. A line needs an amount, or a
// quantity and a unit_price; a row whose line columns are all empty adds
// no line. Amounts are decimal text, as exact as written.
//
// # The JSON Lines format
//
// One invoice per line, in the API's own JSON shape (Asset's InvoiceCreate,
// as the SDK encodes it); blank lines are skipped:
//
//	{"number": "INV-1001", "customer_external_id": "erp-42", "due_at": "2026-12-31T00:00:00Z", "lines": [{"description": "Consulting", "quantity": 10, "unit_price": 150.00}]}
//
// # What it writes
//
// The result file (-out, by default the input's name followed by
// .result.csv, e.g. invoices.csv.result.csv) has
// one line per row of the input:
//
//	line,number,result,invoice_id,exists,detail
//
// where result is created (with its invoice_id), exists (the business
// already had that number, found by looking it up: it was not created
// again; invoice_id is the invoice that has it), unknown (sent, but whether
// it was created could not be settled: it may exist), failed (the API
// refused it; detail says why), invalid (a bad row, not sent; detail says
// why) or not_sent (the run was interrupted first). exists says whether an
// invoice with the number is in the business now: yes, no or maybe. A cell
// that starts with = + - or @ is written with a leading apostrophe, so
// that a spreadsheet shows it rather than runs it.
//
// The file is read in chunks of -chunk rows, so a file of any size takes
// the memory of one chunk. Running the import again on the same file is
// safe: numbers are unique per business, so rows created before come back
// as exists, with their ids, never as second invoices, and unknown or
// not_sent rows are settled. Interrupted (Ctrl-C), it stops sending but
// waits for the batches already sent, so that the rows the server answered
// for are reported as they are. A number that comes back later in the
// file, apart from its invoice's rows, is another invoice with the same
// number: invalid in the same chunk, exists in a later one. The embedded
// server forgets everything when the run ends: -repeat 2 imports the file
// twice against it.
//
// Progress goes to stderr: a bar when stderr is a terminal, a line per
// chunk otherwise. The exit status is 0 when every row was created or
// already existed, 1 when some need attention (see the result file) or the
// import could not run to the end, and 2 when the command line is refused.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/examples/internal/cli"
	"github.com/assetkit/asset-go/examples/internal/exampleenv"
)

// errAttention is a run that ended with rows neither created nor existing.
var errAttention = errors.New("some rows need attention: see the result file")

func main() { cli.Main("import", run) }

// config is what the flags say.
type config struct {
	file, out   string
	chunk       int
	concurrency int
	generate    int
	repeat      int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := cli.NewFlagSet("import", "", stderr)
	fs.StringVar(&c.file, "file", "", "the invoices to import: a .csv or .jsonl file (see the formats above)")
	fs.StringVar(&c.out, "out", "", "the result file (default: the input's name followed by .result.csv)")
	fs.IntVar(&c.chunk, "chunk", 1000, "rows read and sent at a time")
	fs.IntVar(&c.concurrency, "concurrency", 4, "batches of 100 invoices sent at once")
	fs.IntVar(&c.generate, "generate", 1000, "without -file and ASSET_TOKEN: invoices in the generated sample file")
	fs.IntVar(&c.repeat, "repeat", 1, "import the file this many times in one run (on the embedded server, which forgets everything when the run ends, -repeat 2 shows that a second import creates nothing)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args); err != nil {
		return c, err
	}
	switch {
	case c.chunk < 1:
		return c, cli.Refuse(fs, errors.New("-chunk must be at least 1"))
	case c.concurrency < 1:
		return c, cli.Refuse(fs, errors.New("-concurrency must be at least 1"))
	case c.generate < 1:
		return c, cli.Refuse(fs, errors.New("-generate must be at least 1"))
	case c.repeat < 1:
		return c, cli.Refuse(fs, errors.New("-repeat must be at least 1"))
	}
	return c, nil
}

const usage = `usage: import -file invoices.csv|invoices.jsonl [-out results.csv]

Creates the file's invoices and writes what became of each row to the
result file; running it again on the same file creates nothing twice.

CSV: a header row, then one row per invoice line; consecutive rows with the
same number are one invoice. Columns (only number is required):
  number,customer_external_id,customer_id,due_date,description,
  line_description,quantity,unit_price,amount
A line needs an amount, or a quantity and a unit_price; due_date is 2006-01-02.

JSON Lines (.jsonl): one invoice per line in the API's JSON shape, e.g.
  {"number": "INV-1", "customer_external_id": "erp-42", "lines": [{"amount": 80.00}]}

Result file columns: line,number,result,invoice_id,exists,detail
  result: created, exists, unknown, failed, invalid or not_sent

Exit status: 0 all created or existing, 1 some rows need attention or the
import could not finish, 2 the command line is refused. By default it
imports a generated file on the embedded server; -repeat 2 imports it twice
in one run, the second pass creating nothing.

` + exampleenv.Help + `
  TMPDIR                 where the generated sample file is written

`

// run is main without the process, so that a test can give it an
// environment and read what it prints.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if cfg.file == "" && getenv("ASSET_TOKEN") != "" {
		return errors.New("-file is required: name the invoices to import (run with -h for the formats)")
	}
	// The SDK's warnings (a try failed, the next is coming) go to stderr.
	env, err := exampleenv.OpenSaying(getenv, stdout, stderr, exampleenv.Forgets+" (-repeat 2 imports the file twice against it)")
	if err != nil {
		return err
	}
	defer env.Close()
	if cfg.file == "" {
		if cfg.file, err = generate(tempDir(getenv), cfg.generate); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Generated %d sample invoices in %s\n", cfg.generate, cfg.file)
	}
	if cfg.out == "" {
		// The whole name, extension included: mine.csv and mine.jsonl
		// must not write one result file.
		cfg.out = cfg.file + ".result.csv"
	}

	for pass := 1; ; pass++ {
		if cfg.repeat > 1 {
			fmt.Fprintf(stdout, "Pass %d of %d\n", pass, cfg.repeat)
		}
		// Rows that need attention do not stop the next pass; a run that
		// could not finish does.
		err := importOnce(ctx, env.Client, env.BusinessID, cfg, stdout, stderr)
		if pass == cfg.repeat || err != nil && !errors.Is(err, errAttention) {
			return err
		}
	}
}

// importOnce imports cfg.file once, writes the result file, and says what
// became of its rows.
func importOnce(ctx context.Context, client *asset.Client, business string, cfg config, stdout, stderr io.Writer) error {
	imp, err := newImporter(client, business, cfg, newProgress(stderr))
	if err != nil {
		return err
	}
	runErr := imp.run(ctx)
	closeErr := imp.close()
	t := &imp.results.tally
	fmt.Fprintf(stdout, "Imported %s: %d invoices in %s\n", cfg.file, t.invoices, summary(t))
	if n := t.results[resultNotSent]; n > 0 {
		fmt.Fprintf(stdout, "%d rows were not sent\n", n)
	}
	fmt.Fprintf(stdout, "Results in %s\n", cfg.out)
	if err := errors.Join(runErr, closeErr); err != nil {
		return err
	}
	if t.rows > t.results[resultCreated]+t.results[resultExists] {
		return errAttention
	}
	return nil
}

// tempDir is where the generated file goes: TMPDIR as getenv reads it, so
// that a test can choose it.
func tempDir(getenv func(string) string) string {
	if d := getenv("TMPDIR"); d != "" {
		return d
	}
	return os.TempDir()
}

// importer reads the file chunk by chunk and creates each chunk's invoices.
type importer struct {
	client   *asset.Client
	business string
	cfg      config
	progress progress

	in         *os.File
	size       int64
	doneBefore float64 // the share of the file done before the chunk in flight
	read       reader
	out        *os.File
	results    *resultWriter
}

func newImporter(client *asset.Client, business string, cfg config, p progress) (*importer, error) {
	imp := &importer{client: client, business: business, cfg: cfg, progress: p}
	var err error
	if imp.in, err = os.Open(cfg.file); err != nil {
		return nil, err
	}
	if st, err := imp.in.Stat(); err == nil {
		imp.size = st.Size()
	}
	switch strings.ToLower(filepath.Ext(cfg.file)) {
	case ".csv":
		imp.read, err = newCSVReader(imp.in)
	case ".jsonl", ".ndjson":
		imp.read = newJSONLReader(imp.in)
	default:
		err = fmt.Errorf("%s: give a .csv or a .jsonl file", cfg.file)
	}
	if err == nil {
		imp.out, err = os.Create(cfg.out)
	}
	if err == nil {
		imp.results, err = newResultWriter(csv.NewWriter(imp.out))
	}
	if err != nil {
		imp.in.Close()
		if imp.out != nil {
			imp.out.Close()
		}
		return nil, fmt.Errorf("%s: %w", cfg.file, err)
	}
	return imp, nil
}

func (imp *importer) close() error {
	imp.progress.end()
	imp.in.Close()
	return errors.Join(imp.results.flush(), imp.out.Close())
}

// fileDone is the share of the file consumed.
func (imp *importer) fileDone() float64 {
	if imp.size <= 0 {
		return 0
	}
	return min(1, float64(imp.read.offset())/float64(imp.size))
}

// run imports chunk after chunk until the file ends or ctx does.
func (imp *importer) run(ctx context.Context) error {
	var chunk []entry
	rows := 0
	for {
		e, err := imp.read.next()
		if err == nil {
			chunk = append(chunk, e)
			rows += len(e.lines)
		}
		// What was read is sent and reported, whatever ends the run.
		if rows >= imp.cfg.chunk || err != nil || ctx.Err() != nil {
			if err := imp.send(ctx, chunk); err != nil {
				return err
			}
			chunk, rows = chunk[:0], 0
		}
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("%s: %w; the rows before were imported", imp.cfg.file, err)
		case ctx.Err() != nil:
			return fmt.Errorf("interrupted after line %d: run the import again to go on (what was created is reported as existing): %w",
				e.lines[len(e.lines)-1], ctx.Err())
		}
	}
}
