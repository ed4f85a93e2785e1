package bridge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/rpc"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/prompt"
)

// Host is the agent's side: it serves the socket, starts the window
// process when a question needs a person, and asks the window. It is the
// agent's Consent and its PIN Prompter.
type Host struct {
	// Window returns the command that starts the window process, not yet
	// started; the agent's socket is in its environment already.
	Window func() (*exec.Cmd, error)
	// OnStop is called for "stop"; OnReload for "reload".
	OnStop   func()
	OnReload func()
	// StartTimeout bounds the wait for a started window to connect
	// (default 30 s: a cold start on a slow disk).
	StartTimeout time.Duration
	Log          *log.Logger
	// URL is the agent's, told by "ping" (after the process id).
	URL string

	nextID atomic.Uint64

	mu sync.Mutex
	// win is the connected window, nil without one.
	win *windowConn
	// starting is non-nil while a window process starts; it is closed
	// when the window connects or the process ends first (startErr).
	starting chan struct{}
	startErr error
	// startFor: the window starting was started for a page's question,
	// not by the person. startToken is in its environment (WindowEnv):
	// the process that says it is the one started.
	startFor   bool
	startToken string
	// active counts the API requests under way.
	active int
}

// windowConn is a connected window.
type windowConn struct {
	rpc    *rpc.Client
	closed chan struct{}
	// dismissed: told Done, it is closing; a call it fails goes to the
	// next window.
	dismissed atomic.Bool
	// forQuestions: started for a page's question, not by the person;
	// it goes once nothing is under way (Host.active). h.mu guards it.
	forQuestions bool
}

// watched closes closed when a read fails: the window process ended.
type watched struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func (w *watched) Read(b []byte) (int, error) {
	n, err := w.Conn.Read(b)
	if err != nil {
		w.once.Do(func() { close(w.closed) })
	}
	return n, err
}

func (h *Host) logf(format string, args ...any) {
	if h.Log != nil {
		h.Log.Printf(format, args...)
	}
}

// Serve accepts connections on ln until it is closed. A failing accept
// (no file descriptors left, for a moment) is tried again, backing off
// up to a second, as net/http does: the agent must not go deaf while it
// holds the one-agent lock.
func (h *Host) Serve(ln net.Listener) error {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			h.logf("agent socket: %v; trying again in %v", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		go h.handle(c)
	}
}

