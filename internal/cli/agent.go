package cli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/agentd"
	"github.com/signet-sign/signet/internal/autostart"
	"github.com/signet-sign/signet/internal/bridge"
	"github.com/signet-sign/signet/internal/version"
)

// executable is the program the autostart entry runs (tests set it).
var executable = os.Executable

// runAgent runs the agent process (tests replace it).
var runAgent = agentd.Run

// OpenApp opens Signet's window: through the running agent when there is
// one (the window then also answers the agent's pages), else by running
// the window program (signet-app) in this process's place.
func OpenApp(stderr io.Writer, files ...string) int {
	if len(files) == 0 {
		if _, err := bridge.Ask(bridge.SocketPath(), bridge.OpOpen); err == nil {
			return exitOK
		}
	}
	prog, err := bridge.WindowProgram()
	if err != nil {
		fmt.Fprintln(stderr, i18n.T("cli.error", map[string]any{"Error": i18n.Line(err)}))
		return exitFailure
	}
	// With files, the window program lists them, or hands them to the
	// window open already.
	err = syscall.Exec(prog, append([]string{prog}, files...), os.Environ())
	fmt.Fprintln(stderr, i18n.T("cli.error", map[string]any{"Error": i18n.T("cli.run", map[string]any{"Program": prog, "Err": err})}))
	return exitFailure
}

// FilesToOpen are args when they are files to open in the window, as a
// file manager's "Open with Signet" (signet FILE…) gives them: none a
// command or a flag, each an existing file. Nil otherwise.
func FilesToOpen(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	var files []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			return nil
		}
		info, err := os.Stat(a)
		if err != nil || info.IsDir() {
			return nil
		}
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil
		}
		files = append(files, abs)
	}
	// Only now the command tree (every command's start would pay for
	// building it twice): a file named like a command is the command.
	root := (&app{}).rootCommand()
	if c, _, err := root.Find(args); err == nil && c != root {
		return nil
	}
	return files
}

func (a *app) agentCommand() *cobra.Command {
	var port int
	var install, remove, stop bool
	cmd := &cobra.Command{
		Use:   "agent [--port N] [--stop] [--install-autostart | --remove-autostart]",
		Short: i18n.T("cmd.agent.short"),
		Long: `Run the agent: web pages on this computer may ask Signet,
on http://127.0.0.1:PORT (default 27413), to list your certificates, to
sign PDFs or digests, and to log you in with a Web eID authentication
token. Signet asks you once about each site (allow once, always, deny, or
don't ask again),
once more before a site may have bare digests signed (data it cannot show
you), shows every signing request before it happens, and asks the PIN in
its own window, never in the page. The API is described by an OpenAPI
document, and a client for web pages (signet-agent.js, no build step)
comes with it: both are in Signet's sources,
https://github.com/signet-sign/signet (agent/, assets/).

The agent is a small process without a window: it waits in the tray
(where "Open Signet" opens the window and "Stop the agent" ends it) and
uses no processor time while nothing happens. A page's question opens
Signet's window (the signet-app program, found beside this one or on
PATH, or named by SIGNET_APP); the window closes itself once the page's
requests are answered. Without a tray (no D-Bus session, or no
StatusNotifierWatcher) the agent says so once and runs all the same:
questions still open the window, 'signet' opens it, 'signet agent --stop'
ends the agent.

One agent runs per user: it holds $XDG_RUNTIME_DIR/signet/agent.sock
(mode 0600; SIGNET_AGENT_SOCKET names another). Starting it again, or
starting 'signet' with no command while it runs, opens its window
instead.

--install-autostart starts the agent when you log in: it writes an XDG
autostart entry (~/.config/autostart/` + autostart.FileName + `) that runs
this program with "agent"; --remove-autostart deletes it.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case install && remove:
				return usageError{i18n.Errorf("cli.agent.autostart_both", nil)}
			case install:
				exe, err := autostart.Program(executable)
				if err != nil {
					return err
				}
				path, err := autostart.Install(exe)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, i18n.T("cli.agent.installed", map[string]any{"Path": path, "Program": exe}))
				return nil
			case remove:
				was := autostart.Installed()
				path, err := autostart.Remove()
				if err != nil {
					return err
				}
				if !was {
					fmt.Fprintln(a.stdout, i18n.T("cli.agent.not_installed", map[string]any{"Path": path}))
					return nil
				}
				fmt.Fprintln(a.stdout, i18n.T("cli.agent.removed", map[string]any{"Path": path}))
				return nil
			}
			if stop {
				ok, err := agentd.Stop()
				switch {
				case err != nil:
					return err
				case !ok:
					fmt.Fprintln(a.stdout, i18n.T("cli.agent.not_running"))
				default:
					fmt.Fprintln(a.stdout, i18n.T("cli.agent.stopped"))
				}
				return nil
			}
			if port < 0 || port > 65535 {
				return usageError{i18n.Errorf("cli.agent.port", nil)}
			}
			code := runAgent(agentd.Options{Port: port, Stderr: a.stderr, Version: version.Signet, Tray: agentd.Tray,
				Window: func() (*exec.Cmd, error) { return bridge.WindowCommand(bridge.SocketPath()) }})
			if code != 0 {
				return exitCode(code)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&port, "port", 0, fmt.Sprintf("port on 127.0.0.1 (default: the settings' or %d)", agent.DefaultPort))
	cmd.Flags().BoolVar(&stop, "stop", false, "stop the running agent, then end")
	cmd.Flags().BoolVar(&install, "install-autostart", false, "start the agent when you log in (an XDG autostart entry), then end")
	cmd.Flags().BoolVar(&remove, "remove-autostart", false, "no longer start the agent when you log in, then end")
	return cmd
}

// exitCode ends the command with the agent's exit code; the agent
// reported its error already.
type exitCode int

func (e exitCode) Error() string { return "the agent ended with an error" } // i18n:skip: never shown
