package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testhostile"
	"github.com/signet-sign/signet/internal/testhostilecontainer"
	"github.com/signet-sign/signet/internal/testpki"
)

// hostileBinary builds signet without the race detector and the GUI (see
// TestHostileCLI) and a PKCS#12 key with its password file.
func hostileBinary(t *testing.T) (bin, key, pw string) {
	t.Helper()
	pdfcheck.Require(t, "time")
	bin = signetBinary(t)
	dir := t.TempDir()
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
	key, pw = filepath.Join(dir, "key.p12"), filepath.Join(dir, "pw")
	if err := os.WriteFile(key, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pw, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return bin, key, pw
}

// signetBinary builds signet without the race detector (see
// TestHostileCLI) into a directory of the test's.
func signetBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "signet")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run is one measured run of the binary.
type run struct {
	code     int
	rss      int64 // bytes
	cpu      time.Duration
	wall     time.Duration
	out, err string
}

// measure runs bin with args under GNU time (a child of this large test
// process would inherit its peak RSS at exec).
func measure(t *testing.T, dir, bin string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	usageFile := filepath.Join(dir, "usage")
	cmd := exec.CommandContext(ctx, "time", append([]string{"-f", "%x %M %U %S", "-o", usageFile, bin}, args...)...)
	cmd.Env = append(os.Environ(), "SIGNET_CONFIG="+filepath.Join(dir, "none.toml"), "LANG=C.UTF-8")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	_ = cmd.Run()
	r := run{wall: time.Since(start), out: stdout.String(), err: stderr.String()}
	usage, _ := os.ReadFile(usageFile)
	var rssKB int64
	var user, sys float64
	if _, err := fmt.Sscanf(lastLine(string(usage)), "%d %d %f %f", &r.code, &rssKB, &user, &sys); err != nil {
		t.Fatalf("GNU time said %q: %v (%s%s)", usage, err, &stdout, &stderr)
	}
	r.rss, r.cpu = rssKB<<10, time.Duration((user+sys)*float64(time.Second))
	return r
}

// TestHostileContainers runs verify, adding a signature and extend on one
// container of each hostile class (testhostile.Containers), each as a
// process: refused (exit 1 or 2, no output file) or handled, within
// 256 MB of peak RSS and 10 s, printing nothing that passes for
// Signet's own line (every name escaped) and no line over 4 KB.
func TestHostileContainers(t *testing.T) {
	bin, key, pw := hostileBinary(t)
	dir := t.TempDir()
	files, err := testhostilecontainer.Containers()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range files {
		in := filepath.Join(dir, h.Name+".asice")
		if err := os.WriteFile(in, h.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, h.Name+"-out.asice")
		for _, args := range [][]string{
			{"verify", in},
			{"verify", "--json", in},
			{"sign", "--key", key, "--pin-file", pw, "-o", out, in},
			{"extend", "--level", "B-LTA", "--tsa", "http://127.0.0.1:1/tsa", "-o", out, in},
		} {
			name := h.Name + "/" + strings.Join(args[:1+min(1, len(args)-1)*boolInt(args[1] == "--json")], " ")
			t.Run(name, func(t *testing.T) {
				os.Remove(out)
				r := measure(t, dir, bin, args...)
				all := r.out + r.err
				t.Logf("%s: exit %d, %v CPU, %v wall, %d MB peak RSS: %s", h.What, r.code, r.cpu.Round(time.Millisecond),
					r.wall.Round(time.Millisecond), r.rss>>20, firstLines(all, 3))
				if r.code > 2 && !(args[0] == "extend" && r.code == 3) {
					t.Errorf("exit %d", r.code)
				}
				if r.code != 0 && args[0] != "verify" {
					if _, err := os.Stat(out); !os.IsNotExist(err) {
						t.Errorf("exit %d, but %s was written", r.code, out)
					}
				}
				for _, bad := range []string{"panic", "goroutine ", "fatal error", "\x1b", "\x07", "\r"} {
					if strings.Contains(all, bad) {
						t.Errorf("output has %q:\n%s", bad, firstLines(all, 20))
					}
				}
				for _, line := range strings.Split(all, "\n") {
					if len(line) > 4<<10 {
						t.Errorf("an output line of %d bytes", len(line))
					}
					if strings.HasPrefix(strings.TrimSpace(line), "✓") && strings.Contains(line, "SPOOFED") {
						t.Errorf("a spoofed line printed as Signet's own: %q", line)
					}
				}
				if r.wall > 10*time.Second {
					t.Errorf("%v wall, more than 10 s", r.wall)
				}
				if r.rss > 256<<20 {
					t.Errorf("peak RSS %d MB, more than 256 MB", r.rss>>20)
				}
			})
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// firstLines is s cut to its first n lines, for logs.
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, " | ")
}

// TestInterruptVerify: Ctrl-C stops a container's verification at once,
// in the middle of hashing its files (the hashing loops watch the
// context; one verification went on for 1,490 s after Ctrl-C before).
func TestInterruptVerify(t *testing.T) {
	bin, _, _ := hostileBinary(t)
	dir := t.TempDir()
	data, err := testhostilecontainer.SlowToVerify(480 << 20)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "slow.asice")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	whole := measure(t, dir, bin, "verify", in)
	if !strings.Contains(whole.out, "a.bin") || whole.wall < 400*time.Millisecond {
		t.Fatalf("the whole verification took %v: %s%s", whole.wall, whole.out, whole.err)
	}
	cmd := exec.Command(bin, "verify", in)
	cmd.Env = append(os.Environ(), "SIGNET_CONFIG="+filepath.Join(dir, "none.toml"), "LANG=C.UTF-8")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(min(whole.wall/4, 200*time.Millisecond))
	sent := time.Now()
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	after := time.Since(sent)
	t.Logf("whole verification %v; stopped %v after Ctrl-C: %v %s", whole.wall.Round(time.Millisecond), after.Round(time.Millisecond), err, firstLines(out.String(), 3))
	if after > min(whole.wall/3, 500*time.Millisecond) {
		t.Errorf("still running %v after Ctrl-C", after)
	}
	if err == nil || strings.Contains(out.String(), "NOT VALID") || !strings.Contains(out.String(), "interrupted") {
		t.Errorf("an interrupted verification said %q (%v), want that it was interrupted, no verdict", out.String(), err)
	}
}

