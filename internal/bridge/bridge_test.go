package bridge

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/prompt"
)

// TestWire: every field of agent.Request and prompt.Request crosses the
// socket; a field added to either and not to the wire types fails here.
func TestWire(t *testing.T) {
	for _, tc := range []struct{ have, wire reflect.Type }{
		{reflect.TypeOf(agent.Request{}), reflect.TypeOf(ApproveArgs{})},
		{reflect.TypeOf(prompt.Request{}), reflect.TypeOf(SecretArgs{})},
	} {
		for i := range tc.have.NumField() {
			f := tc.have.Field(i)
			if _, ok := tc.wire.FieldByName(f.Name); !ok {
				t.Errorf("%s.%s does not cross to the window (%s)", tc.have, f.Name, tc.wire)
			}
		}
	}
}

// fakeWindow answers as the test says, and records what it was asked.
type fakeWindow struct {
	mu       sync.Mutex
	asked    []string
	cert     *x509.Certificate
	decision agent.Decision
	approve  error
	secret   []byte
	secErr   error
	// block: questions wait for their context (the agent's cancel).
	block     bool
	cancelled chan string
	shown     chan struct{}
	done      chan struct{}
}

func (w *fakeWindow) note(s string) {
	w.mu.Lock()
	w.asked = append(w.asked, s)
	w.mu.Unlock()
}

func (w *fakeWindow) wait(ctx context.Context, what string) error {
	if !w.block {
		return nil
	}
	<-ctx.Done()
	w.cancelled <- what
	return ctx.Err()
}

func (w *fakeWindow) Origin(ctx context.Context, q agent.OriginQuestion) (agent.Decision, error) {
	w.note("origin " + q.Origin)
	if err := w.wait(ctx, "origin"); err != nil {
		return agent.Deny, err
	}
	return w.decision, nil
}

func (w *fakeWindow) Approve(ctx context.Context, r agent.Request) error {
	w.note("approve " + r.Origin)
	w.mu.Lock()
	w.cert = r.Certificate
	w.mu.Unlock()
	if err := w.wait(ctx, "approve"); err != nil {
		return err
	}
	return w.approve
}

func (w *fakeWindow) Secret(ctx context.Context, r prompt.Request) ([]byte, error) {
	w.note("secret " + r.Token)
	if err := w.wait(ctx, "secret"); err != nil {
		return nil, err
	}
	return w.secret, w.secErr
}

func (w *fakeWindow) Pinpad(ctx context.Context, r prompt.Request) func() { return func() {} }
func (w *fakeWindow) Show()                                               { w.shown <- struct{}{} }
func (w *fakeWindow) Done()                                               { w.done <- struct{}{} }
func (w *fakeWindow) SettingsChanged()                                    {}

// setup is an agent's Host on a socket in a private directory, whose
// window is w, connected when the Host asks for one (as the agent starts
// the window program).
func setup(t *testing.T, w *fakeWindow) (*Host, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run", "signet", "agent.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	h := &Host{StartTimeout: 10 * time.Second}
	h.Window = func() (*exec.Cmd, error) {
		// The "window program": connecting from this process stands in
		// for the process the agent starts, with the token it is given
		// (read once start has set it: it holds h.mu meanwhile).
		go func() {
			h.mu.Lock()
			token := h.startToken
			h.mu.Unlock()
			conn, err := ConnectWindow(path, token)
			if err != nil {
				t.Error(err)
				return
			}
			Serve(conn, w)
		}()
		return exec.Command("sleep", "30"), nil
	}
	go h.Serve(ln)
	return h, path
}

func TestSocketIsPrivate(t *testing.T) {
	_, path := setup(t, &fakeWindow{})
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %o, want %o", p, fi.Mode().Perm(), want)
		}
	}
	if _, err := Listen(path); !errors.Is(err, ErrRunning) {
		t.Errorf("a second Listen: %v, want ErrRunning", err)
	}
	// A directory others can enter is refused.
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o755)
	os.Chmod(open, 0o755)
	if _, err := Listen(filepath.Join(open, "agent.sock")); err == nil {
		t.Error("a socket in a directory open to other users")
	}
}

func TestQuestionsCross(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Anna Bērziņa"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	w := &fakeWindow{decision: agent.AllowAlways, approve: ErrDeclined, secret: []byte("246810"),
		shown: make(chan struct{}, 1), done: make(chan struct{}, 1)}
	h, _ := setup(t, w)
	ctx := context.Background()
	h.Activity(1)
	d, err := h.Origin(ctx, agent.OriginQuestion{Origin: "https://a.example"})
	if err != nil || d != agent.AllowAlways {
		t.Fatalf("origin: %v %v", d, err)
	}
	if err := h.Approve(ctx, agent.Request{Origin: "https://a.example", Certificate: cert}); !errors.Is(err, ErrDeclined) {
		t.Errorf("approve: %v, want the person's no", err)
	}
	if w.cert == nil || w.cert.Subject.CommonName != "Anna Bērziņa" {
		t.Errorf("the window saw certificate %v", w.cert)
	}
	pin, err := h.Secret(ctx, prompt.Request{Token: "eID"})
	if err != nil || string(pin) != "246810" {
		t.Errorf("secret: %q %v", pin, err)
	}
	w.secErr = prompt.ErrCancelled
	if _, err := h.Secret(ctx, prompt.Request{Token: "eID"}); !errors.Is(err, prompt.ErrCancelled) {
		t.Errorf("a cancelled PIN: %v", err)
	}
	if want := []string{"origin https://a.example", "approve https://a.example", "secret eID", "secret eID"}; !slices.Equal(w.asked, want) {
		t.Errorf("asked %q", w.asked)
	}
	// Started for questions: once nothing is under way, it may go.
	h.Activity(-1)
	select {
	case <-w.done:
	case <-time.After(5 * time.Second):
		t.Error("the window was not told it may go")
	}
}

