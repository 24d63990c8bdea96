package asset

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseDir parses the non-test Go files of dir.
func parseDir(t *testing.T, fset *token.FileSet, dir string) []*ast.File {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var files []*ast.File
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
			require.NoError(t, err)
			files = append(files, f)
		}
	}
	return files
}

// No exported name of the packages users import is an alias of, or a
// value taken from, an internal package: go doc and pkg.go.dev would send
// readers where they cannot go, and print sentinels under its name.
func TestPublicNamesDoNotLeadIntoInternal(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "katsupay", "sdkerr"} {
		t.Run(dir, func(t *testing.T) {
			fset := token.NewFileSet()
			for _, f := range parseDir(t, fset, dir) {
				internal := map[string]bool{}
				for _, imp := range f.Imports {
					path, _ := strconv.Unquote(imp.Path.Value)
					if strings.Contains(path, "/internal/") {
						name := path[strings.LastIndex(path, "/")+1:]
						if imp.Name != nil {
							name = imp.Name.Name
						}
						internal[name] = true
					}
				}
				fromInternal := func(e ast.Expr) bool {
					sel, ok := e.(*ast.SelectorExpr)
					if !ok {
						return false
					}
					id, ok := sel.X.(*ast.Ident)
					return ok && internal[id.Name]
				}
				for _, d := range f.Decls {
					gd, ok := d.(*ast.GenDecl)
					if !ok {
						continue
					}
					for _, spec := range gd.Specs {
						switch s := spec.(type) {
						case *ast.TypeSpec:
							if s.Name.IsExported() && s.Assign.IsValid() {
								assert.False(t, fromInternal(s.Type), "%s: type %s aliases an internal type", fset.Position(s.Pos()), s.Name)
							}
						case *ast.ValueSpec:
							for i, n := range s.Names {
								if n.IsExported() && i < len(s.Values) {
									assert.False(t, fromInternal(s.Values[i]), "%s: %s is an internal package's value", fset.Position(n.Pos()), n)
								}
							}
						}
					}
				}
			}
		})
	}
}

// go doc of the shared error package shows every field users match on,
// each documented.
func TestSharedErrorsDocumentTheirFields(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	pkg, err := doc.NewFromFiles(fset, parseDir(t, fset, "sdkerr"), "github.com/assetkit/asset-go/sdkerr")
	require.NoError(t, err)
	want := map[string][]string{
		"InputError":   {"Field", "Reason"},
		"NetworkError": {"Method", "Path", "Attempts", "MayHaveApplied", "Err"},
	}
	for _, typ := range pkg.Types {
		fields, ok := want[typ.Name]
		if !ok {
			continue
		}
		delete(want, typ.Name)
		st := typ.Decl.Specs[0].(*ast.TypeSpec).Type.(*ast.StructType)
		documented := map[string]bool{}
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				documented[n.Name] = f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != ""
			}
		}
		for _, name := range fields {
			assert.True(t, documented[name], "%s.%s is not a documented field", typ.Name, name)
		}
	}
	assert.Empty(t, want, "types missing from sdkerr")
}

// The packages share one option idiom, asset's: functions returning an
// opaque Option value, a struct with no exported field, whose zero value
// does nothing. A func type would let callers write options that reach
// into the configured type, and its zero value panics.
func TestOneOptionStyle(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "katsupay", "assettest", "katsupay/katsupaytest"} {
		t.Run(dir, func(t *testing.T) {
			fset := token.NewFileSet()
			found := false
			for _, f := range parseDir(t, fset, dir) {
				ast.Inspect(f, func(n ast.Node) bool {
					ts, ok := n.(*ast.TypeSpec)
					if !ok || ts.Name.Name != "Option" {
						return true
					}
					found = true
					st, ok := ts.Type.(*ast.StructType)
					if !assert.True(t, ok, "%s: Option is not a struct", fset.Position(ts.Pos())) {
						return false
					}
					for _, field := range st.Fields.List {
						for _, name := range field.Names {
							assert.False(t, name.IsExported(), "%s: Option has exported field %s", fset.Position(name.Pos()), name)
						}
					}
					return false
				})
			}
			assert.True(t, found, "no Option type in %s", dir)
		})
	}
}