// TestHostileRound2PDF runs verify and sign on the PDF classes of the
// second review as processes: each refused or handled within 256 MB and
// 10 s, every name printed escaped, and a signature Signet writes always
// one its verifier reads.
func TestHostileRound2PDF(t *testing.T) {
	bin, key, pw := hostileBinary(t)
	dir := t.TempDir()
	for _, h := range testhostile.Round2() {
		in := filepath.Join(dir, h.Name+".pdf")
		if err := os.WriteFile(in, h.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, h.Name+"-signed.pdf")
		for _, args := range [][]string{{"verify", in}, {"sign", "--key", key, "--pin-file", pw, "-o", out, in}, {"verify", out}} {
			if _, err := os.Stat(args[len(args)-1]); err != nil {
				continue // signing refused the document: there is no output to verify
			}
			t.Run(h.Name+"/"+args[0]+"/"+filepath.Base(args[len(args)-1]), func(t *testing.T) {
				r := measure(t, dir, bin, args...)
				all := r.out + r.err
				t.Logf("%s: exit %d, %v wall, %d MB peak RSS: %s", h.What, r.code, r.wall.Round(time.Millisecond), r.rss>>20, firstLines(all, 4))
				if r.code > 2 {
					t.Errorf("exit %d", r.code)
				}
				if args[len(args)-1] == out && strings.Contains(all, "cannot verify") {
					t.Errorf("Signet wrote a signature its verifier cannot read:\n%s", all)
				}
				for _, line := range strings.Split(all, "\n") {
					if strings.HasPrefix(strings.TrimSpace(line), "✓") && strings.Contains(line, "SPOOFED") {
						t.Errorf("a forged line printed as Signet's own: %q", line)
					}
				}
				if strings.ContainsAny(all, "\x1b\r") {
					t.Errorf("control characters reached the terminal:\n%q", all)
				}
				if r.wall > 10*time.Second || r.rss > 256<<20 {
					t.Errorf("%v wall, %d MB peak RSS: over 10 s or 256 MB", r.wall, r.rss>>20)
				}
			})
		}
	}
}
