// Package version is Signet's version, one place for the command line,
// the agent (/v1/info) and the window. FyneApp.toml says it too (Fyne's
// packager reads it there); TestFyneAppVersion keeps the two equal.
package version

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Signet is the release's version.
const Signet = "0.1.0"

// Build is what the Go toolchain recorded of how this program was built.
type Build struct {
	// Module is the main module's version as Go knows it ("(devel)" for
	// a build from a checkout, a tag for go install …@v1.2.3).
	Module string
	// Commit, Time and Modified are the version control's: the
	// revision, its commit time, and whether the tree had changes. Empty
	// when the build did not record them (-buildvcs=false, a tarball).
	Commit, Time string
	Modified     bool
	// Go is the toolchain's version.
	Go string
}

// Info reads the build information embedded in the running program.
func Info() Build {
	var b Build
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Module, b.Go = bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is Signet's version and the build's, in lines: what
// 'signet --version' prints and the About box shows.
func (b Build) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "Signet %s\n", Signet)
	if b.Module != "" {
		fmt.Fprintf(&s, "module: github.com/signet-sign/signet %s\n", b.Module)
	}
	switch {
	case b.Commit == "":
		s.WriteString("commit: not recorded in this build\n")
	default:
		commit := b.Commit
		if b.Modified {
			commit += " (with uncommitted changes)"
		}
		if b.Time != "" {
			commit += ", " + b.Time
		}
		fmt.Fprintf(&s, "commit: %s\n", commit)
	}
	if b.Go != "" {
		fmt.Fprintf(&s, "built with: %s\n", b.Go)
	}
	return s.String()
}
