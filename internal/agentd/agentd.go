// Package agentd is the agent process (signet agent): the localhost API,
// the tray icon and the socket the window process connects to. It imports
// no Fyne package and, while nothing happens, runs no timer: it waits in
// accept and in D-Bus reads. A page's question starts the window process
// (signet-app) through [bridge.Host]; the window asks the person and ends
// when its last question is answered.
package agentd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/bridge"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// Options configure the agent process.
type Options struct {
	// Port overrides the settings' port (0: the settings' or the
	// default).
	Port int
	// Window returns the command that starts the window process.
	Window func() (*exec.Cmd, error)
	// Version is reported by /v1/info.
	Version string
	Stderr  io.Writer
	// Tray shows the tray icon (nil: none). It returns when ctx ends.
	Tray func(ctx context.Context, t TrayActions) error
}

// TrayActions are what the tray's menu does; NoHost is told, once, that
// no tray host is there (the icon appears if one comes later).
type TrayActions struct {
	Open   func()
	Stop   func()
	NoHost func()
}

// Run runs the agent until it is stopped (signet agent --stop, the tray's
// Stop, SIGINT or SIGTERM); the exit code is for main.
func Run(o Options) int {
	stderr := o.Stderr
	say := func(format string, args ...any) { fmt.Fprintf(stderr, "signet: "+format+"\n", args...) }
	path, err := config.Path()
	if err != nil {
		say("%v", err)
		return 1
	}
	settings, err := config.Load(path)
	if err != nil {
		say("%v", err)
		return 1
	}
	if settings.Language != "" {
		i18n.Set(settings.Language)
	}
	sock := bridge.SocketPath()
	ln, err := bridge.Listen(sock)
	if errors.Is(err, bridge.ErrRunning) {
		// One agent per user: this start asks the running one to show
		// its window, as a second click on a launcher would.
		data, err := bridge.Ask(sock, bridge.OpOpen)
		if err != nil {
			say("an agent runs already but does not answer on %s: %v", sock, err)
			return 1
		}
		_ = data
		say("%s", i18n.T("agent.already", map[string]any{"Socket": sock}))
		return 0
	}
	if err != nil {
		say("%v", err)
		return 1
	}
	defer ln.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The PKCS#11 modules (and the middleware behind them: pcscd's
	// client, OpenSC) are loaded when a page first asks, not while the
	// agent only waits.
	var modsLoaded atomic.Bool
	modules := sync.OnceValue(func() *flow.Modules {
		modsLoaded.Store(true)
		return flow.LoadModules(nil, settings.PKCS11Modules)
	})
	defer func() {
		if modsLoaded.Load() {
			modules().Close()
		}
	}()
	var settingsMu sync.Mutex
	logger := log.New(stderr, "signet agent: ", 0)
	host := &bridge.Host{Window: o.Window, OnStop: stop, Log: logger}
	roots, _ := keys.LoadCertificates(settings.TrustAnchors)
	chain := flow.DefaultChainOptions(roots)
	chain.Require = settings.RequireChain
	chain.Warn = func(err error) { logger.Print(err) }
	port := settings.AgentPort
	if o.Port != 0 {
		port = o.Port
	}
	if port == 0 {
		port = agent.DefaultPort
	}
	var tsa pdf.Timestamper
	if settings.TSAURL != "" {
		tsa = &pdf.TSAClient{URL: settings.TSAURL}
	}
	srv, err := agent.Start(agent.Config{
		Port:           port,
		Consent:        host,
		Keys:           agent.ModuleKeys{Modules: modules, Prompter: host},
		Allowed:        settings.AgentOrigins,
		AllowedDigests: settings.AgentDigestOrigins,
		OnAllowAlways: func(p agent.Permission, origin string) {
			settingsMu.Lock()
			defer settingsMu.Unlock()
			if err := remember(path, p, origin); err != nil {
				logger.Printf("could not save the allowed site %s: %v", origin, err)
			}
			host.SettingsChanged()
		},
		Timestamper: tsa,
		Chain:       chain,
		Version:     o.Version,
		Activity:    host.Activity,
		Log:         logger,
	})
	if err != nil {
		say("%v", err)
		return 1
	}
	defer srv.Close()
	host.OnReload = func() {
		settingsMu.Lock()
		defer settingsMu.Unlock()
		s, err := config.Load(path)
		if err != nil {
			logger.Printf("reading the settings again: %v", err)
			return
		}
		srv.SetAllowed(agent.PermissionUse, s.AgentOrigins)
		srv.SetAllowed(agent.PermissionDigests, s.AgentDigestOrigins)
	}
	host.URL = srv.URL()
	go host.Serve(ln)
	say("%s", i18n.T("agent.listening", map[string]any{"URL": srv.URL()}))

	// Without a tray the agent must not run invisibly: it says once how
	// to reach it.
	noTray := sync.OnceFunc(func() { say("%s", i18n.T("agent.no_tray")) })
	if o.Tray == nil {
		noTray()
	} else {
		go func() {
			err := o.Tray(ctx, TrayActions{
				Open: func() {
					if err := host.Open(); err != nil {
						logger.Print(err)
					}
				},
				Stop:   stop,
				NoHost: noTray,
			})
			if err != nil {
				logger.Printf("tray: %v", err)
				noTray()
			}
		}()
	}
	<-ctx.Done()
	// Stopping: no one reaches this agent any more (a start now finds
	// the lock free), then the requests under way end (srv.Close).
	ln.Close()
	return 0
}

// remember adds origin to the settings file's allow-list for p, read
// afresh: the window may have written the file since the agent read it.
func remember(path string, p agent.Permission, origin string) error {
	s, err := config.Load(path)
	if err != nil {
		return err
	}
	list := &s.AgentOrigins
	if p == agent.PermissionDigests {
		list = &s.AgentDigestOrigins
	}
	if slices.Contains(*list, origin) {
		return nil
	}
	*list = append(*list, origin)
	return config.Save(path, s)
}

// Stop asks the running agent to end: false when none runs.
func Stop() (bool, error) {
	_, err := bridge.Ask(bridge.SocketPath(), bridge.OpStop)
	if errors.Is(err, bridge.ErrNoAgent) {
		return false, nil
	}
	return err == nil, err
}
