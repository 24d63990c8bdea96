package asset

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/assetkit/asset-go/internal/httpcore"
)

// idArg is an id that goes into a request path, with the argument's name for
// the error when it is unusable.
type idArg struct{ field, value string }

// apiPath is a request's path, escaped, its template (the path with each id
// as {name}, which names the call in traces and metrics without the ids),
// and the business it is for: the key the rate limiter budgets the request
// under, "" for none.
type apiPath struct {
	escaped  string
	template string
	business string
}

func (p apiPath) String() string { return p.escaped }

// pathf fills the %s verbs of format with checked, escaped ids. An id that
// could change which resource is addressed (empty, ".", "..", a slash) is
// refused before anything is sent. The id named businessID is the path's
// business. The template names each id after its field: businessID is
// {business_id}.
func pathf(format string, ids ...idArg) (apiPath, error) {
	var p apiPath
	args := make([]any, len(ids))
	names := make([]any, len(ids))
	for i, id := range ids {
		if err := checkID(id.field, id.value); err != nil {
			return apiPath{}, err
		}
		args[i] = url.PathEscape(id.value)
		names[i] = "{" + snakeCase(id.field) + "}"
		if id.field == "businessID" {
			p.business = id.value
		}
	}
	p.escaped = fmt.Sprintf(format, args...)
	p.template = fmt.Sprintf(format, names...)
	return p, nil
}

// snakeCase is a Go name as the API's docs write it: creditMemoID is
// credit_memo_id.
func snakeCase(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(name[i-1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func checkID(field, id string) error {
	reason := ""
	switch {
	case id == "":
		reason = "is empty"
	case len(id) > 255:
		reason = "is longer than 255 characters"
	case strings.ContainsAny(id, "/\\?#%"):
		reason = fmt.Sprintf("%q holds a character ids never have (/ \\ ? # %%)", id)
	case id == ".":
		// A lone dot is a path segment of its own: servers and proxies
		// resolve ".../invoice/." to the collection.
		reason = `"." is not an id`
	case strings.Contains(id, ".."):
		reason = fmt.Sprintf("%q holds \"..\"", id)
	case strings.ContainsFunc(id, unicode.IsSpace) || httpcore.CheckHeaderValue(id) != nil:
		reason = fmt.Sprintf("%q holds spaces or control characters", id)
	}
	if reason == "" {
		return nil
	}
	return &InputError{Field: field, Reason: reason}
}
