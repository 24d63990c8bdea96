// Command wiregen writes the wire forms of the models of package asset, so
// that a model's field list is written once, in the model.
//
// A model marked with the directive //asset:wire in its doc comment decodes
// through a wire struct of the same fields, in which
//
//   - a time.Time is a flexTime, which also reads the naive and date-only
//     forms pydantic writes;
//   - a slice of another marked model is a slice of its wire form, so that
//     encoding/json scans the bytes once;
//   - a field tagged alias:"name" is also read from that older key, when
//     its own is absent or null.
//
// It writes, for each, the wire struct, the conversion each way (toWire
// starts a decode from the model's current values, as encoding/json leaves
// absent fields alone; into is the one place a wire value becomes a model),
// UnmarshalJSON and the envelope codec.
//
//	go run ./internal/cmd/wiregen -out wire_gen.go
//
// run from the package's directory (go generate does).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// directive marks a model for which wiregen writes a wire form.
const directive = "//asset:wire"

func main() {
	out := flag.String("out", "wire_gen.go", "the file to write")
	flag.Parse()
	models, err := readModels(".")
	if err != nil {
		log.Fatal(err)
	}
	src, err := generate(models)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// model is a marked struct type.
type model struct {
	name   string
	fields []field
}

// field is one field of a model.
type field struct {
	name  string
	typ   string // as written in the model
	json  string // the JSON name, without options
	alias string // an older JSON name, from alias:"..."
	time  bool   // time.Time
	slice string // the element type, when a slice of a marked model
}

// readModels parses the package in dir, test and generated files aside,
// and returns its marked models in the order of their files and lines.
func readModels(dir string) ([]model, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	fset := token.NewFileSet()
	var specs []*ast.TypeSpec
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "_gen.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE || !marked(g.Doc) {
				continue
			}
			for _, s := range g.Specs {
				specs = append(specs, s.(*ast.TypeSpec))
			}
		}
	}
	marks := map[string]bool{}
	for _, s := range specs {
		marks[s.Name.Name] = true
	}
	var models []model
	for _, s := range specs {
		st, ok := s.Type.(*ast.StructType)
		if !ok {
			return nil, fmt.Errorf("%s: %s is marked %s but is not a struct", fset.Position(s.Pos()), s.Name.Name, directive)
		}
		m := model{name: s.Name.Name}
		for _, f := range st.Fields.List {
			if len(f.Names) != 1 || !f.Names[0].IsExported() {
				return nil, fmt.Errorf("%s: %s: give each field a name of its own, exported", fset.Position(f.Pos()), m.name)
			}
			fd, err := readField(fset, f, marks)
			if err != nil {
				return nil, fmt.Errorf("%s: %s.%w", fset.Position(f.Pos()), m.name, err)
			}
			m.fields = append(m.fields, fd)
		}
		models = append(models, m)
	}
	return models, nil
}

func marked(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	return slices.ContainsFunc(doc.List, func(c *ast.Comment) bool { return c.Text == directive })
}

func readField(fset *token.FileSet, f *ast.Field, marks map[string]bool) (field, error) {
	var typ bytes.Buffer
	if err := format.Node(&typ, fset, f.Type); err != nil {
		return field{}, err
	}
	fd := field{name: f.Names[0].Name, typ: typ.String()}
	if f.Tag == nil {
		return field{}, fmt.Errorf("%s has no json tag", fd.name)
	}
	tag, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return field{}, err
	}
	st := reflect.StructTag(tag)
	fd.json, _, _ = strings.Cut(st.Get("json"), ",")
	if fd.json == "" || fd.json == "-" {
		return field{}, fmt.Errorf("%s has no json name", fd.name)
	}
	fd.alias = st.Get("alias")
	fd.time = fd.typ == "time.Time"
	if elem, ok := strings.CutPrefix(fd.typ, "[]"); ok && marks[elem] {
		fd.slice = elem
	}
	return fd, nil
}

// wireName is the wire type of model m: invoiceWire for Invoice.
func wireName(m string) string {
	r := []rune(m)
	r[0] = unicode.ToLower(r[0])
	return string(r) + "Wire"
}

func (f field) wireType() string {
	switch {
	case f.time:
		return "flexTime"
	case f.slice != "":
		return "[]" + wireName(f.slice)
	}
	return f.typ
}

// toWire is the expression of field f of model m in its wire form.
func (f field) toWire() string {
	switch {
	case f.time:
		return "flexTime{m." + f.name + "}"
	case f.slice != "":
		return "toWire(m." + f.name + ", " + lowerFirst(f.slice) + "ToWire)"
	}
	return "m." + f.name
}

// fromWire is the expression of field f of wire value w in the model.
func (f field) fromWire() string {
	switch {
	case f.time:
		return "w." + f.name + ".t"
	case f.slice != "":
		return "fromWire[" + wireName(f.slice) + ", " + f.slice + "](w." + f.name + ")"
	}
	return "w." + f.name
}

// article is "an" before a vowel, else "a".
func article(s string) string {
	if strings.ContainsRune("AEIOU", rune(s[0])) {
		return "an"
	}
	return "a"
}

func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func generate(models []model) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by wiregen from the models marked " + directive + "; DO NOT EDIT.\n\npackage asset\n")
	for _, m := range models {
		w := wireName(m.name)
		fmt.Fprintf(&b, "\n// %s is %s %s as it travels.\ntype %s struct {\n", w, article(m.name), m.name, w)
		for _, f := range m.fields {
			fmt.Fprintf(&b, "\t%s %s `json:%q`\n", f.name, f.wireType(), f.json)
			if f.alias != "" {
				fmt.Fprintf(&b, "\t%sAlias %s `json:%q`\n", f.name, f.wireType(), f.alias)
			}
		}
		b.WriteString("}\n")

		fmt.Fprintf(&b, "\nfunc %sToWire(m *%s) %s {\n\treturn %s{\n", lowerFirst(m.name), m.name, w, w)
		for _, f := range m.fields {
			fmt.Fprintf(&b, "\t\t%s: %s,\n", f.name, f.toWire())
		}
		b.WriteString("\t}\n}\n")

		fmt.Fprintf(&b, "\nfunc (w *%s) into(m *%s) {\n", w, m.name)
		for _, f := range m.fields {
			fmt.Fprintf(&b, "\tm.%s = %s\n", f.name, f.fromWire())
			if f.alias != "" {
				fmt.Fprintf(&b, "\tif m.%s == nil {\n\t\tm.%s = w.%sAlias\n\t}\n", f.name, f.name, f.name)
			}
		}
		b.WriteString("}\n")

		fmt.Fprintf(&b, "\n// UnmarshalJSON decodes a %s in either documented version of the API.\n// Like encoding/json's own decoding, fields absent from b keep their value.\n", m.name)
		fmt.Fprintf(&b, "func (m *%s) UnmarshalJSON(b []byte) error { return unmarshalWire(b, m, %sToWire) }\n", m.name, lowerFirst(m.name))
		fmt.Fprintf(&b, "\nfunc (*%s) codec() envelopeCodec[%s] { return wireCodec[%s, %s, *%s]{} }\n", m.name, m.name, m.name, w, w)
	}
	return format.Source(b.Bytes())
}
