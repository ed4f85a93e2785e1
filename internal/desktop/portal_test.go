package desktop

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
