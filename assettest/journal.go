package assettest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// The state file is a header line and then one JSON line per change, in
// the order the changes were applied. Only changes are kept, never the
// state they make, so that a change costs one short append and one sync
// whatever the size of the state; the state is rebuilt at start by
// replaying them. Issued access tokens are not kept: a client whose token
// is unknown after a restart gets 401 and fetches a new one.

// stateFormat and stateVersion mark the header; a file of another version
// is refused rather than read as something it is not.
const (
	stateFormat  = "assettest-state"
	stateVersion = 1
)

// header is the state file's first line. PageKey signs page tokens, so
// that a client's walk through a list goes on across a restart.
type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	PageKey []byte `json:"page_key"`
}

// journal appends entries to the state file.
type journal struct {
	path string
	f    *os.File
	// buf and enc encode an entry; they, the writes and written's stores
	// belong to the change's turn (Server.change).
	buf  bytes.Buffer
	enc  *json.Encoder
	line []byte
	// written is how far the file was written, synced how far it is known
	// to be on disk; syncing is set while a sync runs, whose end cond
	// announces. A failed sync is kept in err: what it covered may or may
	// not be on disk, and no later sync can say otherwise.
	written atomic.Int64
	mu      sync.Mutex
	cond    *sync.Cond
	synced  int64
	syncing bool
	err     error
}

func newJournal(path string, f *os.File) (*journal, error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	j := &journal{path: path, f: f, synced: size}
	j.written.Store(size)
	j.cond = sync.NewCond(&j.mu)
	j.enc = json.NewEncoder(&j.buf)
	// Bodies are kept as sent; <, > and & need no escaping in a file.
	j.enc.SetEscapeHTML(false)
	return j, nil
}

// write appends e as one line, in one call, so that a crash leaves at worst
// a torn last line, and returns the offset to sync to before answering.
func (j *journal) write(e *entry) (int64, error) {
	// The body, compact JSON already, is spliced in as the first field
	// rather than encoded, which would scan it once more.
	body := e.Body
	e.Body = nil
	j.buf.Reset()
	err := j.enc.Encode(e)
	e.Body = body
	if err != nil {
		return 0, fmt.Errorf("encoding a change for %s: %w", j.path, err)
	}
	j.line = j.line[:0]
	if body != nil {
		j.line = append(append(append(j.line, `{"body":`...), body...), ',')
		j.line = append(j.line, j.buf.Bytes()[1:]...)
	} else {
		j.line = append(j.line, j.buf.Bytes()...)
	}
	n, err := j.f.Write(j.line)
	// Even after a short write, written stays where the file ends, so
	// that a sync is never taken to cover more than was written.
	j.written.Add(int64(n))
	if err != nil {
		return 0, fmt.Errorf("writing %s: %w", j.path, err)
	}
	return j.written.Load(), nil
}

// syncTo returns once the file is on disk up to offset: at once if a sync
// already covered it, else after a sync of its own, or of another caller's
// begun after offset was written. Callers waiting together share one sync.
func (j *journal) syncTo(offset int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.synced < offset && j.err == nil {
		if j.syncing {
			j.cond.Wait()
			continue
		}
		j.syncing = true
		target := j.written.Load()
		j.mu.Unlock()
		err := j.f.Sync()
		j.mu.Lock()
		j.syncing = false
		if err != nil {
			j.err = fmt.Errorf("syncing %s: %w", j.path, err)
		} else if target > j.synced {
			j.synced = target
		}
		j.cond.Broadcast()
	}
	return j.err
}

func (j *journal) close() error { return j.f.Close() }

// errClosed refuses changes made through the Go helpers after Close.
var errClosed = errors.New("the server is closed")

// restore replays the state file at path into s, which serves nothing
// yet, then rewrites the file with what it validated (through a temporary
// file and a rename, so that a crash leaves the old file or the new one)
// and keeps it open for the changes to come. A missing or empty file
// starts an empty state. A file that is not a state file, of another
// version, or whose replay does not answer what was answered is an error
// naming the file and the line. A last line without its newline is a
// change whose write a crash cut short, never answered: it is dropped.
func (s *Server) restore(path string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	out := bufio.NewWriterSize(tmp, 1<<20)

	in, err := os.Open(path)
	if err == nil {
		// Held until the new file is locked in its place.
		defer in.Close()
	}
	switch {
	case errors.Is(err, os.ErrNotExist):
		err = s.writeHeader(out)
	case err != nil:
		err = fmt.Errorf("state file %s: %w", path, err)
	default:
		if err = lockFile(in); err != nil {
			return fmt.Errorf("state file %s: %w", path, err)
		}
		if locks {
			removeStaleCopies(path, tmp.Name())
		}
		err = s.replay(path, in, out)
	}
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("state file %s: writing %s: %w", path, tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("state file %s: syncing %s: %w", path, tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	if in != nil {
		beforeReplace(in)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("state file %s: %w", path, err)
	}
	if s.journal, err = newJournal(path, f); err != nil {
		_ = f.Close()
		return fmt.Errorf("state file %s: %w", path, err)
	}
	return nil
}

// removeStaleCopies removes the new copies of the state file that a crash
// during an earlier start left behind, all but keep; the caller holds the
// file's lock, so no other server is writing one.
func removeStaleCopies(path, keep string) {
	dir := filepath.Dir(path)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), "."+filepath.Base(path)+".tmp-") && name != keep {
			_ = os.Remove(name)
		}
	}
}