func (h *Host) handle(c net.Conn) {
	if err := checkPeer(c); err != nil {
		h.logf("agent socket: %v", err)
		c.Close()
		return
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := readLine(c)
	if err != nil {
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	proto, op, _ := strings.Cut(line, " ")
	if proto != Protocol {
		fmt.Fprintf(c, "err this agent speaks %s\n", Protocol)
		c.Close()
		return
	}
	reply := func(format string, args ...any) { fmt.Fprintf(c, format+"\n", args...) }
	switch op {
	case OpPing:
		reply("ok %d %s", os.Getpid(), h.URL)
	case OpOpen:
		if err := h.Open(); err != nil {
			reply("err %s", oneLine(err))
		} else {
			reply("ok")
		}
	case OpStop:
		reply("ok")
		c.Close()
		if h.OnStop != nil {
			h.OnStop()
		}
		return
	case OpReload:
		if h.OnReload != nil {
			h.OnReload()
		}
		reply("ok")
	case OpWindow, OpWindow + " " + tokenWord(op):
		h.attach(c, tokenWord(op), reply)
		return // the connection is the window's now
	default:
		reply("err unknown operation %q", op)
	}
	c.Close()
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

// tokenWord is what follows "window " in a handshake: the token of a
// window the agent started.
func tokenWord(op string) string {
	_, token, _ := strings.Cut(op, " ")
	return token
}

// attach makes c the window, unless one is connected already. A window
// that connects while one is starting serves the questions waiting; only
// the process the agent started (token) goes when they are answered.
func (h *Host) attach(c net.Conn, token string, reply func(string, ...any)) {
	h.mu.Lock()
	// A window told Done is closing: the new one takes its place.
	if h.win != nil && !h.win.dismissed.Load() {
		win := h.win
		h.mu.Unlock()
		reply("err busy")
		c.Close()
		go win.rpc.Call("Window.Show", struct{}{}, nil)
		return
	}
	// The answer goes out before the window is known to the questions
	// waiting: their calls must not reach the connection before "ok".
	// (The window reads it at once; h.mu is held for that short write.)
	c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	reply("ok")
	c.SetWriteDeadline(time.Time{})
	w := &watched{Conn: c, closed: make(chan struct{})}
	win := &windowConn{rpc: rpc.NewClient(w), closed: w.closed}
	h.win = win
	if h.starting != nil {
		win.forQuestions = h.startFor && token != "" && token == h.startToken
		close(h.starting)
		h.starting = nil
	}
	// Started for a page that has given up since: nothing to ask.
	idle := win.forQuestions && h.active == 0
	h.mu.Unlock()
	if idle {
		h.Activity(0)
	}
	go func() {
		<-win.closed
		win.rpc.Close()
		h.mu.Lock()
		if h.win == win {
			h.win = nil
		}
		h.mu.Unlock()
	}()
}

// Connected reports whether a window is connected.
func (h *Host) Connected() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.win != nil
}

// Open shows the window for the person: the open one comes to the front
// and stays; without one, one starts.
func (h *Host) Open() error {
	h.mu.Lock()
	win := h.win
	if win != nil && !win.dismissed.Load() {
		win.forQuestions = false
		h.mu.Unlock()
		go win.rpc.Call("Window.Show", struct{}{}, nil)
		return nil
	}
	h.startFor = false
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), h.startTimeout())
	defer cancel()
	_, err := h.window(ctx, false)
	return err
}

func (h *Host) startTimeout() time.Duration {
	if h.StartTimeout > 0 {
		return h.StartTimeout
	}
	return 30 * time.Second
}

// window returns the connected window, starting one when there is none.
func (h *Host) window(ctx context.Context, forQuestions bool) (*windowConn, error) {
	h.mu.Lock()
	// A window told Done is closing: a new one is started.
	if h.win != nil && !h.win.dismissed.Load() {
		win := h.win
		h.mu.Unlock()
		return win, nil
	}
	starting := h.starting
	if starting == nil {
		if err := h.start(); err != nil {
			h.mu.Unlock()
			return nil, err
		}
		starting = h.starting
		h.startFor = forQuestions
	}
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, h.startTimeout())
	defer cancel()
	select {
	case <-starting:
	case <-ctx.Done():
		return nil, fmt.Errorf("the window did not open: %w", ctx.Err())
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.win == nil || h.win.dismissed.Load() {
		if h.startErr != nil {
			return nil, h.startErr
		}
		return nil, ErrWindowClosed
	}
	return h.win, nil
}

// start starts the window process (h.mu held).
func (h *Host) start() error {
	if h.Window == nil {
		return errors.New("this agent has no window to ask the person in")
	}
	cmd, err := h.Window()
	if err != nil {
		return err
	}
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return err
	}
	h.startToken = hex.EncodeToString(nonce[:])
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, WindowEnv+"="+h.startToken)
	var stderr tail
	cmd.Stderr = io.MultiWriter(os.Stderr, &stderr)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start Signet's window (%s): %w", cmd.Path, err)
	}
	starting := make(chan struct{})
	h.starting, h.startErr = starting, nil
	go func() {
		err := cmd.Wait()
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.starting == starting {
			// It ended before it connected.
			h.startErr = fmt.Errorf("the window ended before it opened (%v): %s", err, stderr.String())
			close(starting)
			h.starting = nil
		}
	}()
	return nil
}

