// Package docscheck holds the test that every Go snippet of the README and
// of docs/ still compiles against the SDK as it is.
package docscheck

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// snippet is one ```go block of a document.
type snippet struct {
	doc  string
	line int // of the block's first line of code
	code string
}

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

func snippets(t *testing.T, docs ...string) []snippet {
	t.Helper()
	var out []snippet
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goBlock.FindAllSubmatchIndex(b, -1) {
			line := 1 + strings.Count(string(b[:m[2]]), "\n")
			out = append(out, snippet{doc: doc, line: line, code: string(b[m[2]:m[3]])})
		}
	}
	return out
}

// otherModules are the packages of the nested modules and their
// dependencies: a snippet that uses them is compiled in its own module's
// tests, not here.
var otherModules = regexp.MustCompile(`\b(redislimit|redis|otelasset|otel|sdktrace|stdouttrace)\.`)

// imports are what snippets may use without importing it themselves.
const imports = `import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/h2non/gock.v1"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/katsupay"
)
`

// prelude declares what snippets take as given: a context, a client, ids
// and values a real program would have at hand.
const prelude = `
var (
	ctx        context.Context
	client     *asset.Client
	tok        string
	bizID      string
	invID      string
	invoiceID  string
	customerID string
	oldLineID  string
	saved      string
	payment    asset.InvoicePaymentCreate
	invoices   []asset.InvoiceCreate
	batchErr   *asset.BatchError
	earliestDue, latestDue time.Time
	hc         *http.Client
	logger     *slog.Logger
	t          *testing.T
	srv        *assettest.Server
	biz        string
	id, secret string
	txnID      string
	apiKey     string
	apiCode    string
	batch       []asset.TransactionCreate
	externalIDs []string
)
`

// ignored are type errors a fragment cannot help: a value shown being
// obtained and not used further, a name the block's prose explains.
var ignored = regexp.MustCompile(`declared and not used|imported and not used|"[^"]+" imported as \w+ and not used`)

func TestSnippetsCompile(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append([]string{filepath.Join(root, "README.md")}, docs...)
	fset := token.NewFileSet()
	var files []*ast.File
	// where is each generated file's snippet, and how many lines the file
	// has before the snippet's first.
	type placed struct {
		snippet
		before int
	}
	where := map[string]placed{}
	parse := func(name, src string) (*ast.File, error) {
		return parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	}
	pre, err := parse("prelude.go", "package p\n"+imports+prelude)
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, pre)
	checked := 0
	for i, s := range snippets(t, docs...) {
		if otherModules.MatchString(s.code) {
			continue
		}
		name := fmt.Sprintf("snippet%d.go", i)
		// A block of declarations stands as a file; a block of statements
		// is the body of a function.
		head := "package p\n" + imports
		f, err := parse(name, head+s.code)
		if err != nil {
			head += "func _() error {\n"
			f, err = parse(name, head+s.code+"\nreturn nil\n}\n")
		}
		where[name] = placed{s, strings.Count(head, "\n")}
		if err != nil {
			t.Errorf("%s:%d: the snippet does not parse: %v", rel(root, s.doc), s.line, err)
			continue
		}
		files = append(files, f)
		checked++
	}
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "source", nil),
		Error: func(err error) {
			te, ok := err.(types.Error)
			if !ok {
				t.Error(err)
				return
			}
			if ignored.MatchString(te.Msg) {
				return
			}
			pos := fset.Position(te.Pos)
			s, ok := where[filepath.Base(pos.Filename)]
			if !ok {
				t.Errorf("%v", err)
				return
			}
			t.Errorf("%s:%d: %s", rel(root, s.doc), s.line+pos.Line-1-s.before, te.Msg)
		},
	}
	_, _ = conf.Check("p", fset, files, nil)
	if checked < 10 {
		t.Fatalf("only %d snippets checked: the documents' ```go blocks were not found", checked)
	}
	t.Logf("%d snippets type-checked", checked)
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return r
	}
	return path
}

// The program docs/observability.md shows is otelasset's example program,
// word for word: that one is built and run by otelasset's own tests.
func TestObservabilityProgramIsTheExample(t *testing.T) {
	want, err := os.ReadFile("../../otelasset/examples/stdout/main.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snippets(t, "../../docs/observability.md") {
		if strings.HasPrefix(s.code, "// Command stdout") {
			if s.code != string(want) {
				t.Errorf("docs/observability.md:%d differs from otelasset/examples/stdout/main.go", s.line)
			}
			return
		}
	}
	t.Error("docs/observability.md shows no program starting \"// Command stdout\"")
}