// TestQuestionTakenAway: a page that gives up takes its question away in
// the window.
func TestQuestionTakenAway(t *testing.T) {
	w := &fakeWindow{block: true, cancelled: make(chan string, 1)}
	h, _ := setup(t, w)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	h.Activity(1) // the page's request, as the agent counts it
	if _, err := h.Origin(ctx, agent.OriginQuestion{Origin: "https://gone.example"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("origin: %v", err)
	}
	select {
	case what := <-w.cancelled:
		if what != "origin" {
			t.Errorf("took away %q", what)
		}
	case <-time.After(5 * time.Second):
		t.Error("the question stayed in the window")
	}
}

// TestOpenRaises: "open" with a window there raises it; a second window
// is refused (busy).
func TestOpenRaises(t *testing.T) {
	w := &fakeWindow{shown: make(chan struct{}, 2)}
	h, path := setup(t, w)
	if _, err := Ask(path, OpOpen); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !h.Connected() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := Ask(path, OpOpen); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.shown:
	case <-time.After(5 * time.Second):
		t.Error("open did not raise the window")
	}
	if _, err := ConnectWindow(path, ""); !errors.Is(err, ErrWindowOpen) {
		t.Errorf("a second window: %v", err)
	}
	if data, err := Ask(path, OpPing); err != nil || PID(data) != os.Getpid() {
		t.Errorf("ping: %q %v", data, err)
	}
}

// TestPersonsWindowStays: a window the person opens while the agent
// starts one for a page serves the page's question, and is not told to
// go once it is answered (only the process the agent started, which
// says its token, is).
func TestPersonsWindowStays(t *testing.T) {
	w := &fakeWindow{decision: agent.AllowOnce, done: make(chan struct{}, 1)}
	path := filepath.Join(t.TempDir(), "signet", "agent.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	h := &Host{StartTimeout: 10 * time.Second}
	h.Window = func() (*exec.Cmd, error) {
		// The started process is slow; the person's window comes first.
		go func() {
			conn, err := ConnectWindow(path, "")
			if err != nil {
				t.Error(err)
				return
			}
			Serve(conn, w)
		}()
		return exec.Command("sleep", "30"), nil
	}
	go h.Serve(ln)
	h.Activity(1)
	if d, err := h.Origin(context.Background(), agent.OriginQuestion{Origin: "https://a.example"}); err != nil || d != agent.AllowOnce {
		t.Fatalf("origin: %v %v", d, err)
	}
	h.Activity(-1)
	select {
	case <-w.done:
		t.Error("the person's window was told to go")
	case <-time.After(300 * time.Millisecond):
	}
}

// TestDialRefusesOpenDirectory: a socket in a directory other users can
// write to is not dialled (whoever made it could be listening).
func TestDialRefusesOpenDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	os.Mkdir(dir, 0o777)
	os.Chmod(dir, 0o777)
	if _, err := Ask(filepath.Join(dir, "agent.sock"), OpPing); err == nil || errors.Is(err, ErrNoAgent) {
		t.Errorf("dialled into an open directory: %v", err)
	}
	if _, err := Ask(filepath.Join(t.TempDir(), "none", "agent.sock"), OpPing); !errors.Is(err, ErrNoAgent) {
		t.Errorf("no directory: %v, want ErrNoAgent", err)
	}
}

// TestStartAgentSaysWhy (issue 31, 5): an agent that cannot start (its
// port taken) ends at once; the window is told what it said, not only
// its exit status.
func TestStartAgentSaysWhy(t *testing.T) {
	dir := t.TempDir()
	cli := filepath.Join(dir, "signet")
	script := "#!/bin/sh\necho 'signet: agent: listen on 127.0.0.1:27413: bind: address already in use' >&2\nexit 1\n"
	if err := os.WriteFile(cli, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SIGNET_CLI", cli)
	err := StartAgent(filepath.Join(dir, "run", "signet", "agent.sock"))
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "ended at once") {
		t.Errorf("StartAgent: %v", err)
	}
}

// TestSecondWindowHandsFiles (issue 31, 2): a second start hands the
// open window its files; with none open it is told so.
func TestSecondWindowHandsFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signet", "window.sock")
	if err := HandFiles(path, nil); !errors.Is(err, ErrNoAgent) {
		t.Errorf("no window: %v", err)
	}
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 2)
	go ServeWindow(ln, func(files []string) { got <- files })
	want := []string{"/home/anna/Līgums 1.pdf", "/home/anna/rēķins \"2\".pdf"}
	if err := HandFiles(path, want); err != nil {
		t.Fatal(err)
	}
	if err := HandFiles(path, nil); err != nil {
		t.Fatal(err)
	}
	if files := <-got; !slices.Equal(files, want) {
		t.Errorf("handed %q", files)
	}
	if files := <-got; len(files) != 0 {
		t.Errorf("a bare start handed %q", files)
	}
	if _, err := Ask(path, OpStop); err == nil {
		t.Error("the window's socket took another operation")
	}
}
