// Package version is Signet's version, one place for the command line,
// the agent (/v1/info) and the window. FyneApp.toml says it too (Fyne's
// packager reads it there); TestVersion keeps the two equal.
package version

// Signet is the release's version.
const Signet = "0.1.0"
