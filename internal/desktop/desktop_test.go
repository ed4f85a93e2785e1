package desktop

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/signet-sign/signet/internal/testx"
)

// fileManager is a file manager on the session bus, as Nautilus exports
// it: it records what it was asked to show.
type fileManager struct{ shown chan []string }

func (f *fileManager) ShowItems(uris []string, startup string) *dbus.Error {
	f.shown <- uris
	return nil
}

func TestShowInFolderAsksTheFileManager(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", testx.StartDBus(t))
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fm := &fileManager{shown: make(chan []string, 1)}
	if err := conn.Export(fm, "/org/freedesktop/FileManager1", "org.freedesktop.FileManager1"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.FileManager1", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("name: %v %v", reply, err)
	}
	path := filepath.Join(t.TempDir(), "līgums signed.pdf")
	os.WriteFile(path, []byte("%PDF"), 0o644)
	if err := ShowInFolder(path); err != nil {
		t.Fatal(err)
	}
	got := <-fm.shown
	if len(got) != 1 || !strings.HasPrefix(got[0], "file:///") || !strings.HasSuffix(got[0], "/l%C4%ABgums%20signed.pdf") {
		t.Errorf("asked to show %q", got)
	}
}

// Without a file manager on the bus, xdg-open opens the folder; when it
// fails, or is not there, the error says so.
func TestShowInFolderFallsBack(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", testx.StartDBus(t))
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "opened")
	os.WriteFile(filepath.Join(bin, "xdg-open"), []byte("#!/bin/sh\necho \"$1\" > "+log+"\n"), 0o755)
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	dir := t.TempDir()
	if err := ShowInFolder(filepath.Join(dir, "a.pdf")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(log); strings.TrimSpace(string(got)) != dir {
		t.Errorf("xdg-open was given %q, want %q", got, dir)
	}

	os.WriteFile(filepath.Join(bin, "xdg-open"), []byte("#!/bin/sh\necho 'no method available for opening' >&2\nexit 3\n"), 0o755)
	if err := Open(filepath.Join(dir, "a.pdf")); err == nil || !strings.Contains(err.Error(), "no method available") {
		t.Errorf("a failing xdg-open: %v", err)
	}

	t.Setenv("PATH", t.TempDir())
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "none"))
	if err := ShowInFolder(filepath.Join(dir, "a.pdf")); !errors.Is(err, ErrNoOpener) {
		t.Errorf("with neither: %v", err)
	}
}

// TestOpenDoesNotWaitForTheViewer: the viewer xdg-open starts keeps its
// output open; Open returns once xdg-open has ended.
func TestOpenDoesNotWaitForTheViewer(t *testing.T) {
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "xdg-open"), []byte("#!/bin/sh\nsleep 15 &\nexit 0\n"), 0o755)
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	start := time.Now()
	if err := Open(filepath.Join(t.TempDir(), "a.pdf")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open waited %v for the viewer", d)
	}
}
