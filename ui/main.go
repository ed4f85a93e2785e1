package ui

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"github.com/zalando/go-keyring"

	"github.com/signet-sign/signet/assets"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/bridge"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/pdf"
)

// osKeyring is the OS keyring (Secret Service, Keychain, Credential
// Manager).
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osKeyring) Set(service, user, value string) error    { return keyring.Set(service, user, value) }

// Main runs the window until it closes; the exit code is for main.
// started is when the process started, for the startup time shown with
// SIGNET_TIMING=1.
//
// When an agent runs (signet agent), the window offers itself to it and
// answers its pages' questions; a second window is not opened: the one
// open comes to the front. Started by the agent for a question, the
// window closes itself once the agent's requests are answered.
func Main(started time.Time, stderr io.Writer, args []string) int {
	var files []string
	for _, arg := range args {
		if strings.HasPrefix(arg, "-") {
			fmt.Fprintln(stderr, i18n.T("app.usage"))
			return 2
		}
		if abs, err := filepath.Abs(arg); err == nil {
			files = append(files, abs)
		}
	}
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(stderr, "signet: "+i18n.T("app.no_display"))
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
	// One window per user: a second start hands the open one its files
	// and ends, before the toolkit starts.
	// A window the agent starts for a page's question opens whatever
	// holds the window socket (a window opened before the agent ran is
	// not the agent's, and cannot answer it).
	link := bridge.NewLink()
	link.Token = os.Getenv(bridge.WindowEnv)
	byAgent := link.Token != ""
	os.Unsetenv(bridge.WindowEnv)
	windowSock := bridge.WindowSocketPath()
	if !byAgent {
		if err := bridge.HandFiles(windowSock, files); err == nil {
			fmt.Fprintln(stderr, "signet: "+i18n.T("app.window_open_files"))
			return 0
		}
	}
	windowLn, err := bridge.Listen(windowSock)
	if errors.Is(err, bridge.ErrRunning) && !byAgent {
		// Another window is starting just now: it takes the files.
		time.Sleep(time.Second)
		if err := bridge.HandFiles(windowSock, files); err == nil {
			return 0
		}
	}
	// Then the agent: this window answers its pages' questions.
	switch err := link.Offer(); {
	case errors.Is(err, bridge.ErrWindowOpen):
		fmt.Fprintln(stderr, "signet: "+i18n.T("app.window_open"))
		return 0
	case err != nil && byAgent:
		fmt.Fprintln(stderr, "signet: "+i18n.T("app.agent_silent", map[string]any{"Err": err.Error()}))
		return 1
	case err != nil && !errors.Is(err, bridge.ErrNoAgent):
		fmt.Fprintln(stderr, "signet: "+i18n.T("app.agent_err", map[string]any{"Err": err.Error()}))
	}
	a := app.NewWithID("io.github.signet-sign.signet")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	if th := languageTheme(); th != nil {
		a.Settings().SetTheme(th)
	}
	mods := flow.LoadModules(nil, settings.PKCS11Modules)
	ui := New(a, Config{Modules: mods, Settings: settings, SettingsPath: path, Secrets: osKeyring{}, Agent: link,
		Reload: func(paths []string) *flow.Modules { return flow.LoadModules(nil, paths) }})
	if os.Getenv("SIGNET_TIMING") != "" {
		a.Lifecycle().SetOnStarted(func() {
			fmt.Fprintf(stderr, "signet: window ready %d ms after start\n", time.Since(started).Milliseconds()) // i18n:skip a measurement for scripts
		})
	}
	if windowLn != nil {
		go bridge.ServeWindow(windowLn, ui.handOver)
	}
	ui.win.Resize(windowSize())
	ui.AddFiles(files)
	ui.win.ShowAndRun()
	// Closed: a second start from now on opens a window of its own.
	if windowLn != nil {
		windowLn.Close()
	}
	ui.Close()
	// Work under way (a signing the window closed on) ends before the
	// modules do.
	ui.tasks.Wait()
	if ui.cfg.Modules != nil {
		ui.cfg.Modules.Close()
	}
	if files, ok := ui.Restart(); ok {
		// Another language: the program again, in place, with the
		// documents that were on the list.
		if err := restart(files); err != nil {
			fmt.Fprintln(stderr, "signet: "+i18n.T("app.restart_failed", map[string]any{"Err": err.Error()}))
			return 1
		}
	}
	return 0
}

// restart replaces this process with the window program, given files.
func restart(files []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, append([]string{exe}, files...), os.Environ())
}

// tsaFor is the timestamper of the settings' TSA, nil without one.
func tsaFor(url string) pdf.Timestamper {
	if url == "" {
		return nil
	}
	return &pdf.TSAClient{URL: url}
}
