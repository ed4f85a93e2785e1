package desktop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/godbus/dbus/v5"
)

// ErrNoPortal reports a desktop without the file-chooser portal
// (xdg-desktop-portal): the caller offers its own dialog.
var ErrNoPortal = errors.New("no file chooser portal (xdg-desktop-portal) on the session bus")

// ErrCancelled reports a file chooser the person closed without choosing.
var ErrCancelled = errors.New("no file chosen")

// Filter is a named set of glob patterns ("PDF documents": "*.pdf").
type Filter struct {
	Name     string
	Patterns []string
}

// portalFilter is a filter as the portal takes it: a(sa(us)), 0 a glob.
type portalFilter struct {
	Name  string
	Rules []portalRule
}

type portalRule struct {
	Kind    uint32
	Pattern string
}

// OpenFiles asks the desktop's own file chooser (the FileChooser portal:
// GNOME's, KDE's, with their recent files and bookmarks) for files to
// open, several when multiple, starting in folder when not "". It
// returns local paths, or ErrCancelled, or ErrNoPortal when there is no
// portal to ask.
func OpenFiles(ctx context.Context, title, folder string, filters []Filter, multiple bool) ([]string, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, ErrNoPortal
	}
	defer conn.Close()
	token := make([]byte, 8)
	rand.Read(token)
	handle := "signet_" + hex.EncodeToString(token)
	// The request's object path is known before the call (the portal
	// spec's handle_token): listen first, so no answer is missed.
	sender := strings.ReplaceAll(strings.TrimPrefix(conn.Names()[0], ":"), ".", "_")
	path := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" + sender + "/" + handle)
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(path), dbus.WithMatchInterface("org.freedesktop.portal.Request"), dbus.WithMatchMember("Response")); err != nil {
		return nil, ErrNoPortal
	}
	signals := make(chan *dbus.Signal, 4)
	conn.Signal(signals)
	var pf []portalFilter
	for _, f := range filters {
		p := portalFilter{Name: f.Name}
		for _, g := range f.Patterns {
			p.Rules = append(p.Rules, portalRule{0, g})
		}
		pf = append(pf, p)
	}
	opts := map[string]dbus.Variant{
		"handle_token": dbus.MakeVariant(handle),
		"multiple":     dbus.MakeVariant(multiple),
		"modal":        dbus.MakeVariant(true),
	}
	if len(pf) > 0 {
		opts["filters"] = dbus.MakeVariant(pf)
	}
	if folder != "" {
		opts["current_folder"] = dbus.MakeVariant(append([]byte(folder), 0))
	}
	// Only the portal's answer counts: any client on the bus can emit a
	// signal on the request's path (and learn the token by watching).
	var owner string
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, "org.freedesktop.portal.Desktop").Store(&owner); err != nil {
		return nil, ErrNoPortal
	}
	var reqPath dbus.ObjectPath
	call := conn.Object("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop").
		CallWithContext(ctx, "org.freedesktop.portal.FileChooser.OpenFile", 0, "", title, opts)
	if call.Err != nil || call.Store(&reqPath) != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoPortal, call.Err)
	}
	if reqPath != path {
		// A portal older than 0.9 answers on a path of its own.
		if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(reqPath), dbus.WithMatchInterface("org.freedesktop.portal.Request"), dbus.WithMatchMember("Response")); err != nil {
			return nil, ErrNoPortal
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case s, ok := <-signals:
			if !ok {
				return nil, ErrNoPortal
			}
			if (s.Path != path && s.Path != reqPath) || s.Sender != owner || s.Name != "org.freedesktop.portal.Request.Response" || len(s.Body) < 2 {
				continue
			}
			code, ok := s.Body[0].(uint32)
			if !ok {
				continue
			}
			if code != 0 {
				return nil, ErrCancelled // 1: cancelled, 2: ended otherwise
			}
			results, _ := s.Body[1].(map[string]dbus.Variant)
			uris, _ := results["uris"].Value().([]string)
			var paths []string
			for _, u := range uris {
				p, err := url.Parse(u)
				if err != nil || p.Scheme != "file" {
					continue // only local files can be signed in place
				}
				paths = append(paths, p.Path)
			}
			if len(paths) == 0 {
				return nil, ErrCancelled
			}
			return paths, nil
		}
	}
}
