//go:build unix

package assettest

import (
	"errors"
	"os"
	"syscall"
)

// locks says that lockFile keeps a second server out.
const locks = true

// errLocked is a state file another server holds.
var errLocked = errors.New("in use by another server")

// lockFile takes f's advisory lock, without waiting, so that two servers
// never append to one state file: each would replay a state the other
// does not have. It is released when f is closed.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

// beforeReplace is called on the replayed file before the new one is
// renamed over it: on Unix it stays open, and locked, until the new file
// is locked in its place.
func beforeReplace(*os.File) {}
