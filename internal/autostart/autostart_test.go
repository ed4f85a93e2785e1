package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
)

// TestInstall writes, reads back and removes the entry in a private
// XDG_CONFIG_HOME; desktop-file-validate (freedesktop.org's own checker)
// accepts it, also for a program path that needs quoting.
func TestInstall(t *testing.T) {
	pdfcheck.Require(t, "desktop-file-validate")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, exe := range []string{"/usr/bin/signet", `/opt/My Apps/$igne"t\bin/signet 100%`} {
		path, err := Install(exe)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(filepath.Dir(path)) != "autostart" || !Installed() {
			t.Fatalf("installed at %s", path)
		}
		data, _ := os.ReadFile(path)
		if out, err := exec.Command("desktop-file-validate", path).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("desktop-file-validate %q: %v\n%s\n%s", exe, err, out, data)
		}
		// What a session manager runs: the Exec line unquoted as the
		// specification says gives the program and "agent".
		execLine := ""
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "Exec="); ok {
				execLine = v
			}
		}
		if got := unquote(execLine); len(got) != 2 || got[0] != exe || got[1] != "agent" {
			t.Errorf("Exec=%s reads as %q", execLine, got)
		}
	}
	if _, err := Remove(); err != nil || Installed() {
		t.Fatalf("remove: %v", err)
	}
	if _, err := Remove(); err != nil {
		t.Errorf("removing what is not there: %v", err)
	}
}

// unquote splits an Exec value as the Desktop Entry Specification reads
// it: string-value escapes first, then arguments, double-quoted ones with
// their backslash escapes, then %% as %.
func unquote(v string) []string {
	v = strings.ReplaceAll(v, `\\`, `\`)
	var args []string
	var cur strings.Builder
	inQuote, escaped, any := false, false, false
	for _, r := range v {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case inQuote && r == '\\':
			escaped = true
		case r == '"':
			inQuote, any = !inQuote, true
		case r == ' ' && !inQuote:
			if cur.Len() > 0 || any {
				args = append(args, strings.ReplaceAll(cur.String(), "%%", "%"))
			}
			cur.Reset()
			any = false
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 || any {
		args = append(args, strings.ReplaceAll(cur.String(), "%%", "%"))
	}
	return args
}
