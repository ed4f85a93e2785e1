// Package testx runs the real app under Xvfb for tests: a private X
// server, and closing a window the way a window manager's close button
// does (a WM_DELETE_WINDOW message), through the X protocol.
package testx

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// StartXvfb starts a private X server for the test and returns its
// DISPLAY; it stops when the test ends.
func StartXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x760x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb did not say its display")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start in 20 s")
	}
	return ""
}

// CloseWindow waits up to timeout for a top-level window whose title is
// title on display, lets it settle for a second (Fyne 2.7.1 panics on a
// cursor event queued for a window closed within the same event poll,
// which a person never does: the close would come before the first
// frame), then asks it to close as a window manager does.
func CloseWindow(display, title string, timeout time.Duration) error {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", display, err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	atom := func(name string) (xproto.Atom, error) {
		r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			return 0, err
		}
		return r.Atom, nil
	}
	protocols, err := atom("WM_PROTOCOLS")
	if err != nil {
		return err
	}
	deleteWindow, err := atom("WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		tree, err := xproto.QueryTree(conn, root).Reply()
		if err != nil {
			return err
		}
		for _, w := range tree.Children {
			name, err := xproto.GetProperty(conn, false, w, xproto.AtomWmName, xproto.GetPropertyTypeAny, 0, 256).Reply()
			if err != nil || string(name.Value) != title {
				continue
			}
			time.Sleep(time.Second)
			ev := xproto.ClientMessageEvent{
				Format: 32,
				Window: w,
				Type:   protocols,
				Data:   xproto.ClientMessageDataUnionData32New([]uint32{uint32(deleteWindow), xproto.TimeCurrentTime, 0, 0, 0}),
			}
			return xproto.SendEventChecked(conn, false, w, xproto.EventMaskNoEvent, string(ev.Bytes())).Check()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no window %q on %s after %v", title, display, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Viewable reports whether a top-level window whose title is title is
// mapped and viewable on display (on screen, as far as X knows).
func Viewable(display, title string) (bool, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return false, fmt.Errorf("connect to %s: %w", display, err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	tree, err := xproto.QueryTree(conn, root).Reply()
	if err != nil {
		return false, err
	}
	for _, w := range tree.Children {
		name, err := xproto.GetProperty(conn, false, w, xproto.AtomWmName, xproto.GetPropertyTypeAny, 0, 256).Reply()
		if err != nil || string(name.Value) != title {
			continue
		}
		attr, err := xproto.GetWindowAttributes(conn, w).Reply()
		if err == nil && attr.MapState == xproto.MapStateViewable {
			return true, nil
		}
	}
	return false, nil
}

// StartDBus starts a private D-Bus session bus for the test and returns
// its address (for DBUS_SESSION_BUS_ADDRESS); it stops when the test
// ends. It has no tray host (StatusNotifierWatcher) unless the test
// provides one.
func StartDBus(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1", "--address=unix:dir="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatal("dbus-daemon did not say its address")
		}
		return addr
	case <-time.After(20 * time.Second):
		t.Fatal("dbus-daemon did not start in 20 s")
	}
	return ""
}
