// Package bridge ties Signet's two processes together: the agent
// (signet agent: the localhost API, the tray icon, no Fyne, asleep while
// nothing happens) and the window (signet-app: Fyne), which runs only
// while a person is needed.
//
// The agent listens on a Unix socket in the user's runtime directory
// ($XDG_RUNTIME_DIR/signet/agent.sock, a 0700 directory, the socket
// 0600, each peer's user checked by the kernel's SO_PEERCRED). A client
// opens a connection and writes one line, "signet/1 OP"; the agent
// answers one line, "ok [DATA]" or "err MESSAGE". The operations:
//
//	ping    is an agent there? (DATA: its process id)
//	open    show the window: raise the open one, or start one
//	stop    end the agent
//	reload  the settings file changed: read it again
//	window  the window process offers itself; after "ok" the connection
//	        carries net/rpc calls from the agent to the window (questions,
//	        PINs, "show yourself", "you may go"); "err busy" means a
//	        window is open already and was raised
//
// One agent per user: it holds an exclusive lock (flock) on agent.lock
// beside the socket for as long as it runs, so a socket left by an agent
// that died is stale by definition and replaced.
package bridge

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Protocol is the handshake's first word.
const Protocol = "signet/1"

// The operations a client asks for.
const (
	OpPing   = "ping"
	OpOpen   = "open"
	OpStop   = "stop"
	OpReload = "reload"
	OpWindow = "window"
)

var (
	// ErrRunning: another agent of this user runs (it holds the lock).
	ErrRunning = errors.New("an agent runs already for this user")
	// ErrNoAgent: no agent answers on the socket.
	ErrNoAgent = errors.New("no agent is running")
	// ErrWindowOpen: a window is connected already (and was raised).
	ErrWindowOpen = errors.New("a Signet window is open already")
)

// SocketEnv names the environment variable that overrides the socket's
// path (tests; two agents for one user on purpose).
const SocketEnv = "SIGNET_AGENT_SOCKET"

// SocketPath is where the agent listens: $SIGNET_AGENT_SOCKET, else
// $XDG_RUNTIME_DIR/signet/agent.sock, else (no runtime directory, as
// under some su and ssh sessions) signet-UID/agent.sock in the temporary
// directory.
func SocketPath() string {
	if p := os.Getenv(SocketEnv); p != "" {
		return p
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "signet", "agent.sock")
	}
	return filepath.Join(os.TempDir(), "signet-"+strconv.Itoa(os.Getuid()), "agent.sock")
}

// privateDir makes the socket's directory, or checks the one there: this
// user's and nobody else's, since whoever can connect can ask questions
// in the person's window.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return checkPrivate(dir)
}

// checkPrivate says whether dir is this user's and closed to others: a
// window does not offer itself (and the PINs typed in it) to a socket in
// a directory someone else could have made.
func checkPrivate(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	case ok && int(st.Uid) != os.Getuid():
		return fmt.Errorf("%s belongs to another user", dir)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%s is open to other users (mode %o); Signet wants it 0700", dir, fi.Mode().Perm())
	}
	return nil
}

// Listener is the agent's end of the socket, holding the one-agent lock.
type Listener struct {
	net.Listener
	lock  *os.File
	path  string
	close sync.Once
}

// Close stops listening, removes the socket and lets the lock go; again,
// it does nothing.
func (l *Listener) Close() error {
	var err error
	l.close.Do(func() {
		err = l.Listener.Close()
		os.Remove(l.path)
		l.lock.Close()
	})
	return err
}

// Listen takes the socket at path for this process: ErrRunning when
// another agent holds it; a socket left behind by a dead one is removed.
func Listen(path string) (*Listener, error) {
	dir := filepath.Dir(path)
	if err := privateDir(dir); err != nil {
		return nil, fmt.Errorf("the agent's socket directory: %w", err)
	}
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	// The lock is ours: a socket there is a dead agent's.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		lock.Close()
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		lock.Close()
		return nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	// The directory is 0700 already; the socket's own mode says the same
	// to anyone who looks.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		lock.Close()
		return nil, err
	}
	return &Listener{Listener: ln, lock: lock, path: path}, nil
}

// maxLine bounds a handshake line (a window's "open" carries the files'
// paths: 64 KiB of them).
const maxLine = 64 << 10

// readLine reads one line byte by byte: what follows it on the
// connection (net/rpc) must not be buffered away.
func readLine(r io.Reader) (string, error) {
	var b []byte
	var c [1]byte
	for len(b) < maxLine {
		if _, err := io.ReadFull(r, c[:]); err != nil {
			return "", err
		}
		if c[0] == '\n' {
			return string(b), nil
		}
		b = append(b, c[0])
	}
	return "", errors.New("handshake line too long")
}

// Dial connects to the agent at path and asks for op; it returns the
// connection (for OpWindow, now carrying the agent's calls; otherwise
// done with) and the answer's data.
func Dial(path, op string) (net.Conn, string, error) {
	if err := checkPrivate(filepath.Dir(path)); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", fmt.Errorf("%w (no %s)", ErrNoAgent, filepath.Dir(path))
		}
		return nil, "", fmt.Errorf("the agent's socket directory: %w", err)
	}
	conn, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return nil, "", fmt.Errorf("%w (%v)", ErrNoAgent, err)
	}
	if err := checkPeer(conn); err != nil {
		conn.Close()
		return nil, "", err
	}
	// An agent that hangs must not hang the command asking it.
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(conn, "%s %s\n", Protocol, op); err != nil {
		conn.Close()
		return nil, "", fmt.Errorf("%w (%v)", ErrNoAgent, err)
	}
	line, err := readLine(conn)
	if err != nil {
		conn.Close()
		return nil, "", fmt.Errorf("%w (no answer: %v)", ErrNoAgent, err)
	}
	conn.SetDeadline(time.Time{})
	word, data, _ := strings.Cut(line, " ")
	switch word {
	case "ok":
		return conn, data, nil
	case "err":
		conn.Close()
		if data == "busy" {
			return nil, "", ErrWindowOpen
		}
		return nil, "", fmt.Errorf("the agent: %s", data)
	}
	conn.Close()
	return nil, "", fmt.Errorf("the agent answered %q", line)
}

// Ask sends op to the agent at path and returns its answer's data.
func Ask(path, op string) (string, error) {
	conn, data, err := Dial(path, op)
	if err != nil {
		return "", err
	}
	conn.Close()
	return data, nil
}
