package testx

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// FilePortal is a FileChooser portal as xdg-desktop-portal exports it,
// on a private session bus: it answers OpenFile with Answer through the
// Request's Response signal (nil Answer: the person cancels), and
// records what it was asked.
type FilePortal struct {
	conn *dbus.Conn

	mu     sync.Mutex
	Answer []string
	// OwnPath answers on a path of the portal's own, as portals older
	// than 0.9 do, not the one the handle_token names.
	OwnPath bool
	Title   string
	Asked   map[string]dbus.Variant
}

// StartFilePortal starts a session bus (DBUS_SESSION_BUS_ADDRESS is set
// for the test) with a file-chooser portal on it.
func StartFilePortal(t *testing.T, answer []string) *FilePortal {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", StartDBus(t))
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &FilePortal{conn: conn, Answer: answer}
	if err := conn.Export(p, "/org/freedesktop/portal/desktop", "org.freedesktop.portal.FileChooser"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.portal.Desktop", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("portal name: %v %v", reply, err)
	}
	return p
}

// OpenFile is the portal's method.
func (p *FilePortal) OpenFile(sender dbus.Sender, parent, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	p.mu.Lock()
	p.Title, p.Asked = title, opts
	answer, own := p.Answer, p.OwnPath
	p.mu.Unlock()
	token, _ := opts["handle_token"].Value().(string)
	path := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" + strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_") + "/" + token)
	if own {
		path = "/org/freedesktop/portal/desktop/request/old/1"
	}
	go func() {
		time.Sleep(100 * time.Millisecond) // the answer comes later, as a person's would
		code, results := uint32(1), map[string]dbus.Variant{}
		if answer != nil {
			code = 0
			results["uris"] = dbus.MakeVariant(answer)
		}
		p.conn.Emit(path, "org.freedesktop.portal.Request.Response", code, results)
	}()
	return path, nil
}

// AnswerOnOwnPath makes the portal answer as portals older than 0.9 do
// (see OwnPath).
func (p *FilePortal) AnswerOnOwnPath() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.OwnPath = true
}

// Request is what the portal was last asked: title and options.
func (p *FilePortal) Request() (string, map[string]dbus.Variant) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.Title, p.Asked
}
