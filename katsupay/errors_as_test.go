package katsupay_test

// This file imports neither package asset nor package sdkerr: a katsupay
// user matches every error by katsupay's own names.

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go/katsupay"
)

func TestErrorsMatchByKatsupayNames(t *testing.T) {
	t.Run("input", func(t *testing.T) {
		_, err := katsupay.NewClient("ftp://pay.example.com")
		var ie *katsupay.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "baseURL", ie.Field)
		assert.ErrorIs(t, err, katsupay.ErrValidation)
	})
	t.Run("network", func(t *testing.T) {
		c := newGockClient(t)
		mockCreate().ReplyError(errors.New("connection reset"))
		_, err := c.Invoices.Create(context.Background(), validInvoice())
		var ne *katsupay.NetworkError
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.MayHaveApplied)
		assert.ErrorIs(t, err, katsupay.ErrOutcomeUnknown)
	})
	t.Run("refusal", func(t *testing.T) {
		c := newGockClient(t)
		mockCreate().Reply(404).BodyString(`{"succeeded":false,"message":"no such account"}`)
		_, err := c.Invoices.Create(context.Background(), validInvoice())
		var kerr *katsupay.Error
		require.ErrorAs(t, err, &kerr)
		for _, target := range []error{katsupay.ErrNotFound} {
			assert.ErrorIs(t, err, target)
		}
		for _, target := range []error{katsupay.ErrUnauthorized, katsupay.ErrForbidden, katsupay.ErrConflict,
			katsupay.ErrRateLimited, katsupay.ErrServer, katsupay.ErrValidation, katsupay.ErrOutcomeUnknown} {
			assert.NotErrorIs(t, err, target)
		}
	})
}
