package asset

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Ids that a server or a proxy would resolve as a path segment of their
// own: "." names the collection, ".." its parent.
func TestCheckIDRefusesDotSegments(t *testing.T) {
	t.Parallel()
	for _, id := range []string{".", "..", "..inv", "inv..", "in..v", "..."} {
		t.Run(id, func(t *testing.T) {
			err := checkID("invoiceID", id)
			var in *InputError
			if assert.True(t, errors.As(err, &in), "refused with an *InputError, got %v", err) {
				assert.Equal(t, "invoiceID", in.Field)
			}
		})
	}
}

func TestCheckIDAcceptsDotsInside(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"inv.1", ".inv", "inv.", "a.b.c"} {
		assert.NoError(t, checkID("invoiceID", id), id)
	}
}
