package asset

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/assetkit/asset-go/internal/redact"
)

// The API wraps every answer in an envelope: {"data": T} for one object,
// {"data": [T], "pagination": {...}} for a list, and {"data": [T],
// "errors": [...]} for a batch create. Each envelope decodes with
// encoding/json (the models convert themselves from their wire form, see
// models_json.go) and then checks that the body had the documented shape.

// dataEnvelope is the wire shape of a single-object response.
type dataEnvelope[T any] struct {
	Data T `json:"data"`
}

// listEnvelope is the wire shape of a list response.
type listEnvelope[T any] struct {
	Data       []T `json:"data"`
	Pagination struct {
		NextPageToken     *string `json:"next_page_token"`
		PreviousPageToken *string `json:"previous_page_token"`
	} `json:"pagination"`
}

func (e *listEnvelope[T]) page() *Page[T] {
	p := &Page[T]{Data: e.Data}
	if t := e.Pagination.NextPageToken; t != nil {
		p.NextPageToken = *t
	}
	if t := e.Pagination.PreviousPageToken; t != nil {
		p.PreviousPageToken = *t
	}
	return p
}

// batchEnvelope is the wire shape of a batch create response: some items
// may be created while others are refused.
type batchEnvelope[T any] struct {
	Data   []T            `json:"data"`
	Errors []batchRefusal `json:"errors"`
}

// batchRefusal is one refused item of a batch. Invoice batches name it by
// invoice_number, credit memo batches by number; the docs describe no
// refusals of transactions, which are read under the key their create
// sends (transaction_id) or the one their model has (external_id).
type batchRefusal struct {
	Error         string `json:"error"`
	InvoiceNumber string `json:"invoice_number"`
	Number        string `json:"number"`
	TransactionID string `json:"transaction_id"`
	ExternalID    string `json:"external_id"`
}

// quoter is a success body that holds the server's own words, which may
// quote the request's credentials back, as an error body may.
type quoter interface{ redact(secrets []string) }

func (e *batchEnvelope[T]) redact(secrets []string) {
	for i := range e.Errors {
		e.Errors[i].Error = redact.String(e.Errors[i].Error, secrets)
	}
}

func (r *batchRefusal) number() string {
	for _, n := range []string{r.InvoiceNumber, r.Number, r.TransactionID} {
		if n != "" {
			return n
		}
	}
	return r.ExternalID
}

// decodeBody decodes a success response into out.
func decodeBody(b []byte, out any) error {
	if e, ok := out.(envelope); ok {
		return e.decode(b)
	}
	return json.Unmarshal(b, out)
}

// envelope is a response envelope that decodes its models through their
// wire form when they have one.
type envelope interface{ decode(b []byte) error }

// wireModel is a model that decodes through a wire type: encoding/json
// decodes a whole envelope of wire values in one pass, where going through
// each model's UnmarshalJSON would scan every model's bytes twice more.
type wireModel[M any] interface{ codec() envelopeCodec[M] }

// envelopeCodec decodes each envelope of M.
type envelopeCodec[M any] interface {
	data(b []byte, e *dataEnvelope[M]) error
	list(b []byte, e *listEnvelope[M]) error
	batch(b []byte, e *batchEnvelope[M]) error
}

// wireCodec decodes envelopes of M through the wire type W, whose into
// method is the one place a W becomes an M.
type wireCodec[M, W any, PW interface {
	*W
	into(*M)
}] struct{}

func (wireCodec[M, W, PW]) data(b []byte, e *dataEnvelope[M]) error {
	var w dataEnvelope[W]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	PW(&w.Data).into(&e.Data)
	return nil
}

func (wireCodec[M, W, PW]) list(b []byte, e *listEnvelope[M]) error {
	var w listEnvelope[W]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	e.Data, e.Pagination = fromWire[W, M, PW](w.Data), w.Pagination
	return nil
}

func (wireCodec[M, W, PW]) batch(b []byte, e *batchEnvelope[M]) error {
	var w batchEnvelope[W]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	e.Data, e.Errors = fromWire[W, M, PW](w.Data), w.Errors
	return nil
}

// codecOf is T's codec, or nil when T decodes with encoding/json alone.
func codecOf[T any]() envelopeCodec[T] {
	if m, ok := any(new(T)).(wireModel[T]); ok {
		return m.codec()
	}
	return nil
}

func (e *dataEnvelope[T]) decode(b []byte) error {
	if c := codecOf[T](); c != nil {
		return c.data(b, e)
	}
	return json.Unmarshal(b, e)
}

func (e *listEnvelope[T]) decode(b []byte) error {
	if c := codecOf[T](); c != nil {
		return c.list(b, e)
	}
	return json.Unmarshal(b, e)
}

func (e *batchEnvelope[T]) decode(b []byte) error {
	if c := codecOf[T](); c != nil {
		return c.batch(b, e)
	}
	return json.Unmarshal(b, e)
}

// shapeChecker is a response envelope that can tell a body that decoded
// from one that is the documented response: a proxy's 200 "{}" decodes
// without error into an empty page or a zero model, which a caller would
// take for real data.
type shapeChecker interface{ checkShape(body []byte) error }

// responseModel is a model that can tell a value the API sent from the
// zero value an empty or foreign object decodes to.
type responseModel interface{ checkDecoded() error }

// checkModel checks v when its type knows how; other types pass.
func checkModel(v any) error {
	if m, ok := v.(responseModel); ok {
		return m.checkDecoded()
	}
	return nil
}

// checkHasID is a model's checkDecoded: every kind of object the API sends
// has an id.
func checkHasID(kind, id string) error {
	if id == "" {
		return errors.New("holds no " + kind + " id")
	}
	return nil
}

