package asset

import (
	"errors"

	"github.com/assetkit/asset-go/internal/clientname"
)

// The katsupay client shares InputError and NetworkError; their messages
// name it instead of this package.
func init() {
	clientname.Set = func(err error, name string) {
		var ierr *InputError
		if errors.As(err, &ierr) {
			ierr.client = name
		}
		var nerr *NetworkError
		if errors.As(err, &nerr) {
			nerr.client = name
		}
	}
}

// prefix starts an error message with the name of the client that
// returned it.
func prefix(client string) string {
	if client == "" {
		return "asset: "
	}
	return client + ": "
}
