package asset

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Version and the CHANGELOG tell the same story: while the newest section
// is Unreleased, Version is the next release with a -dev suffix, never a
// number a release could be taken for; once released, the CHANGELOG has a
// section of that number.
func TestVersionAgreesWithChangelog(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("CHANGELOG.md")
	require.NoError(t, err)
	heading := regexp.MustCompile(`(?m)^## \[?([^\]\s]+)\]?`)
	sections := heading.FindAllStringSubmatch(string(b), -1)
	require.NotEmpty(t, sections, "no version sections in CHANGELOG.md")
	assert.Regexp(t, `^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`, Version, "semantic version")
	released := map[string]bool{}
	for _, s := range sections[1:] {
		released[s[1]] = true
	}
	if sections[0][1] == "Unreleased" {
		assert.True(t, strings.HasSuffix(Version, "-dev"), "Version %q reads as a release, but CHANGELOG.md says Unreleased", Version)
		assert.False(t, released[strings.TrimSuffix(Version, "-dev")], "Version %q is after a release already made", Version)
		return
	}
	assert.Equal(t, sections[0][1], Version, "the newest CHANGELOG section is the version")
}
