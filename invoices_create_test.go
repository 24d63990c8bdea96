package asset

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateAnsweredUnderAnotherNumber(t *testing.T) {
	// The server normalised the number, or a mock answers with the
	// documented example (number "<string>"): one invoice sent, one
	// created. That is a success, not an invoice "missing from the response".
	t.Parallel()
	c, srv := setup(t)
	srv.Handle("POST "+pathInvoices, replyFile(t, http.StatusCreated, "seed_create_response.json"))

	invs, err := c.Invoices.Create(context.Background(), testBiz, []InvoiceCreate{{Number: "inv-001"}})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Requests())
	require.Len(t, invs, 1)
	assert.Equal(t, "inv_WQMDNUHpBThYSNh4AprDBo", invs[0].ID)
}

func TestCreateUndocumentedSuccessBody(t *testing.T) {
	// A 2xx that is not a batch answer says nothing about what was created:
	// the outcome is unknown, as for any change whose answer is unreadable.
	t.Parallel()
	for _, body := range []string{`{}`, `null`, `{"data":null}`, `{"status":"healthy"}`, `{"data":[{}]}`, `{"data":[null]}`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.Handle("POST "+pathInvoices, reply(http.StatusCreated, body))

			invs, err := c.Invoices.Create(context.Background(), testBiz, []InvoiceCreate{{Number: "A-1"}, {Number: "A-2"}})
			assert.Empty(t, invs)
			assert.Equal(t, 1, srv.Requests(), "a change whose outcome is unknown is not sent again")
			var decErr *DecodeError
			require.ErrorAs(t, err, &decErr)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			var be *BatchError
			assert.False(t, errors.As(err, &be), "not a batch error: %v", err)
		})
	}
}
