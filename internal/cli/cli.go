// Package cli is Signet's command line.
//
// # Output rules
//
//   - Results go to stdout: plain text for people, or JSON with --json.
//   - Everything else goes to stderr: "signet: error: …" with, where the
//     error says what to do about it, "signet: hint: …"; and
//     "signet: warning: …".
//   - PINs and passwords are asked on the terminal (/dev/tty), never read
//     from stdin or flags; --pin-file exists for unattended use only.
//   - Exit codes: 0 success, 1 failure, 2 wrong usage (verify: a file could
//     not be read), 3 partly done (sign: every document signed and
//     written, some at a lower level than asked).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/internal/version"
	"github.com/signet-sign/signet/prompt"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	// exitPartial: every document was signed and written, some at a
	// lower PAdES level than asked (validation data could not be had).
	exitPartial = 3
)

// partialError ends a command that did part of what was asked, with
// exitPartial.
type partialError struct{ err error }

func (e partialError) Error() string { return e.err.Error() }
func (e partialError) Unwrap() error { return e.err }

// app holds what every command needs.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	modules        []string // --module
	configPath     string   // --config
	pinFile        string   // --pin-file, on commands that sign
	passwordFile   string   // --password-file, on commands that read PDFs
}

// usageError marks an error in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Main runs the command line with os.Args and returns the exit code.
func Main() int {
	return Run(os.Args[1:], os.Stdout, os.Stderr)
}

// Run runs the command line with args.
func Run(args []string, stdout, stderr io.Writer) int {
	return RunWithInput(args, os.Stdin, stdout, stderr)
}

// RunWithInput is Run with stdin given (what `--from -` reads).
func RunWithInput(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// The language is chosen before the commands are built: their help
	// is in it. Machine output (--json, --report jsonl) is not.
	i18n.Set(languageArg(args))
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if len(args) == 0 {
		// main opens the app instead; a build without it lists the commands.
		root.SetOut(stderr)
		_ = root.Help()
		return exitOK
	}
	// Ctrl-C cancels the command's context, so that a PIN prompt can put
	// the terminal back (echo on) before the process ends.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ec exitCode
	if errors.As(err, &ec) {
		return int(ec) // the app said what went wrong
	}
	var ve *verifyExitError
	if errors.As(err, &ve) {
		// verify's findings are its output; the code says the verdict.
		return ve.code
	}
	a.report(err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	var pe partialError
	if errors.As(err, &pe) {
		return exitPartial
	}
	return exitFailure
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "signet",
		Short: i18n.T("cmd.root.short"),
		Long: `Signet signs with smart cards, eID cards, USB tokens and HSMs (PKCS#11)
and with PKCS#12 key files.

Keys are named by PKCS#11 URIs (RFC 7512), which 'signet certs' prints,
or by the path of a .p12/.pfx file.

With no command, signet opens Signet's window (the signet-app program
beside it or on PATH; SIGNET_APP names another), through the running
agent when there is one.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// --version: Signet's version and the build's (commit, its time,
		// the Go toolchain), from the build information Go embeds.
		Version: version.Signet,
	}
	root.SetVersionTemplate(version.Info().String())
	root.PersistentFlags().StringArrayVar(&a.modules, "module", nil,
		"PKCS#11 module to load (repeatable; default: configured and well-known modules)")
	root.PersistentFlags().StringVar(&a.configPath, "config", "",
		"settings file (default: $SIGNET_CONFIG or the user's config dir)")
	root.PersistentFlags().String("lang", "",
		"language of messages: en, lv, pt, vi, hi or fr (default: $SIGNET_LANG, else the locale: LC_ALL, LC_MESSAGES, LANG; English when none is known)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(a.tokensCommand(), a.certsCommand(), a.signDigestCommand(), a.signCommand(), a.verifyCommand(), a.extendCommand(), a.eparakstsCommand(), a.remoteSigningCommand(), a.cmdCommand(), a.aadhaarCommand(), a.certEuropeCommand(), a.agentCommand())
	addExamples(root)
	return root
}

// languageArg is the language --lang asks for, else the environment's
// (SIGNET_LANG, LC_ALL, LC_MESSAGES, LANG).
func languageArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--lang="); ok {
			return v
		}
		if a == "--lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return i18n.FromEnvironment()
}

// loadModules loads --module, or the configured and well-known modules.
func (a *app) loadModules() (*flow.Modules, error) {
	var configured []string
	if len(a.modules) == 0 {
		path := a.configPath
		if path == "" {
			var err error
			if path, err = config.Path(); err != nil {
				return nil, err
			}
		}
		cfg, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		configured = cfg.PKCS11Modules
	}
	return flow.LoadModules(a.modules, configured), nil
}

// prompter is the terminal, or the --pin-file.
func (a *app) prompter() prompt.Prompter {
	if a.pinFile != "" {
		return &filePrompter{path: a.pinFile, stderr: a.stderr}
	}
	return terminalPrompter{}
}

// report writes err, and a hint when there is one, to stderr.
func (a *app) report(err error) {
	// An error can quote what a file holds: one line, escaped.
	fmt.Fprintln(a.stderr, i18n.T("cli.error", map[string]any{"Error": shown(i18n.Line(err))}))
	if h := hint(err); h != "" {
		fmt.Fprintln(a.stderr, i18n.T("cli.hint", map[string]any{"Hint": h}))
	}
}

// Root is the command tree, for generating man pages and completions.
func Root() *cobra.Command { return (&app{}).rootCommand() }
