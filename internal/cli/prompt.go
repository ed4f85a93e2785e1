package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/prompt"
)

// terminalPrompter asks on the controlling terminal, not on stdin/stdout,
// so that the signature can be piped while the PIN is typed.
type terminalPrompter struct{}

func (terminalPrompter) Secret(ctx context.Context, req prompt.Request) ([]byte, error) {
	tty, err := openTTY()
	if err != nil {
		flag := "--pin-file"
		if req.Kind == prompt.DocumentPassword {
			flag = "--password-file"
		}
		if req.Kind == prompt.DocumentPassword && req.Owner {
			// The document opened; what stops it is its permissions:
			// say that first, then how to lift them.
			return nil, i18n.Errorf("cli.owner_no_terminal", map[string]any{"File": req.Token, "Err": err}, err)
		}
		return nil, i18n.Errorf("cli.no_terminal", map[string]any{"What": req.Kind, "Flag": flag, "Err": err}, err)
	}
	defer tty.Close()
	if w := req.Warning(); w != "" {
		fmt.Fprintln(tty, i18n.T("cli.prompt.warning", map[string]any{"Warning": w}))
	}
	if req.CanResend {
		fmt.Fprint(tty, i18n.T("cli.prompt.enter_resend", map[string]any{"What": question(req)}))
	} else {
		fmt.Fprint(tty, i18n.T("cli.prompt.enter", map[string]any{"What": question(req)}))
	}
	fd := int(tty.Fd())
	saved, err := term.GetState(fd)
	if err != nil {
		return nil, i18n.Errorf("cli.read_secret", map[string]any{"What": req.Kind, "Err": err}, err)
	}
	type answer struct {
		secret []byte
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		s, err := term.ReadPassword(fd)
		done <- answer{s, err}
	}()
	select {
	case <-ctx.Done():
		// ReadPassword turned echo off and is still blocked reading:
		// turn echo back on ourselves before the process exits.
		_ = term.Restore(fd, saved)
		fmt.Fprintln(tty)
		return nil, i18n.Errorf("cli.interrupted", map[string]any{"Err": prompt.ErrCancelled}, prompt.ErrCancelled)
	case a := <-done:
		fmt.Fprintln(tty)
		if a.err != nil {
			return nil, i18n.Errorf("cli.read_secret", map[string]any{"What": req.Kind, "Err": a.err}, a.err)
		}
		if len(a.secret) == 0 && req.CanResend {
			fmt.Fprintln(tty, i18n.T("cli.prompt.resending"))
			return nil, prompt.ErrResend
		}
		if len(a.secret) == 0 {
			return nil, i18n.Errorf("cli.nothing_entered", map[string]any{"What": req.Kind, "Err": prompt.ErrCancelled}, prompt.ErrCancelled)
		}
		return a.secret, nil
	}
}

func (terminalPrompter) Pinpad(_ context.Context, req prompt.Request) func() {
	tty, err := openTTY()
	if err != nil {
		fmt.Fprintln(os.Stderr, i18n.T("cli.prompt.pinpad", map[string]any{"What": question(req)}))
		return func() {}
	}
	if w := req.Warning(); w != "" {
		fmt.Fprintln(tty, i18n.T("cli.prompt.warning", map[string]any{"Warning": w}))
	}
	fmt.Fprintln(tty, i18n.T("cli.prompt.pinpad", map[string]any{"What": question(req)}))
	return func() { tty.Close() }
}

// openTTY opens the controlling terminal (a variable: tests run as if
// there were none).
var openTTY = func() (*os.File, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}

// filePrompter reads the secret from a file, for unattended use only
// (integrators running Signet in CI with SoftHSM2, a seal on a server).
// The file is read afresh for each request, so the PIN is held in memory
// no longer than one login.
type filePrompter struct {
	path   string
	stderr io.Writer
	warned bool
}

func (p *filePrompter) Secret(_ context.Context, req prompt.Request) ([]byte, error) {
	info, err := os.Stat(p.path)
	if err != nil {
		return nil, i18n.Errorf("cli.read_pin_file", map[string]any{"Err": err}, err)
	}
	if info.Mode().Perm()&0o077 != 0 && !p.warned {
		p.warned = true
		fmt.Fprintln(p.stderr, i18n.T("cli.pin_file_readable", map[string]any{"File": filepath.Base(p.path)}))
	}
	data, err := os.ReadFile(p.path)
	if err != nil {
		return nil, i18n.Errorf("cli.read_pin_file", map[string]any{"Err": err}, err)
	}
	// One trailing line end, as editors and `echo` add, is not part of
	// the PIN; anything else is.
	secret := trimLine(data)
	if len(secret) == 0 {
		clear(data)
		return nil, i18n.Errorf("cli.pin_file_empty", nil)
	}
	return secret, nil
}

// trimLine drops one trailing line end, as editors and `echo` add.
func trimLine(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

func (p *filePrompter) Pinpad(_ context.Context, req prompt.Request) func() {
	fmt.Fprintln(p.stderr, i18n.T("cli.pinpad_not_file", map[string]any{"Token": req.Token}))
	return func() {}
}

// passwordFileHelp is --password-file's help, the same on every command
// that reads PDFs.
const passwordFileHelp = "read the password of encrypted PDFs from this file: the user password, or the owner password, which lifts their permissions (without it, a document the empty password does not open is asked for on the terminal)"

// documentPasswords is what opens encrypted PDFs: the --password-file's
// password for every document, or else the terminal, asked only for a
// document that needs it.
func (a *app) documentPasswords() (string, prompt.Prompter, error) {
	if a.passwordFile == "" {
		return "", terminalPrompter{}, nil
	}
	info, err := os.Stat(a.passwordFile)
	if err != nil {
		return "", nil, i18n.Errorf("cli.read_password_file", map[string]any{"Err": err}, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		fmt.Fprintln(a.stderr, i18n.T("cli.password_file_readable", map[string]any{"File": filepath.Base(a.passwordFile)}))
	}
	data, err := os.ReadFile(a.passwordFile)
	if err != nil {
		return "", nil, i18n.Errorf("cli.read_password_file", map[string]any{"Err": err}, err)
	}
	defer clear(data)
	return string(trimLine(data)), nil, nil
}

// question names what is asked, in the person's language, as the prompt
// lines ("Enter the …") take it.
func question(r prompt.Request) string {
	d := map[string]any{"Token": r.Token, "Key": r.Key}
	switch r.Kind {
	case prompt.SignaturePIN:
		return i18n.T("cli.q.signature", d)
	case prompt.Password:
		return i18n.T("cli.q.password", d)
	case prompt.Passcode:
		return i18n.T("cli.q.passcode", d)
	case prompt.DocumentPassword:
		if r.Owner {
			return i18n.T("cli.q.owner", d)
		}
		return i18n.T("cli.q.document", d)
	case prompt.OTP:
		return i18n.T("cli.q.otp", d)
	case prompt.AccountPIN:
		if r.Key != "" {
			return i18n.T("cli.q.account_key", d)
		}
		return i18n.T("cli.q.account", d)
	}
	if r.Key != "" {
		return i18n.T("cli.q.token_key", d)
	}
	return i18n.T("cli.q.token", d)
}

// yesAnswer tells a "yes" typed at a [y/N] question: y or yes in any
// language, or the language's own words for it (cli.yes_words).
func yesAnswer(line string) bool {
	a := strings.ToLower(strings.TrimSpace(line))
	if a == "y" || a == "yes" {
		return true
	}
	for _, w := range strings.Split(i18n.T("cli.yes_words"), ",") {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" && w == a {
			return true
		}
	}
	return false
}
