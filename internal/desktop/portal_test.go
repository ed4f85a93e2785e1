package desktop

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/signet-sign/signet/internal/testx"
)

func TestOpenFilesThroughThePortal(t *testing.T) {
	p := testx.StartFilePortal(t, []string{"file:///home/j%C4%81nis/l%C4%ABgums.pdf", "file:///home/j%C4%81nis/pielikums.pdf", "https://example.com/x.pdf"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := OpenFiles(ctx, "Atvērt dokumentus", "/home/jānis", []Filter{{"PDF", []string{"*.pdf"}}, {"All files", []string{"*"}}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "/home/jānis/līgums.pdf" || got[1] != "/home/jānis/pielikums.pdf" {
		t.Errorf("files %q (a remote one must be left out)", got)
	}
	title, asked := p.Request()
	if title != "Atvērt dokumentus" || asked["multiple"].Value() != true {
		t.Errorf("asked %q %v", title, asked)
	}
	if folder, _ := asked["current_folder"].Value().([]byte); string(folder) != "/home/jānis\x00" {
		t.Errorf("folder %q", folder)
	}
	if f := asked["filters"].String(); !strings.Contains(f, `"PDF"`) || !strings.Contains(f, `"*.pdf"`) {
		t.Errorf("filters %s", f)
	}
}

func TestOpenFilesCancelledOrNoPortal(t *testing.T) {
	testx.StartFilePortal(t, nil)
	if _, err := OpenFiles(context.Background(), "x", "", nil, false); !errors.Is(err, ErrCancelled) {
		t.Errorf("cancelled: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", testx.StartDBus(t)) // a bus with no portal on it
	if _, err := OpenFiles(context.Background(), "x", "", nil, false); !errors.Is(err, ErrNoPortal) {
		t.Errorf("no portal: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "none"))
	if _, err := OpenFiles(context.Background(), "x", "", nil, false); !errors.Is(err, ErrNoPortal) {
		t.Errorf("no bus: %v", err)
	}
}

// TestOpenFilesOnlyThePortal: another client on the bus that emits a
// Response on the request's path (it can watch the bus for the token) is
// not heard; an older portal answering on a path of its own is.
func TestOpenFilesOnlyThePortal(t *testing.T) {
	p := testx.StartFilePortal(t, []string{"file:///home/j/a.pdf"})
	spoofer, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer spoofer.Close()
	go func() {
		for i := 0; i < 100; i++ {
			if _, asked := p.Request(); asked != nil {
				token, _ := asked["handle_token"].Value().(string)
				// The requester's unique name is not known here: emit
				// on every path a request of this bus could have.
				for n := 1; n < 10; n++ {
					path := dbus.ObjectPath(fmt.Sprintf("/org/freedesktop/portal/desktop/request/1_%d/%s", n, token))
					spoofer.Emit(path, "org.freedesktop.portal.Request.Response", uint32(0),
						map[string]dbus.Variant{"uris": dbus.MakeVariant([]string{"file:///home/victim/.ssh/id_rsa"})})
				}
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	got, err := OpenFiles(context.Background(), "x", "", nil, false)
	if err != nil || len(got) != 1 || got[0] != "/home/j/a.pdf" {
		t.Errorf("files %q, %v", got, err)
	}

	p.AnswerOnOwnPath()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got, err := OpenFiles(ctx, "x", "", nil, false); err != nil || len(got) != 1 {
		t.Errorf("an older portal: %q, %v", got, err)
	}
}
