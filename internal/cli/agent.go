package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/i18n"
)

// RunApp opens the desktop app (set by main, which links the GUI): with
// agent on, the localhost agent runs on port (0: the settings' or the
// default). It returns the exit code.
var RunApp func(agent bool, port int) int

func (a *app) agentCommand() *cobra.Command {
	var port int
	cmd := &cobra.Command{
		Use:   "agent [--port N]",
		Short: i18n.T("cmd.agent.short"),
		Long: `Open the app with the agent on: web pages on this computer may ask Signet,
on http://127.0.0.1:PORT (default 27413), to list your certificates, to
sign PDFs or digests, and to log you in with a Web eID authentication
token. Signet asks you once about each site (allow once, always, deny),
once more before a site may have bare digests signed (data it cannot show
you), shows every signing request before it happens, and asks the PIN in
its own window, never in the page. The API is in agent/openapi.yaml;
assets/signet-agent.js is a client for web pages.

The agent needs the app's window for your answers; without a display it
does not start.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
	return cmd
}

// exitCode ends the command with the app's exit code; the app reported
// its error already.
type exitCode int

func (e exitCode) Error() string { return "the app ended with an error" }
