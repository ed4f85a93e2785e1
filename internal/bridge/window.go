package bridge

import (
	"context"
	"net"
	"net/rpc"
	"sync"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/prompt"
)

// Window is what the window process does for the agent: ask the
// person (one question at a time, in the order they come: the agent sends
// them so) and show itself.
type Window interface {
	agent.Consent
	prompt.Prompter
	// Show brings the window to the front ("Open Signet").
	Show()
	// Done: the agent needs the window no more (it was started for a
	// page's question, and every request has been answered).
	Done()
	// SettingsChanged: the agent wrote the settings file (an origin
	// always allowed): read it again before writing it.
	SettingsChanged()
}

// ConnectWindow offers this process to the agent at path as its window
// (token: what the agent put in WindowEnv when it started this process;
// empty when the person did): ErrNoAgent when none runs, ErrWindowOpen
// when another window is connected (the agent raised it). Serve the
// returned connection.
func ConnectWindow(path, token string) (net.Conn, error) {
	op := OpWindow
	if token != "" {
		op += " " + token
	}
	conn, _, err := Dial(path, op)
	return conn, err
}

// Serve answers the agent's calls on conn until it closes.
func Serve(conn net.Conn, w Window) {
	srv := rpc.NewServer()
	s := &service{w: w, cancels: map[uint64]context.CancelFunc{}, pinpads: map[uint64]func(){}}
	if err := srv.RegisterName("Window", s); err != nil {
		panic(err) // the service's methods are fixed: a mistake here is a programming error
	}
	srv.ServeConn(conn)
	// The agent is gone: every question it asked goes with it.
	s.mu.Lock()
	for _, c := range s.cancels {
		c()
	}
	for _, done := range s.pinpads {
		done()
	}
	s.mu.Unlock()
}

// service is the window's side of the calls (net/rpc's method shape).
type service struct {
	w       Window
	mu      sync.Mutex
	cancels map[uint64]context.CancelFunc
	pinpads map[uint64]func()
}

// question runs ask with a context the agent can cancel by the call's ID.
func (s *service) question(id uint64, ask func(context.Context) error) error {
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.cancels[id] = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.cancels, id)
		s.mu.Unlock()
		cancel()
	}()
	return wireError(ask(ctx))
}

func (s *service) Origin(a OriginArgs, d *agent.Decision) error {
	return s.question(a.ID, func(ctx context.Context) error {
		var err error
		*d, err = s.w.Origin(ctx, a.Q)
		return err
	})
}

func (s *service) Approve(a ApproveArgs, _ *struct{}) error {
	return s.question(a.ID, func(ctx context.Context) error { return s.w.Approve(ctx, a.request()) })
}

func (s *service) Secret(a SecretArgs, secret *[]byte) error {
	return s.question(a.ID, func(ctx context.Context) error {
		var err error
		*secret, err = s.w.Secret(ctx, a.request())
		return err
	})
}

// Pinpad shows the notice and returns; PinpadDone takes it down.
func (s *service) Pinpad(a SecretArgs, _ *struct{}) error {
	done := s.w.Pinpad(context.Background(), a.request())
	s.mu.Lock()
	s.pinpads[a.ID] = done
	s.mu.Unlock()
	return nil
}

func (s *service) PinpadDone(id uint64, _ *struct{}) error {
	s.mu.Lock()
	done := s.pinpads[id]
	delete(s.pinpads, id)
	s.mu.Unlock()
	if done != nil {
		done()
	}
	return nil
}

// Cancel takes a question away: the page gave up waiting.
func (s *service) Cancel(id uint64, _ *struct{}) error {
	s.mu.Lock()
	cancel := s.cancels[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil
}

func (s *service) Show(struct{}, *struct{}) error            { s.w.Show(); return nil }
func (s *service) Done(struct{}, *struct{}) error            { s.w.Done(); return nil }
func (s *service) SettingsChanged(struct{}, *struct{}) error { s.w.SettingsChanged(); return nil }
