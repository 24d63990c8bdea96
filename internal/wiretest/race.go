package wiretest

import "runtime/debug"

// Race reports whether the test binary was built with -race, which makes
// everything several times slower and memory ten times slower to move.
func Race() bool { return race }

var race = func() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}()
