package asset

import (
	"errors"
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"
)

// checkEncodable refuses, before anything is sent, a value encoding/json
// would send other than as given: a string that is not valid UTF-8 would
// reach the server with U+FFFD in place of its bad bytes (so "M-\xfe" and
// "M-\xff" would become one number), and a Decimal beyond what can be
// written out would fail the encoding after other batches were sent. field
// names v in errors, and each part of it by its JSON name, e.g.
// invoices[3].lines[0].amount.
func checkEncodable(field string, v any) error {
	return checkValue(field, reflect.ValueOf(v))
}

var (
	decimalType = reflect.TypeFor[Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
)

func checkValue(field string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return &InputError{Field: field, Reason: fmt.Sprintf("%+.40q is not valid UTF-8", v.String())}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkValue(field, v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkValue(fmt.Sprintf("%s[%d]", field, i), v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			k := it.Key()
			if err := checkValue(field+" key", k); err != nil {
				return err
			}
			if err := checkValue(fmt.Sprintf("%s[%v]", field, k), it.Value()); err != nil {
				return err
			}
		}
	case reflect.Struct:
		return checkStruct(field, v)
	}
	return nil
}

func checkStruct(field string, v reflect.Value) error {
	switch v.Type() {
	case decimalType:
		if err := v.Interface().(Decimal).encodable(); err != nil {
			return &InputError{Field: field, Reason: err.Reason}
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
		if err := checkValue(field+"."+name, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

// jsonName is the name f has in JSON.
func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	for i := range len(tag) {
		if tag[i] == ',' {
			tag = tag[:i]
			break
		}
	}
	if tag == "" {
		return f.Name
	}
	return tag
}

// encodable reports why x cannot be sent, if it cannot.
func (x Decimal) encodable() *InputError {
	if !x.set {
		return nil
	}
	var buf [64]byte
	_, err := x.appendEncoded(buf[:0])
	var inputErr *InputError
	if errors.As(err, &inputErr) {
		return inputErr
	}
	return nil
}
