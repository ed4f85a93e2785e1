package bridge

import (
	"errors"
	"net"
	"strings"
	"sync"
	"time"
)

// Link is the window's tie to the agent: it offers the window to a
// running agent, or starts one, and serves the agent's questions.
type Link struct {
	Socket string
	// Token is the one the agent that started this window gave it
	// (WindowEnv), empty otherwise.
	Token string
	// Lost is told when the agent goes away (its connection ended).
	Lost func()

	mu   sync.Mutex
	conn net.Conn
	url  string
}

// NewLink is a link to the agent on this user's socket.
func NewLink() *Link { return &Link{Socket: SocketPath()} }

// Offer offers this window to a running agent: ErrNoAgent when none runs,
// ErrWindowOpen when it has a window already (raised now).
func (l *Link) Offer() error {
	conn, err := ConnectWindow(l.Socket, l.Token)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.conn = conn
	l.mu.Unlock()
	return nil
}

// Connected reports whether this window is the agent's.
func (l *Link) Connected() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn != nil
}

// Connect makes this window the agent's, starting the agent when none
// runs, and serves its questions with w. It returns the agent's URL.
func (l *Link) Connect(w Window) (string, error) {
	l.mu.Lock()
	conn := l.conn
	l.mu.Unlock()
	if conn == nil {
		err := l.Offer()
		if errors.Is(err, ErrNoAgent) {
			if err := StartAgent(l.Socket); err != nil {
				return "", err
			}
			err = l.Offer()
		}
		if err != nil {
			return "", err
		}
		l.mu.Lock()
		conn = l.conn
		l.mu.Unlock()
	}
	data, err := Ask(l.Socket, OpPing)
	if err != nil {
		// The agent took the window but does not answer: let it go, or
		// it keeps a window nobody serves.
		conn.Close()
		l.mu.Lock()
		if l.conn == conn {
			l.conn = nil
		}
		l.mu.Unlock()
		return "", err
	}
	_, url, _ := strings.Cut(data, " ")
	l.mu.Lock()
	l.url = url
	l.mu.Unlock()
	go func() {
		Serve(conn, w)
		l.mu.Lock()
		if l.conn == conn {
			l.conn = nil
		}
		l.mu.Unlock()
		if l.Lost != nil {
			l.Lost()
		}
	}()
	return url, nil
}

// Stop ends the agent, and waits (up to 5 s) until it has let the
// socket go: an agent started next must not find it still there.
func (l *Link) Stop() error {
	_, err := Ask(l.Socket, OpStop)
	// This window is no longer any agent's: a Connect after Stop starts
	// and offers itself afresh.
	l.mu.Lock()
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
	l.mu.Unlock()
	if errors.Is(err, ErrNoAgent) {
		return nil
	}
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := Ask(l.Socket, OpPing); err != nil {
			return nil
		}
	}
	return errors.New("the agent was asked to stop and still answers after 5 s")
}

// Reload tells the agent the settings file changed.
func (l *Link) Reload() error {
	_, err := Ask(l.Socket, OpReload)
	if errors.Is(err, ErrNoAgent) {
		return nil
	}
	return err
}
