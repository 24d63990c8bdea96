package asset

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// queryOf is the query a request was sent with, parsed.
func queryOf(t *testing.T, s sentRequest) url.Values {
	t.Helper()
	q, err := url.ParseQuery(s.Query)
	require.NoError(t, err)
	return q
}

// pattern is the testServer pattern of ac's request: its method and its
// path, which ac keeps as an anchored regular expression of plain text.
func (ac apiCall) pattern() string {
	return ac.method + " " + strings.TrimSuffix(strings.TrimPrefix(ac.path, "^"), "$")
}
