package redislimit_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// redisEnv names the address of the Redis the tests use; .ci/run starts one
// and sets it. Without it the tests start redis-server themselves, and fail
// when it is not on the PATH: a run that skipped them would pass having
// proved nothing.
const redisEnv = "ASSET_REDIS_ADDR"

// redisAddr is the shared Redis.
var redisAddr string

// installHint says how to get what the tests need.
const installHint = "install redis-server (apt-get install redis-server; brew install redis) or set " + redisEnv + " to a Redis of your own"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(m.Run()) // a fleet process: the parent checks the rest
	}
	os.Exit(run(m))
}

// quiet drops go-redis's own log lines: the outage tests make it print
// every failed dial.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func run(m *testing.M) int {
	redis.SetLogger(quiet{})
	redisAddr = os.Getenv(redisEnv)
	if redisAddr == "" {
		srv, err := startRedis()
		if err != nil {
			fmt.Fprintf(os.Stderr, "redislimit: no Redis to test against: %v\n%s\n", err, installHint)
			return 1
		}
		defer srv.stop()
		redisAddr = srv.addr
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return code
}

// needRedis is a client of the shared Redis, closed with the test.
func needRedis(t testing.TB) *redis.Client {
	t.Helper()
	return newRedisClient(t, redisAddr)
}

// ownRedis starts a redis-server for one test that stops, kills or
// restarts it, stopped when the test ends.
func ownRedis(t testing.TB, config ...string) *redisServer {
	t.Helper()
	rs, err := startRedis(config...)
	if err != nil {
		t.Fatalf("%v: %s", err, installHint)
	}
	t.Cleanup(rs.stop)
	return rs
}

func newRedisClient(t testing.TB, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// testPrefix keeps each test's keys apart from every other run's.
func testPrefix(t testing.TB) string {
	return "asset-test:" + t.Name() + ":" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// redisServer is a redis-server started for the tests.
type redisServer struct {
	addr string
	dir  string
	pid  int
}

// startRedis starts redis-server on a free loopback port, without
// persistence, and waits until it answers.
func startRedis(config ...string) (*redisServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	return startRedisOn(port, config...)
}

// startRedisOn starts redis-server on port, with config added to its
// command line.
func startRedisOn(port string, config ...string) (*redisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "redislimit")
	if err != nil {
		return nil, err
	}
	s := &redisServer{addr: "127.0.0.1:" + port, dir: dir}
	pidfile := filepath.Join(dir, "redis.pid")
	args := []string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "yes", "--pidfile", pidfile, "--dir", dir, "--logfile", filepath.Join(dir, "redis.log")}
	args = append(args, config...)
	// DEBUG SLEEP stands for a slow Redis; Redis 7 refuses DEBUG unless
	// told, and Redis 6 knows no such option but allows DEBUG anyway.
	out, err := exec.Command(bin, append(args, "--enable-debug-command", "local")...).CombinedOutput()
	if err != nil {
		out, err = exec.Command(bin, args...).CombinedOutput()
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("redis-server: %v: %s", err, out)
	}
	rdb := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	defer rdb.Close()
	for range 100 { // 5 s at most
		b, err := os.ReadFile(pidfile)
		if err == nil && s.pid == 0 {
			s.pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err = rdb.Ping(ctx).Err()
		cancel()
		if err == nil && s.pid > 0 {
			return s, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return nil, errors.New("redis-server did not answer within 5s")
}

// kill ends the server at once, as a crash would.
func (s *redisServer) kill() {
	if s.pid > 0 {
		_ = syscall.Kill(s.pid, syscall.SIGKILL)
		s.gone()
		s.pid = 0
	}
}

// freeze stops the server's process, as a stalled host would: its
// connections stay open and nothing answers. thaw lets it go on. Neither
// signals anything once the server is gone: pid 0 is the test's own
// process group.
func (s *redisServer) freeze() { s.signal(syscall.SIGSTOP) }
func (s *redisServer) thaw()   { s.signal(syscall.SIGCONT) }

func (s *redisServer) signal(sig syscall.Signal) {
	if s.pid > 0 {
		_ = syscall.Kill(s.pid, sig)
	}
}

func (s *redisServer) stop() {
	if s.pid > 0 {
		s.thaw() // a stopped process holds its SIGTERM until then
		_ = syscall.Kill(s.pid, syscall.SIGTERM)
		s.gone()
		s.pid = 0
	}
	_ = os.RemoveAll(s.dir)
}

// gone waits, 5 s at most, until the server's process has ended, so that
// it writes nothing more into its directory once that is removed. It is
// not the tests' child (it daemonizes), so it is polled for; a zombie,
// which an init that reaps nothing leaves, has ended.
func (s *redisServer) gone() {
	for range 100 {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
		if err != nil && syscall.Kill(s.pid, 0) != nil {
			return
		}
		if _, after, ok := strings.Cut(string(stat), ") "); ok && strings.HasPrefix(after, "Z") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
