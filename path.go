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

// pathf fills the %s verbs of format with checked, escaped ids. An id that
// could change which resource is addressed (empty, ".", "..", a slash) is
// refused before anything is sent.
func pathf(format string, ids ...idArg) (string, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		if err := checkID(id.field, id.value); err != nil {
			return "", err
		}
		args[i] = url.PathEscape(id.value)
	}
	return fmt.Sprintf(format, args...), nil
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
