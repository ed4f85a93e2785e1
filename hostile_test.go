package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/testhostile"
)

// TestHostileCLI runs 'signet verify' and 'signet sign' on one crafted
// file of each hostile class, as separate processes: each must end with a
// clear error (exit 1 or 2), no output file and no panic, within 2 s of
// CPU and 128 MB of peak RSS.
//
// The binary is built here without the race detector: a
// race-instrumented binary's memory is several times the product's; the
// PDF code measured is the same.
func TestHostileCLI(t *testing.T) {
	bin, key, pw := hostileBinary(t)
	dir := t.TempDir()
	for _, h := range testhostile.All() {
		in := filepath.Join(dir, h.Name+".pdf")
		if err := os.WriteFile(in, h.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, h.Name+"-signed.pdf")
		for _, args := range [][]string{
			{"verify", in},
			{"sign", "--key", key, "--pin-file", pw, "-o", out, in},
		} {
			t.Run(h.Name+"/"+args[0], func(t *testing.T) {
				r := measure(t, dir, bin, args...)
				all := r.out + r.err
				t.Logf("exit %d, %v CPU, %v wall, %d MB peak RSS: %s", r.code, r.cpu.Round(time.Millisecond), r.wall.Round(time.Millisecond), r.rss>>20,
					strings.TrimSpace(r.out+" "+r.err))
				if r.code != 1 && r.code != 2 {
					t.Errorf("exit %d, want 1 or 2", r.code)
				}
				for _, bad := range []string{"panic", "goroutine ", "fatal error", "internal error"} {
					if strings.Contains(all, bad) {
						t.Errorf("output has %q:\n%s", bad, all)
					}
				}
				// What is wrong is said, in words: a damaged PDF, a safety
				// limit, no signatures, or an invalid signature.
				if !strings.Contains(all, "damaged PDF") && !strings.Contains(all, "safety limits") &&
					!strings.Contains(all, "no signatures") && !strings.Contains(all, "NOT VALID") {
					t.Errorf("no clear error:\n%s", all)
				}
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("%s was written", out)
				}
				if r.cpu > 2*time.Second {
					t.Errorf("%v of CPU, more than 2 s", r.cpu)
				}
				if r.rss > 128<<20 {
					t.Errorf("peak RSS %d MB, more than 128 MB", r.rss>>20)
				}
			})
		}
	}
}

// lastLine is the last non-empty line of s (GNU time says "Command exited
// with non-zero status N" first).
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
