package asset

import (
	"net/url"
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
