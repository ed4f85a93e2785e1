package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/autostart"
)

// executable is the program the autostart entry runs (tests set it).
var executable = os.Executable

// RunApp opens the desktop app (set by main, which links the GUI): with
// agent on, the localhost agent runs on port (0: the settings' or the
// default). It returns the exit code.
var RunApp func(agent bool, port int) int

func (a *app) agentCommand() *cobra.Command {
	var port int
	var install, remove bool
	cmd := &cobra.Command{
		Use:   "agent [--port N] [--install-autostart | --remove-autostart]",
		Short: i18n.T("cmd.agent.short"),
		Long: `Open the app with the agent on: web pages on this computer may ask Signet,
on http://127.0.0.1:PORT (default 27413), to list your certificates, to
sign PDFs or digests, and to log you in with a Web eID authentication
token. Signet asks you once about each site (allow once, always, deny, or
don't ask again),
once more before a site may have bare digests signed (data it cannot show
you), shows every signing request before it happens, and asks the PIN in
its own window, never in the page. The API is in agent/openapi.yaml;
assets/signet-agent.js is a client for web pages.

The agent needs the app's window for your answers; without a display it
does not start.

--install-autostart starts the agent when you log in: it writes an XDG
autostart entry (~/.config/autostart/` + autostart.FileName + `) that runs
this program with "agent"; --remove-autostart deletes it.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case install && remove:
				return usageError{errors.New("use --install-autostart or --remove-autostart, not both")}
			case install:
				if RunApp == nil {
					return errors.New("this build has no app, so no agent to start at login (built with -tags nogui)")
				}
				exe, err := autostart.Program(executable)
				if err != nil {
					return err
				}
				path, err := autostart.Install(exe)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "the agent starts when you log in: %s runs %s agent\n", path, exe)
				return nil
			case remove:
				was := autostart.Installed()
				path, err := autostart.Remove()
				if err != nil {
					return err
				}
				if !was {
					fmt.Fprintf(a.stdout, "the agent was not set to start when you log in (no %s)\n", path)
					return nil
				}
				fmt.Fprintf(a.stdout, "the agent no longer starts when you log in (%s removed)\n", path)
				return nil
			}
			if port < 0 || port > 65535 {
				return usageError{errors.New("--port takes 1 to 65535")}
			}
			if RunApp == nil {
				return errors.New("this build has no app")
			}
			if code := RunApp(true, port); code != 0 {
				return exitCode(code)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&port, "port", 0, fmt.Sprintf("port on 127.0.0.1 (default: the settings' or %d)", agent.DefaultPort))
	cmd.Flags().BoolVar(&install, "install-autostart", false, "start the agent when you log in (an XDG autostart entry), then end")
	cmd.Flags().BoolVar(&remove, "remove-autostart", false, "no longer start the agent when you log in, then end")
	return cmd
}

// exitCode ends the command with the app's exit code; the app reported
// its error already.
type exitCode int

func (e exitCode) Error() string { return "the app ended with an error" }
