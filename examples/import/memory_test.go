package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// statelessAPI answers invoice creation as the API does, but keeps nothing,
// so that the heap measured is the import's own.
func statelessAPI(t *testing.T) *httptest.Server {
	var seq atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in []struct {
			Number string `json:"number"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&in) != nil {
			http.Error(w, `{"detail": "bad request"}`, http.StatusBadRequest)
			return
		}
		type invoice struct {
			ID          string `json:"id"`
			BusinessID  string `json:"business_id"`
			Number      string `json:"number"`
			TotalAmount string `json:"total_amount"`
			Status      string `json:"status"`
			Source      string `json:"source"`
		}
		out := struct {
			Data   []invoice  `json:"data"`
			Errors []struct{} `json:"errors"`
		}{Errors: []struct{}{}}
		for _, inv := range in {
			out.Data = append(out.Data, invoice{fmt.Sprintf("inv_%022d", seq.Add(1)), "biz_mem", inv.Number, "10.50", "open", "manual"})
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// peakHeap samples the heap in use until stop is called, which returns the
// highest figure seen.
func peakHeap() (stop func() uint64) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// TestImportHeap measures the heap of a 100,000-row import, and of one ten
// times smaller for comparison: the file is read a chunk at a time, so the
// peak stays near what one chunk takes, whatever the file's size. The
// figures are logged, not asserted.
func TestImportHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 110,000 rows")
	}
	api := statelessAPI(t)
	vars := map[string]string{"ASSET_TOKEN": "tok_mem", "ASSET_BASE_URL": api.URL, "ASSET_BUSINESS_ID": "biz_mem", "ASSET_RATE_LIMIT": "0"}
	for _, rows := range []int{10_000, 100_000} {
		file := writeInvoices(t, rows, 1)
		st, err := os.Stat(file)
		require.NoError(t, err)

		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := peakHeap()
		began := time.Now()
		stdout, _, err := runImport(t, vars, "-file", file)
		took := time.Since(began)
		peak := stop()
		require.NoError(t, err)
		require.Contains(t, stdout, fmt.Sprintf(": %d invoices in %d rows: %d created,", rows, rows, rows))

		result, err := os.Stat(file + ".result.csv")
		require.NoError(t, err)
		t.Logf("%d rows (%.1f MiB in, %.1f MiB of results) in %s: peak heap %.1f MiB (%.1f MiB before)",
			rows, mib(st.Size()), mib(result.Size()), took.Round(time.Millisecond), mib(int64(peak)), mib(int64(before.HeapAlloc)))
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
