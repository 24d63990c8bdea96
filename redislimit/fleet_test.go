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
// business of a server that allows 100 requests per 2 seconds per business
// and per tenant (50 a second), the API's 300 a minute scaled down so a
// run takes seconds.
//
// Each member paces to 94 per 2 seconds, a little under the server's 100:
// the server's windows start with their first request, so one that
// reaches the server late opens its window late, and they report their
// reset in whole seconds, so a window ended on an x-ratelimit-remaining of
// 0 costs a pause of up to a second for the rounded reset. Six slots of
// room absorb 120 ms of such lateness. At the API's scale (300 a minute)
// the room is seconds wide, and Limit{N: 300, Per: time.Minute} is right.
const (
	fleetSize    = 4
	fleetWorkers = 4
	serverLimit  = 100
	serverPer    = 2 * time.Second
	fleetPace    = 94
	fleetRun     = 4 * time.Second
	fleetBiz     = "biz_Fleet0000000000000000001"
	fleetToken   = "tok_fleet"
)

// serverRate is the server's limit a second.
var serverRate = float64(serverLimit) / serverPer.Seconds()

// fleetLimit is each member's budget.
var fleetLimit = redislimit.Limit{N: fleetPace, Per: serverPer}

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

func (f fleetFigures) String() string {
	return fmt.Sprintf("%4d served, %5.1f/s (%3.0f%% of %.0f/s), %4d answered 429",
		f.served, f.perSecond, 100*f.perSecond/serverRate, serverRate, f.limited)
}

func figures(srv *assettest.Server, d time.Duration) fleetFigures {
	st := srv.Stats(assettest.RouteListInvoices)
	return fleetFigures{served: st.Served, limited: st.RateLimited, perSecond: float64(st.Served) / d.Seconds()}
}

// hammer lists the business from fleetWorkers goroutines until end. It
// returns the errors other than those of calls cut short by end.
func hammer(c *asset.Client, end time.Time) []error {
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range fleetWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, err := c.Invoices.List(ctx, fleetBiz, &asset.InvoiceListParams{PageSize: 1})
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

// runFleet runs fleetSize clients made by client for d.
func runFleet(t *testing.T, d time.Duration, client func(srv *assettest.Server) *asset.Client) fleetFigures {
	srv := fleetServer(t)
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	errs := make([][]error, fleetSize)
	for i := range fleetSize {
		c := client(srv)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = hammer(c, end)
		}()
	}
	wg.Wait()
	for _, e := range errs {
		assert.Empty(t, e)
	}
	return figures(srv, d)
}

// TestFleet: 4 independent clients, each with its own limiter on its own
// Redis connection, as 4 processes, share the server's budget: no 429, and
// at least 90% of the limit used. The same fleet paced by WithRateLimit,
// each client on its own, draws 429s.
func TestFleet(t *testing.T) {
	needRedis(t)
	prefix := testPrefix(t)
	shared := runFleet(t, fleetRun, func(srv *assettest.Server) *asset.Client {
		lim := redislimit.New(newRedisClient(t, redisAddr), fleetLimit, redislimit.WithPrefix(prefix))
		return srv.Client(asset.WithRateLimiter(lim))
	})
	alone := runFleet(t, fleetRun/2, func(srv *assettest.Server) *asset.Client {
		return srv.Client(asset.WithRateLimit(fleetLimit.N, fleetLimit.Per))
	})
	t.Logf("%d clients x %d goroutines, one business:", fleetSize, fleetWorkers)
	t.Logf("  redislimit, shared, %s:      %s", fleetRun, shared)
	t.Logf("  WithRateLimit, each own, %s: %s", fleetRun/2, alone)
	assert.Zero(t, shared.limited, "429s with the shared limiter")
	assert.GreaterOrEqual(t, shared.perSecond, 0.9*serverRate, "throughput with the shared limiter")
	assert.Positive(t, alone.limited, "429s with a limiter per client")
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
	assert.GreaterOrEqual(t, f.perSecond, 0.9*serverRate, "throughput")
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
	assert.Empty(t, hammer(c, time.Unix(0, end)))
}
