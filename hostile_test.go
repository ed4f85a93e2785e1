package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testhostile"
	"github.com/signet-sign/signet/internal/testpki"
)

// TestHostileCLI runs 'signet verify' and 'signet sign' on one crafted
// file of each hostile class, as separate processes: each must end with a
// clear error (exit 1 or 2), no output file and no panic, within 2 s of
// CPU and 128 MB of peak RSS.
//
// The binary is built here without the race detector and without the GUI
// (-tags nogui): a race-instrumented binary's memory is several times the
// product's, and a second build of Fyne's C code would cost CI minutes;
// the PDF code measured is the same.
func TestHostileCLI(t *testing.T) {
	pdfcheck.Require(t, "time")
	dir := t.TempDir()
	bin := filepath.Join(dir, "signet")
	build := exec.Command("go", "build", "-tags", "nogui", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Zoë Ørsted", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := pki.PKCS12(e, "pw")
	if err != nil {
		t.Fatal(err)
	}
	key, pw := filepath.Join(dir, "key.p12"), filepath.Join(dir, "pw")
	if err := os.WriteFile(key, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pw, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}

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
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				// GNU time measures: a child of this (large) test process
				// would inherit its peak RSS at exec (Linux keeps the
				// old mm's high-water mark), a child of time does not.
				usageFile := filepath.Join(dir, "usage")
				cmd := exec.CommandContext(ctx, "time", append([]string{"-f", "%x %M %U %S", "-o", usageFile, bin}, args...)...)
				cmd.Env = append(os.Environ(), "SIGNET_CONFIG="+filepath.Join(dir, "none.toml"), "LANG=C.UTF-8")
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				start := time.Now()
				err := cmd.Run()
				wall := time.Since(start)
				var exit *exec.ExitError
				if !errors.As(err, &exit) {
					t.Fatalf("%v (want exit 1 or 2)\n%s%s", err, &stdout, &stderr)
				}
				var code int
				var rssKB int64
				var user, sys float64
				usage, _ := os.ReadFile(usageFile)
				if _, err := fmt.Sscanf(lastLine(string(usage)), "%d %d %f %f", &code, &rssKB, &user, &sys); err != nil {
					t.Fatalf("GNU time said %q: %v", usage, err)
				}
				cpu := time.Duration((user + sys) * float64(time.Second))
				rss := rssKB << 10
				t.Logf("exit %d, %v CPU, %v wall, %d MB peak RSS: %s", code, cpu.Round(time.Millisecond), wall.Round(time.Millisecond), rss>>20,
					strings.TrimSpace(stdout.String()+" "+stderr.String()))
				if code != 1 && code != 2 {
					t.Errorf("exit %d, want 1 or 2", code)
				}
				all := stdout.String() + stderr.String()
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
				if cpu > 2*time.Second {
					t.Errorf("%v of CPU, more than 2 s", cpu)
				}
				if rss > 128<<20 {
					t.Errorf("peak RSS %d MB, more than 128 MB", rss>>20)
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
