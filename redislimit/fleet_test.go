package redislimit_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/assetkit/asset-go"
	"github.com/assetkit/asset-go/assettest"
	"github.com/assetkit/asset-go/redislimit"
)

// The fleet: 4 clients (or processes), each with 4 goroutines, hammer one
// business, or four, of a server that allows 100 requests per 2 seconds
// per business and per tenant (50 a second), the API's 300 a minute scaled
// down so a run takes seconds. Every limiter is set to exactly the
// server's limit, as docs/rate-limits.md tells users to set theirs.
const (
	fleetSize    = 4
	fleetWorkers = 4
	serverLimit  = 100
	serverPer    = 2 * time.Second
	fleetRun     = 3 * time.Second
	fleetBiz     = "biz_Fleet0000000000000000001"
	fleetToken   = "tok_fleet"
)

// serverRate is the server's limit a second, for one business or for the
// tenant.
var serverRate = float64(serverLimit) / serverPer.Seconds()

// fleetLimit is each member's budget: the server's own.
var fleetLimit = redislimit.Limit{N: serverLimit, Per: serverPer}

// fleetBusinesses are the businesses a fleet of n businesses calls.
func fleetBusinesses(n int) []string {
	ids := []string{fleetBiz}
	for i := 2; i <= n; i++ {
		ids = append(ids, fmt.Sprintf("biz_Fleet%019d", i))
	}
	return ids
}

func fleetServer(t *testing.T) *assettest.Server {
	srv := assettest.NewServer(assettest.WithToken(fleetToken),
		assettest.WithRateLimit(serverLimit, serverPer), assettest.WithTenantRateLimit(serverLimit, serverPer))
	t.Cleanup(srv.Close)
	return srv
}

// fleetFigures is what one run of the fleet drew from the server.
type fleetFigures struct {
	served, limited int
	perSecond       float64
}

// share is the part of the server's limit served: the tenant's limit,
// which is also one business's, bounds the fleet however many businesses
// it calls.
func (f fleetFigures) share() float64 { return f.perSecond / serverRate }

func (f fleetFigures) String() string {
	return fmt.Sprintf("%4d served, %5.1f/s (%3.0f%% of %.0f/s), %4d answered 429",
		f.served, f.perSecond, 100*f.share(), serverRate, f.limited)
}

func figures(srv *assettest.Server, d time.Duration) fleetFigures {
	st := srv.Stats(assettest.RouteListInvoices)
	return fleetFigures{served: st.Served, limited: st.RateLimited, perSecond: float64(st.Served) / d.Seconds()}
}