// Activity counts the API's requests under way (agent.Config.Activity):
// a window started for a page's question goes when the count falls to
// zero.
func (h *Host) Activity(delta int) {
	h.mu.Lock()
	h.active += delta
	var win *windowConn
	if h.active == 0 && h.win != nil && h.win.forQuestions {
		win = h.win
		win.forQuestions = false
		win.dismissed.Store(true)
	}
	h.mu.Unlock()
	if win != nil {
		go win.rpc.Call("Window.Done", struct{}{}, nil)
	}
}

// forget drops win if it is the current window (it is closing).
func (h *Host) forget(win *windowConn) {
	h.mu.Lock()
	if h.win == win {
		h.win = nil
	}
	h.mu.Unlock()
}

// SettingsChanged tells the window, if one is open, that the agent wrote
// the settings file.
func (h *Host) SettingsChanged() {
	h.mu.Lock()
	win := h.win
	h.mu.Unlock()
	if win != nil {
		go win.rpc.Call("Window.SettingsChanged", struct{}{}, nil)
	}
}

// call asks the window (starting it if need be) and waits for the
// answer or for ctx; a question ctx ends is taken away in the window.
//
// A window told it may go (Done) can be closing when the next page asks:
// that question goes to a new window. A window the person closed while
// asked is their no.
func (h *Host) call(ctx context.Context, id uint64, method string, args, reply any) error {
	for {
		win, err := h.window(ctx, true)
		if err != nil {
			return err
		}
		call := win.rpc.Go("Window."+method, args, reply, make(chan *rpc.Call, 1))
		select {
		case <-call.Done:
			err := fromWire(call.Error)
			if errors.Is(err, ErrWindowClosed) && win.dismissed.Load() {
				h.forget(win)
				continue
			}
			return err
		case <-ctx.Done():
			win.rpc.Go("Window.Cancel", id, nil, make(chan *rpc.Call, 1))
			return ctx.Err()
		}
	}
}

// Origin asks the person about a web origin, in the window.
func (h *Host) Origin(ctx context.Context, q agent.OriginQuestion) (agent.Decision, error) {
	id := h.nextID.Add(1)
	var d agent.Decision
	if err := h.call(ctx, id, "Origin", OriginArgs{ID: id, Q: q}, &d); err != nil {
		return agent.Deny, err
	}
	return d, nil
}

// Approve asks the person to approve a signing, in the window.
func (h *Host) Approve(ctx context.Context, r agent.Request) error {
	id := h.nextID.Add(1)
	return h.call(ctx, id, "Approve", approveArgs(id, r), nil)
}

// Secret asks the person for a PIN in the window.
func (h *Host) Secret(ctx context.Context, r prompt.Request) ([]byte, error) {
	id := h.nextID.Add(1)
	var secret []byte
	if err := h.call(ctx, id, "Secret", secretArgs(id, r), &secret); err != nil {
		if errors.Is(err, prompt.ErrCancelled) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", prompt.ErrCancelled, err)
	}
	return secret, nil
}

// Pinpad shows the pinpad notice in the window until done is called.
func (h *Host) Pinpad(ctx context.Context, r prompt.Request) (done func()) {
	id := h.nextID.Add(1)
	win, err := h.window(ctx, true)
	if err != nil {
		h.logf("pinpad notice: %v", err)
		return func() {}
	}
	win.rpc.Call("Window.Pinpad", secretArgs(id, r), nil)
	return func() { win.rpc.Go("Window.PinpadDone", id, nil, make(chan *rpc.Call, 1)) }
}

// tail keeps the last 2 KB written: why a window that did not open
// ended.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2048 {
		t.buf = t.buf[len(t.buf)-2048:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}

// WindowEnv is set in the window process's environment by the agent
// that starts it, to a token the window says back: that window goes once
// the pages' questions are answered.
const WindowEnv = "SIGNET_WINDOW_OF_AGENT"

// PID is an agent's process id as "ping" answers it.
func PID(data string) int {
	pid, _, _ := strings.Cut(data, " ")
	n, _ := strconv.Atoi(pid)
	return n
}
