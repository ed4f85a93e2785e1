package version

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestFyneAppVersion: FyneApp.toml (what Fyne's packager writes into the
// package) says the same version as the programs.
func TestFyneAppVersion(t *testing.T) {
	data, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version = "([^"]+)"`).FindSubmatch(data)
	if m == nil || string(m[1]) != Signet {
		t.Errorf("FyneApp.toml says version %q, the programs %q", m, Signet)
	}
}

func TestString(t *testing.T) {
	got := Build{Module: "v0.1.0", Commit: "0123abcd", Time: "2026-12-07T20:00:00Z", Modified: true, Go: "go1.26.0"}.String()
	for _, want := range []string{"Signet " + Signet + "\n", "module: github.com/signet-sign/signet v0.1.0\n",
		"commit: 0123abcd (with uncommitted changes), 2026-12-07T20:00:00Z\n", "built with: go1.26.0\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if got := (Build{Go: "go1.26.0"}).String(); !strings.Contains(got, "commit: not recorded in this build") {
		t.Errorf("%q", got)
	}
}