// hammer lists businesses from fleetWorkers goroutines until end, worker
// w of client c calling the business (c*fleetWorkers+w) mod len(biz). It
// returns the errors other than those of calls cut short by end.
func hammer(c *asset.Client, client int, biz []string, end time.Time) []error {
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for w := range fleetWorkers {
		id := biz[(client*fleetWorkers+w)%len(biz)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, err := c.Invoices.List(ctx, id, &asset.InvoiceListParams{PageSize: 1})
				if err != nil && ctx.Err() == nil && !errors.Is(err, asset.ErrRateLimited) {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

// runFleet runs fleetSize clients made by client, calling nbiz
// businesses, for d.
func runFleet(t *testing.T, d time.Duration, nbiz int, client func(srv *assettest.Server) *asset.Client) fleetFigures {
	srv := fleetServer(t)
	biz := fleetBusinesses(nbiz)
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	errs := make([][]error, fleetSize)
	for i := range fleetSize {
		c := client(srv)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = hammer(c, i, biz, end)
		}()
	}
	wg.Wait()
	for _, e := range errs {
		assert.Empty(t, e)
	}
	return figures(srv, d)
}

// TestFleet: 4 independent clients, each with its own limiter on its own
// Redis connection, as 4 processes, every limiter set to the server's own
// limit, share the server's budget: no 429, and at least 95% of the limit
// used, on one business and on four. The same fleet paced by
// WithRateLimit, each client on its own, draws 429s. The figures of both
// are printed side by side.
func TestFleet(t *testing.T) {
	needRedis(t)
	type result struct {
		nbiz           int
		shared, single fleetFigures
	}
	var results []result
	for _, nbiz := range []int{1, 4} {
		prefix := testPrefix(t) + strconv.Itoa(nbiz)
		r := result{nbiz: nbiz}
		r.shared = runFleet(t, fleetRun, nbiz, func(srv *assettest.Server) *asset.Client {
			lim := redislimit.New(newRedisClient(t, redisAddr), fleetLimit, redislimit.WithPrefix(prefix))
			return srv.Client(asset.WithRateLimiter(lim))
		})
		r.single = runFleet(t, fleetRun, nbiz, func(srv *assettest.Server) *asset.Client {
			return srv.Client(asset.WithRateLimit(fleetLimit.N, fleetLimit.Per))
		})
		results = append(results, r)
	}
	t.Logf("%d clients x %d goroutines, every limiter at the server's %d per %s, %s a run:",
		fleetSize, fleetWorkers, serverLimit, serverPer, fleetRun)
	t.Logf("  %-12s %-58s %s", "", "redislimit, shared", "WithRateLimit, each client on its own")
	for _, r := range results {
		t.Logf("  %d business%-2s %-58s %s", r.nbiz, map[bool]string{true: "es"}[r.nbiz > 1], r.shared, r.single)
	}
	for _, r := range results {
		assert.Zero(t, r.shared.limited, "429s with the shared limiter, %d businesses", r.nbiz)
		assert.GreaterOrEqual(t, r.shared.share(), 0.95, "share of the limit served with the shared limiter, %d businesses", r.nbiz)
		assert.Positive(t, r.single.limited, "429s with a limiter per client, %d businesses", r.nbiz)
	}
}

// helperEnv makes the test binary a fleet process (TestFleetProcess).
const helperEnv = "REDISLIMIT_FLEET_PROCESS"

// TestFleetProcesses runs the fleet as 4 processes of this test binary,
// sharing the budget through Redis alone. Each says when it is ready; the
// run starts when all are, so slow starts do not count against it.
func TestFleetProcesses(t *testing.T) {
	needRedis(t)
	srv := fleetServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	prefix := testPrefix(t)
	procs := make([]*fleetProcess, fleetSize)
	for i := range procs {
		procs[i] = startFleetProcess(ctx, t, srv.URL, prefix)
	}
	for i, p := range procs {
		require.NoError(t, p.ready(), "process %d", i)
	}
	start := time.Now().Add(100 * time.Millisecond)
	end := start.Add(fleetRun)
	for _, p := range procs {
		_, err := fmt.Fprintf(p.stdin, "%d %d\n", start.UnixNano(), end.UnixNano())
		require.NoError(t, err)
	}
	for i, p := range procs {
		require.NoError(t, p.wait(), "process %d: %s", i, p.out.String())
	}
	f := figures(srv, fleetRun)
	t.Logf("%d processes x %d goroutines, one business, %s: %s", fleetSize, fleetWorkers, fleetRun, f)
	assert.Zero(t, f.limited, "429s")
	assert.GreaterOrEqual(t, f.share(), 0.95, "share of the limit served")
}

// fleetProcess is one process of TestFleetProcesses.
type fleetProcess struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Reader
	out    bytes.Buffer  // its stdout, read to the end once it is ready
	errs   bytes.Buffer  // its stderr
	copied chan struct{} // closed when out has all of stdout
}

func startFleetProcess(ctx context.Context, t *testing.T, url, prefix string) *fleetProcess {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFleetProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "FLEET_URL="+url, "FLEET_REDIS="+redisAddr, "FLEET_PREFIX="+prefix)
	p := &fleetProcess{cmd: cmd, copied: make(chan struct{})}
	var err error
	p.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = &p.errs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	p.lines = bufio.NewReader(stdout)
	return p
}

// ready reads the process's output up to its "ready" line, then copies
// the rest for the record.
func (p *fleetProcess) ready() error {
	for {
		line, err := p.lines.ReadString('\n')
		p.out.WriteString(line)
		if err != nil {
			close(p.copied)
			return fmt.Errorf("no ready line: %w: %s", err, p.out.String())
		}
		if strings.TrimSpace(line) == "ready" {
			go func() {
				defer close(p.copied)
				_, _ = io.Copy(&p.out, p.lines)
			}()
			return nil
		}
	}
}

// wait waits for the process to end, its output read.
func (p *fleetProcess) wait() error {
	<-p.copied
	err := p.cmd.Wait()
	p.out.Write(p.errs.Bytes())
	return err
}

// TestFleetProcess is one process of TestFleetProcesses; it does nothing
// when run on its own.
func TestFleetProcess(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("a process of TestFleetProcesses")
	}
	lim := redislimit.New(newRedisClient(t, os.Getenv("FLEET_REDIS")), fleetLimit, redislimit.WithPrefix(os.Getenv("FLEET_PREFIX")))
	c, err := asset.NewClient(asset.WithToken(fleetToken), asset.WithBaseURL(os.Getenv("FLEET_URL")), asset.WithRateLimiter(lim))
	require.NoError(t, err)
	fmt.Println("ready")
	var start, end int64
	_, err = fmt.Scanln(&start, &end)
	require.NoError(t, err)
	time.Sleep(time.Until(time.Unix(0, start)))
	assert.Empty(t, hammer(c, 0, fleetBusinesses(1), time.Unix(0, end)))
}
