package agentd

import (
	"context"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"github.com/signet-sign/signet/assets"
	"github.com/signet-sign/signet/i18n"
)

// watcher is the D-Bus name of the tray host (StatusNotifierWatcher).
const watcher = "org.kde.StatusNotifierWatcher"

// Tray shows Signet's icon in the tray (a StatusNotifierItem over D-Bus,
// fyne.io/systray, no window): its menu opens the window or stops the
// agent. With no tray host in the session it says so (NoHost) and waits
// for one to appear (a panel that starts after the agent, at login);
// without a session bus it returns the error.
func Tray(ctx context.Context, t TrayActions) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	if !hasOwner(conn, watcher) {
		t.NoHost()
		if err := conn.AddMatchSignal(dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"),
			dbus.WithMatchArg(0, watcher)); err != nil {
			return err
		}
		signals := make(chan *dbus.Signal, 4)
		conn.Signal(signals)
		for !hasOwner(conn, watcher) {
			select {
			case <-ctx.Done():
				return nil
			case <-signals:
			}
		}
	}
	systray.SetIcon(assets.Icon)
	systray.SetTitle("Signet")
	systray.SetTooltip("Signet")
	open := systray.AddMenuItem(i18n.T("agent.tray.open"), "")
	stop := systray.AddMenuItem(i18n.T("agent.tray.stop"), "")
	systray.SetOnTapped(t.Open)
	start, end := systray.RunWithExternalLoop(nil, nil)
	start()
	defer end()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-open.ClickedCh:
			t.Open()
		case <-stop.ClickedCh:
			t.Stop()
		}
	}
}

// hasOwner reports whether a program owns name on the bus.
func hasOwner(conn *dbus.Conn, name string) bool {
	var ok bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&ok); err != nil {
		return false
	}
	return ok
}
