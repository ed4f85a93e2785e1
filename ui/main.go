package ui

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"github.com/signet-sign/signet/assets"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/pdf"
)

// osKeyring is the OS keyring (Secret Service, Keychain, Credential
// Manager).
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osKeyring) Set(service, user, value string) error    { return keyring.Set(service, user, value) }

// Main runs the desktop app until its window closes; the exit code is for
// main. started is when the process started, for the startup time shown
// with SIGNET_TIMING=1. withAgent runs the localhost agent whatever the
// settings say, on port when it is not 0.
func Main(started time.Time, stderr io.Writer, withAgent bool, port int) int {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(stderr, "signet: no display to open the app on; 'signet --help' lists the commands")
		return 2
	}
	path, err := config.Path()
	if err != nil {
		fmt.Fprintf(stderr, "signet: %v\n", err)
		return 1
	}
	settings, err := config.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "signet: %v\n", err)
		return 1
	}
	// The app's words: the Settings choice, else the environment's
	// (SIGNET_LANG, the locale), else English.
	if settings.Language != "" {
		i18n.Set(settings.Language)
	} else {
		i18n.Set(i18n.FromEnvironment())
	}
	a := app.NewWithID("io.github.signet-sign.signet")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	mods := flow.LoadModules(nil, settings.PKCS11Modules)
	ui := New(a, Config{Modules: mods, Settings: settings, SettingsPath: path, Secrets: osKeyring{}, Agent: withAgent, AgentPort: port,
		Reload: func(paths []string) *flow.Modules { return flow.LoadModules(nil, paths) }})
	if os.Getenv("SIGNET_TIMING") != "" {
		a.Lifecycle().SetOnStarted(func() {
			fmt.Fprintf(stderr, "signet: window ready %d ms after start\n", time.Since(started).Milliseconds())
		})
	}
	desk, ok := a.(desktop.App)
	if ok && !sessionBus() {
		// Fyne's tray on Linux is a D-Bus StatusNotifierItem; without a
		// session bus it fails and panics at quit. No tray, then: the
		// window stays, and closing it quits.
		fmt.Fprintln(stderr, "signet: no D-Bus session bus, so no tray icon: closing the window quits Signet")
		ok = false
	}
	if ok {
		// In the background the agent keeps answering web pages: closing
		// the window then hides it to the tray, where Quit ends Signet.
		desk.SetSystemTrayIcon(fyne.NewStaticResource("icon.png", assets.Icon))
		desk.SetSystemTrayMenu(fyne.NewMenu("Signet",
			fyne.NewMenuItem(i18n.T("ui.tray.show"), func() { ui.win.Show(); ui.win.RequestFocus() })))
		ui.win.SetCloseIntercept(func() {
			ui.mu.Lock()
			running := ui.agent != nil
			ui.mu.Unlock()
			if running {
				ui.win.Hide()
				return
			}
			a.Quit()
		})
	}
	ui.win.ShowAndRun()
	ui.Close()
	if ui.cfg.Modules != nil {
		ui.cfg.Modules.Close()
	}
	return 0
}

// tsaFor is the timestamper of the settings' TSA, nil without one.
func tsaFor(url string) pdf.Timestamper {
	if url == "" {
		return nil
	}
	return &pdf.TSAClient{URL: url}
}

// sessionBus reports whether a D-Bus session bus answers, which the tray
// needs on Linux and the BSDs (elsewhere it uses the OS's own API).
func sessionBus() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		return true
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
