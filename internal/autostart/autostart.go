// Package autostart starts the agent when the person logs in: an XDG
// autostart entry (the freedesktop.org Desktop Application Autostart
// Specification), which GNOME, KDE, Xfce, Cinnamon, MATE and LXQt read
// from $XDG_CONFIG_HOME/autostart (~/.config/autostart).
package autostart

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/signet-sign/signet/internal/atomicfile"
)

// FileName is the entry's file in the autostart directory.
const FileName = "io.github.signet-sign.signet-agent.desktop"

// Path is where the entry lives: $XDG_CONFIG_HOME/autostart, or
// ~/.config/autostart.
func Path() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the configuration directory: %w", err)
	}
	return filepath.Join(dir, "autostart", FileName), nil
}

// Entry is the desktop entry that runs exe with "agent" at login.
func Entry(exe string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Signet agent\n" +
		"Comment=Lets web pages on this computer ask for signatures; you approve each in Signet\n" +
		"Exec=" + quoteExec(exe) + " agent\n" +
		"Icon=io.github.signet-sign.signet\n" +
		"Terminal=false\n" +
		"NoDisplay=true\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// quoteExec quotes a program path for an Exec key (Desktop Entry
// Specification, "The Exec key"): in double quotes when it holds a
// reserved character, with `"`, "`", "$" and "\" escaped by a backslash,
// and that whole value escaped again as a string value ("\\" for "\").
// A literal "%" is written "%%".
func quoteExec(path string) string {
	path = strings.ReplaceAll(path, "%", "%%")
	if !strings.ContainsAny(path, " \t\n\"'\\><~|&;$*?#()`") {
		return path
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range path {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	// The string-value level: a backslash is written twice.
	return strings.ReplaceAll(b.String(), `\`, `\\`)
}

// Program is the program an entry should run: executable's path (as
// os.Executable gives it), links resolved. A build in the temporary
// directory (go run's, or one built there) is refused: it will be gone
// at the next login.
func Program(executable func() (string, error)) (string, error) {
	exe, err := executable()
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	if strings.HasPrefix(exe, filepath.Clean(os.TempDir())+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is in the temporary directory, and will not be there at your next login: install Signet (make build, then install -m 755 signet ~/.local/bin/, or a package) and turn this on from the installed program", exe)
	}
	return exe, nil
}

// Install writes the entry for exe (atomically: a failure leaves what was
// there).
func Install(exe string) (string, error) {
	path, err := Path()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, Entry(exe))
		return err
	})
	return path, err
}

// Remove deletes the entry; none there is no error.
func Remove() (string, error) {
	path, err := Path()
	if err != nil {
		return "", err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return path, nil
}

// Installed tells whether the entry is there.
func Installed() bool {
	path, err := Path()
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}