func (e *listEnvelope[T]) checkShape(body []byte) error {
	if e.Data != nil {
		return nil
	}
	// A null or missing list is an empty page when the body is a list
	// response at all, that is, has "data" or "pagination" (its tokens may
	// be null); the rare case pays for a second look at the body.
	var keys map[string]json.RawMessage
	if json.Unmarshal(body, &keys) == nil {
		if _, ok := keys["data"]; ok {
			return nil
		}
		if _, ok := keys["pagination"]; ok {
			return nil
		}
	}
	return errors.New(`the response has neither a "data" list nor pagination`)
}

func (e *dataEnvelope[T]) checkShape([]byte) error {
	if err := checkModel(&e.Data); err != nil {
		return fmt.Errorf(`the response's "data" %w`, err)
	}
	return nil
}

func (e *batchEnvelope[T]) checkShape([]byte) error {
	if e.Data == nil && e.Errors == nil {
		return errors.New(`the response has neither a "data" list nor "errors"`)
	}
	for i := range e.Data {
		if err := checkModel(&e.Data[i]); err != nil {
			return fmt.Errorf(`the response's "data"[%d] %w`, i, err)
		}
	}
	return nil
}

// batchFailures accounts for every item of a batch from its response: it
// returns the items created and a *BatchError naming each item that was
// not, each index of sent in exactly one of the two whatever the response
// lists. Items are matched by number first. A server may normalise a
// number, and a mock may answer with the documented example, so items left
// unmatched are matched by count: they are failures only when the response
// holds fewer entries under other numbers than there are such items, and
// then each of them, since which ones the server dropped cannot be told. An
// item listed as created more than once counts once; one listed both as
// created and as refused, or missing, may exist on the server: its failure's
// Err matches ErrOutcomeUnknown. A refusal under a number that was not sent
// is reported with Index -1, once. numberOf is a created item's number; kind
// names the items in messages ("invoice", "credit memo").
func batchFailures[T any](kind string, sent []string, env *batchEnvelope[T], numberOf func(*T) string) ([]T, error) {
	const (
		listedCreated = 1 << iota
		listedRefused
	)
	index := make(map[string]int, len(sent))
	for i, n := range sent {
		index[n] = i
	}
	listed := make([]uint8, len(sent))
	refusal := make([]string, len(sent)) // each item's first refusal
	var failures []BatchFailure
	strangers := map[string]bool{} // refused numbers that were not sent
	for _, r := range env.Errors {
		n := r.number()
		i, ok := index[n]
		if !ok {
			if !strangers[n] {
				strangers[n] = true
				failures = append(failures, BatchFailure{Number: n, Index: -1, Message: r.Error})
			}
			continue
		}
		if listed[i]&listedRefused == 0 {
			refusal[i] = r.Error
		}
		listed[i] |= listedRefused
	}
	created := make([]T, 0, len(env.Data))
	others := 0 // entries under a number that was not sent
	for j := range env.Data {
		i, ok := index[numberOf(&env.Data[j])]
		switch {
		case !ok:
			others++
		case listed[i]&listedCreated != 0:
			continue // listed twice: the invoice is one
		default:
			listed[i] |= listedCreated
		}
		created = append(created, env.Data[j])
	}
	lookUp := lookupHint(kind)
	var unmatched []int
	ambiguous := false
	for i, l := range listed {
		switch l {
		case listedRefused:
			failures = append(failures, BatchFailure{Number: sent[i], Index: i, Message: refusal[i]})
		case listedCreated | listedRefused:
			ambiguous = true
			failures = append(failures, BatchFailure{Number: sent[i], Index: i, Err: errAmbiguous,
				Message: "listed both as created and as refused (" + refusal[i] + "): it may exist; " + lookUp})
		case 0:
			unmatched = append(unmatched, i)
		}
	}
	if ambiguous {
		created = slices.DeleteFunc(created, func(m T) bool {
			i, ok := index[numberOf(&m)]
			return ok && listed[i] == listedCreated|listedRefused
		})
	}
	if len(unmatched) > others {
		msg := "missing from the response, neither created nor refused: it may have been created; " + lookUp
		if others > 0 {
			msg = fmt.Sprintf("not in the response under its number, and the response holds %d %s under other numbers for %d such %ss: "+
				"it may have been created; %s", others, plural(others, "entry", "entries"), len(unmatched), kind, lookUp)
		}
		for _, i := range unmatched {
			failures = append(failures, BatchFailure{Number: sent[i], Index: i, Message: msg, Err: errUnaccounted})
		}
	}
	if len(failures) == 0 {
		return created, nil
	}
	slices.SortStableFunc(failures, func(x, y BatchFailure) int { return cmp.Compare(uint(x.Index), uint(y.Index)) })
	return created, &BatchError{Failures: failures, kind: kind}
}

// The causes of the failures of items a batch response leaves in doubt.
var (
	errUnaccounted = fmt.Errorf("the batch response does not account for it: %w", ErrOutcomeUnknown)
	errAmbiguous   = fmt.Errorf("the batch response lists it both as created and as refused: %w", ErrOutcomeUnknown)
)

// lookupHint says how to settle an item of kind whose outcome is unknown.
func lookupHint(kind string) string {
	switch kind {
	case "credit memo":
		return "look it up with CreditMemos.FindByNumbers before creating it again"
	case "transaction":
		return "look it up with Transactions.FindByExternalIDs before creating it again"
	}
	return "look it up with Invoices.FindByNumbers before creating it again (CreateMany does)"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
