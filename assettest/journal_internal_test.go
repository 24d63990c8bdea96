package assettest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
)

// A change the journal could not keep is answered 503, an outcome unknown
// to the client, and so is every change after it, even one the file could
// take again: a later change must never be kept without the one it may
// build on. Reads go on.
func TestJournalFailureRefusesChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asset.state")
	srv, err := Start(WithState(path))
	require.NoError(t, err)
	defer srv.Close()
	c := srv.Client(asset.WithMaxRetries(0))
	ctx := context.Background()
	create := func(number string) error {
		_, err := c.Invoices.Create(ctx, "biz_j", []asset.InvoiceCreate{{Number: number, Lines: []asset.InvoiceLineCreate{{Amount: asset.MustDecimal("1")}}}})
		return err
	}
	require.NoError(t, create("J-1"))

	require.NoError(t, srv.journal.f.Close()) // every write fails from now on
	for _, number := range []string{"J-2", "J-3"} {
		err := create(number)
		var apiErr *asset.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
		assert.ErrorIs(t, err, asset.ErrOutcomeUnknown)
	}
	assert.Panics(t, func() { srv.AddTransaction("biz_j", asset.MustDecimal("1")) })
	_, err = c.Invoices.List(ctx, "biz_j", nil)
	require.NoError(t, err)
	srv.Close()

	again, err := Start(WithState(path))
	require.NoError(t, err)
	defer again.Close()
	assert.Len(t, again.Invoices("biz_j"), 1, "only the change written before the failure")
}

// One sync covers every change written before it began: callers waiting
// together share it, and a failed sync fails every wait after it, since
// what it covered may or may not be on disk.
func TestJournalSyncTo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	f, err := os.Create(path)
	require.NoError(t, err)
	j, err := newJournal(path, f)
	require.NoError(t, err)
	first, err := j.write(&entry{Op: opAddTagField, Name: "a"})
	require.NoError(t, err)
	second, err := j.write(&entry{Op: opAddTagField, Name: "b"})
	require.NoError(t, err)
	require.Greater(t, second, first)

	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = j.syncTo(second)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, second, j.synced)
	require.NoError(t, j.syncTo(first), "covered already")

	third, err := j.write(&entry{Op: opAddTagField, Name: "c"})
	require.NoError(t, err)
	require.NoError(t, f.Close()) // the sync of the third fails
	require.ErrorContains(t, j.syncTo(third), "syncing "+path)
	require.ErrorContains(t, j.syncTo(third), "syncing "+path, "and stays failed")
	assert.Equal(t, second, j.synced)
}