// syncDir makes a rename in dir durable. Some systems cannot sync a
// directory; the rename is then as durable as they make it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

func (s *Server) writeHeader(w io.Writer) error {
	b := mustJSON(header{Format: stateFormat, Version: stateVersion, PageKey: s.tokenKey})
	_, err := w.Write(append(b, '\n'))
	return err
}

// replay applies every change of the state file read from in, copying the
// header and each line it validated to out.
func (s *Server) replay(path string, in io.Reader, out io.Writer) error {
	r := bufio.NewReaderSize(in, 1<<20)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("state file %s: line %d: %w", path, n, err)
		}
		if errors.Is(err, io.EOF) {
			switch {
			case n == 1 && len(line) == 0:
				// Empty: nothing was ever answered from it.
				return s.writeHeader(out)
			case n == 1:
				return fmt.Errorf("state file %s: line 1: not an assettest state file", path)
			}
			// A torn last line (or none): dropped.
			return nil
		}
		if n == 1 {
			if err := s.readHeader(path, line); err != nil {
				return err
			}
		} else if err := s.replayLine(line); err != nil {
			return fmt.Errorf("state file %s: line %d: %w", path, n, err)
		}
		if _, err := out.Write(line); err != nil {
			return fmt.Errorf("state file %s: writing its new copy: %w", path, err)
		}
	}
}

func (s *Server) readHeader(path string, line []byte) error {
	var h header
	if err := json.Unmarshal(line, &h); err != nil || h.Format != stateFormat {
		return fmt.Errorf("state file %s: line 1: not an assettest state file", path)
	}
	if h.Version != stateVersion {
		return fmt.Errorf("state file %s: line 1: state format version %d, but this assettest reads version %d", path, h.Version, stateVersion)
	}
	if len(h.PageKey) < 16 {
		return fmt.Errorf("state file %s: line 1: the header has no page key", path)
	}
	s.tokenKey = h.PageKey
	return nil
}

// replayHint says what makes a replay differ.
const replayHint = "; the file was edited, or the server was started with other tag fields than when it was written, or by another version"

// replayLine applies one change and checks that it answers as it did.
func (s *Server) replayLine(line []byte) error {
	var e entry
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return fmt.Errorf("not a change of this version of assettest: %v", err)
	}
	d := &draw{now: e.Now, ids: e.IDs, replay: true}
	s.draw = d
	out, err := s.reapply(&e)
	s.draw = nil
	switch {
	case err != nil:
		return err
	case out.status != e.Status:
		return fmt.Errorf("%s answers %d on replay where %d was answered%s", e.what(), out.status, e.Status, replayHint)
	case d.off || d.next != len(d.ids):
		return fmt.Errorf("%s draws other ids on replay than it drew%s", e.what(), replayHint)
	case digest(out.body) != e.Digest:
		return fmt.Errorf("%s answers otherwise on replay than it did%s", e.what(), replayHint)
	}
	return nil
}

// what names an entry in an error.
func (e *entry) what() string {
	if e.Op == opRequest {
		return e.Method + " " + e.Target
	}
	return "the test control " + e.Op
}

// reapply applies an entry's change again.
func (s *Server) reapply(e *entry) (response, error) {
	if e.Op != opRequest {
		return s.control(e), nil
	}
	if !strings.HasPrefix(e.Target, "/") {
		return response{}, fmt.Errorf("the request target %q is not a path", e.Target)
	}
	r, err := http.NewRequest(e.Method, "http://assettest"+e.Target, bytes.NewReader(e.body()))
	if err != nil {
		return response{}, fmt.Errorf("%s: %v", e.what(), err)
	}
	if e.ContentType != "" {
		r.Header.Set("Content-Type", e.ContentType)
	}
	if e.UserID != "" {
		r.Header.Set("X-User-Id", e.UserID)
	}
	c, bad := route(r)
	if bad != nil || !c.ep.changes || c.ep.open {
		return response{}, fmt.Errorf("%s is not a route that changes the state", e.what())
	}
	c.body = e.body()
	if bad := c.ep.check(c); bad != nil {
		return *bad, nil
	}
	return c.ep.serve(s, c), nil
}
