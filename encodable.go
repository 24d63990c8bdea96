package asset

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// checkEncodable refuses, before anything is sent, a value encoding/json
// would send other than as given: a string that is not valid UTF-8 would
// reach the server with U+FFFD in place of its bad bytes (so "M-\xfe" and
// "M-\xff" would become one number), and a Decimal beyond what can be
// written out would fail the encoding after other batches were sent. field
// names v in errors, and each part of it by its JSON name, e.g.
// invoices[3].lines[0].amount. The walk allocates nothing unless it finds
// something wrong: it runs on every item of every batch.
func checkEncodable(field string, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		// Addressable, so that a Decimal is read through a pointer rather
		// than copied into an interface.
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		rv = p
	}
	w := encodingWalk{root: field}
	w.path = w.stack[:0]
	return w.value(rv)
}

// encodingWalk is one checkEncodable: where it is, as a stack of steps
// from the root, becomes a string only for an error.
type encodingWalk struct {
	root  string
	path  []step
	stack [8]step
}

// step is one step down from a value: to a struct field (name), a map
// entry (key), a map key itself (isKey), or an element (index).
type step struct {
	name  string
	index int
	key   reflect.Value
	isKey bool
}

func (w *encodingWalk) at() string {
	var b strings.Builder
	b.WriteString(w.root)
	for _, s := range w.path {
		switch {
		case s.isKey:
			b.WriteString(" key")
		case s.key.IsValid():
			fmt.Fprintf(&b, "[%v]", s.key)
		case s.name != "":
			b.WriteString("." + s.name)
		default:
			fmt.Fprintf(&b, "[%d]", s.index)
		}
	}
	return b.String()
}

// down checks v, one step below where the walk is.
func (w *encodingWalk) down(s step, v reflect.Value) error {
	w.path = append(w.path, s)
	err := w.value(v)
	w.path = w.path[:len(w.path)-1]
	return err
}

var (
	decimalType = reflect.TypeFor[Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
)

func (w *encodingWalk) value(v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) {
			return &InputError{Field: w.at(), Reason: fmt.Sprintf("%+.40q is not valid UTF-8", s)}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return w.value(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := w.down(step{index: i}, v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v.Len() == 0 {
			return nil
		}
		for it := v.MapRange(); it.Next(); {
			k := it.Key()
			if err := w.down(step{isKey: true}, k); err != nil {
				return err
			}
			if err := w.down(step{key: k}, it.Value()); err != nil {
				return err
			}
		}
	case reflect.Struct:
		return w.structure(v)
	}
	return nil
}

func (w *encodingWalk) structure(v reflect.Value) error {
	switch v.Type() {
	case decimalType:
		var d Decimal
		if v.CanAddr() {
			d = *v.Addr().Interface().(*Decimal)
		} else {
			d = v.Interface().(Decimal)
		}
		if err := d.encodable(); err != nil {
			return &InputError{Field: w.at(), Reason: err.Reason}
		}
		return nil
	case timeType:
		return nil
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := jsonName(f)
		if name == "-" {
			continue
		}
		if err := w.down(step{name: name}, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

// jsonName is the name f has in JSON.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// encodable reports why x cannot be sent, if it cannot.
func (x Decimal) encodable() *InputError {
	if !x.set {
		return nil
	}
	var buf [64]byte
	if _, err := x.appendEncoded(buf[:0]); err != nil {
		return x.rangeError()
	}
	return nil
}
