// Package desktop hands files to the person's desktop: open a document
// with its application, show a file in the file manager. On Linux that is
// the freedesktop FileManager1 D-Bus service (Nautilus, Dolphin, Nemo,
// Thunar…: the folder opens with the file selected), else xdg-open.
package desktop

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/godbus/dbus/v5"
)

// ErrNoOpener reports a desktop with neither a file manager on D-Bus nor
// xdg-open (xdg-utils): nothing can open files for Signet.
var ErrNoOpener = errors.New("the desktop offers no way to open files: no file manager answers on D-Bus (org.freedesktop.FileManager1) and xdg-open (package xdg-utils) is not installed")

// timeout bounds a call to the desktop: a file manager starting up
// answers within it.
const timeout = 10 * time.Second

// ShowInFolder opens the folder holding path in the file manager, the
// file selected.
func ShowInFolder(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if err := showItems(abs); err == nil {
		return nil
	}
	return xdgOpen(filepath.Dir(abs))
}

// Open opens path with the application the desktop chose for its type.
func Open(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	return xdgOpen(abs)
}

// showItems asks the session's file manager to show the file.
func showItems(abs string) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	u := url.URL{Scheme: "file", Path: abs}
	obj := conn.Object("org.freedesktop.FileManager1", "/org/freedesktop/FileManager1")
	return obj.CallWithContext(ctx, "org.freedesktop.FileManager1.ShowItems", 0, []string{u.String()}, "").Err
}

// xdgOpen runs xdg-open and waits for its verdict: it exits non-zero when
// no application takes the file (3: a tool is missing, 4: the action
// failed).
func xdgOpen(abs string) error {
	bin, err := exec.LookPath("xdg-open")
	if err != nil {
		return ErrNoOpener
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, abs)
	// The application xdg-open starts keeps its output open: once
	// xdg-open itself has ended, its words are not waited for longer.
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		err = nil // xdg-open said yes; the viewer it started runs on
	}
	if err != nil {
		if len(out) > 0 {
			return fmt.Errorf("xdg-open could not open %s: %s", abs, firstLine(out))
		}
		return fmt.Errorf("xdg-open could not open %s: %w", abs, err)
	}
	return nil
}

func firstLine(b []byte) string {
	for i, c := range b {
		if c == '\n' {
			return string(b[:i])
		}
	}
	return string(b)
}
