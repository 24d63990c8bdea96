package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package's wire_gen.go is what wiregen writes from its models today:
// a field added to a model without running go generate fails here.
func TestWireFormsAreFresh(t *testing.T) {
	models, err := readModels("../../..")
	require.NoError(t, err)
	want, err := generate(models)
	require.NoError(t, err)
	got, err := os.ReadFile("../../../wire_gen.go")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "wire_gen.go is stale: run go generate in the module's root")
}

func TestGenerate(t *testing.T) {
	src, err := generate([]model{
		{name: "Item", fields: []field{
			{name: "ID", typ: "string", json: "id"},
			{name: "At", typ: "time.Time", json: "at", time: true},
			{name: "Meta", typ: "map[string]any", json: "meta", alias: "meta_"},
			{name: "Parts", typ: "[]Part", json: "parts", slice: "Part"},
		}},
		{name: "Part", fields: []field{{name: "N", typ: "int", json: "n"}}},
	})
	require.NoError(t, err)
	s := string(src)
	for _, want := range []string{
		"type itemWire struct",
		"At        flexTime       `json:\"at\"`",
		"MetaAlias map[string]any",
		"`json:\"meta_\"`",
		"Parts     []partWire",
		"At:    flexTime{m.At}",
		"Parts: toWire(m.Parts, partToWire)",
		"m.At = w.At.t",
		"if m.Meta == nil {\n\t\tm.Meta = w.MetaAlias\n\t}",
		"m.Parts = fromWire[partWire, Part](w.Parts)",
		"func (m *Item) UnmarshalJSON(b []byte) error { return unmarshalWire(b, m, itemToWire) }",
		"func (*Part) codec() envelopeCodec[Part] { return wireCodec[Part, partWire, *partWire]{} }",
		"// itemWire is an Item as it travels.",
	} {
		assert.True(t, strings.Contains(s, want), "missing %q in:\n%s", want, s)
	}
}

func TestReadModelsRefusesWhatItCannotMirror(t *testing.T) {
	for name, src := range map[string]string{
		"no json tag":   "package p\n//asset:wire\ntype A struct {\n\tX int\n}\n",
		"two names":     "package p\n//asset:wire\ntype A struct {\n\tX, Y int `json:\"x\"`\n}\n",
		"not a struct":  "package p\n//asset:wire\ntype A int\n",
		"a json of '-'": "package p\n//asset:wire\ntype A struct {\n\tX int `json:\"-\"`\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(dir+"/a.go", []byte(src), 0o600))
			_, err := readModels(dir)
			assert.Error(t, err)
		})
	}
}
