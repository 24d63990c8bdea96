//go:build !unix

package assettest

import "os"

// locks says that lockFile keeps no second server out.
const locks = false

// lockFile does nothing where advisory locks are not at hand: one server
// per state file is then the user's to keep to.
func lockFile(*os.File) error { return nil }

// beforeReplace closes the replayed file before the new one is renamed
// over it: Windows refuses to replace a file that is open.
func beforeReplace(f *os.File) { _ = f.Close() }
