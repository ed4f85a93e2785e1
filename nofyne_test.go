package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoFyne (issue 30): the signet program (the command line and the
// agent) links no GUI toolkit: Fyne, GLFW and their C libraries cost every
// command its start-up, and the agent an event loop ticking all day. The
// window is signet-app (cmd/signet-app).
func TestNoFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var deps []string
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "fyne.io/fyne/") || strings.HasPrefix(p, "github.com/go-gl/") || p == "github.com/signet-sign/signet/ui" {
			deps = append(deps, p)
		}
	}
	if len(deps) > 0 {
		t.Errorf("signet imports %s", strings.Join(deps, ", "))
	}
	// The check sees a toolkit where there is one: the window program.
	out, err = exec.Command("go", "list", "-deps", "./cmd/signet-app").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "fyne.io/fyne/v2\n") {
		t.Errorf("go list does not show signet-app's Fyne: %v", err)
	}
}
