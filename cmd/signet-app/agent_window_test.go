package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/signet-sign/signet/internal/bridge"
	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testx"
	"github.com/signet-sign/signet/ui"
)

// The agent and its window as they run for a person: this test binary
// started as "signet agent" (SIGNET_TEST_RUN_CLI), which starts the
// window program (SIGNET_APP: a script running this binary again as the
// window, SIGNET_TEST_ROLE=window) when a page's question needs a person.
// The window writes what happens to an events file: when it started, when
// a question was on screen, when it was answered, when it ended.

// runTestWindow is the window process of these tests: the real window
// (ui.Main), whose questions are answered as SIGNET_TEST_ANSWER says
// ("yes" or "no"), the way a click would, once armed.
func runTestWindow() int {
	events := os.Getenv("SIGNET_TEST_EVENTS")
	write := func(what string) {
		f, err := os.OpenFile(events, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return
		}
		fmt.Fprintf(f, "%d %d %s\n", os.Getpid(), time.Now().UnixNano(), what)
		f.Close()
	}
	write("start -")
	yes := os.Getenv("SIGNET_TEST_ANSWER") == "yes"
	ui.Shown = func(kind, origin string, answer func(bool)) {
		write("shown " + kind + " " + origin)
		answer(yes)
		write("answered " + kind + " " + origin)
	}
	code := ui.Main(time.Now(), os.Stderr, os.Args[1:])
	write("exit -")
	return code
}

// windowEvent is a line of the events file.
type windowEvent struct {
	pid    int
	at     time.Time
	what   string
	origin string
}

// agentEnv is an X display, a D-Bus session, a SoftHSM2 token and the
// environment an agent and its windows run in.
type agentEnv struct {
	t        *testing.T
	dir      string
	display  string
	socket   string
	events   string
	env      []string
	settings string
	// out is the agent's output, pid its process.
	out *lockedBuffer
	pid int
}

func newAgentEnv(t *testing.T, bus string) *agentEnv {
	env := softhsmtest.Require(t)
	pdfcheck.Require(t, "Xvfb", "dbus-daemon")
	e := &agentEnv{t: t, dir: t.TempDir(), display: testx.StartXvfb(t)}
	if bus == "" {
		bus = testx.StartDBus(t)
	}
	conf, err := env.CopyStore(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(e.dir, "settings.toml")
	if err := os.WriteFile(settings, []byte(fmt.Sprintf("pkcs11_modules = [%q]\n", env.Module)), 0o600); err != nil {
		t.Fatal(err)
	}
	e.settings = settings
	// The command-line program, for a window that starts the agent.
	cliScript := filepath.Join(e.dir, "signet")
	script0 := fmt.Sprintf("#!/bin/sh\nunset SIGNET_TEST_ROLE\nSIGNET_TEST_RUN_CLI=1 SIGNET_TEST_ARGS=\"$*\" exec %q\n", os.Args[0])
	if err := os.WriteFile(cliScript, []byte(script0), 0o755); err != nil {
		t.Fatal(err)
	}
	window := filepath.Join(e.dir, "signet-app")
	script := fmt.Sprintf("#!/bin/sh\nSIGNET_TEST_ROLE=window exec %q \"$@\"\n", os.Args[0])
	if err := os.WriteFile(window, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(e.dir, "run")
	os.Mkdir(run, 0o700)
	e.socket = filepath.Join(run, "signet", "agent.sock")
	e.events = filepath.Join(e.dir, "events")
	e.env = append(os.Environ(), "DISPLAY="+e.display, "DBUS_SESSION_BUS_ADDRESS="+bus,
		"HOME="+e.dir, "XDG_CONFIG_HOME="+filepath.Join(e.dir, "config"), "XDG_RUNTIME_DIR="+run,
		"XDG_CACHE_HOME="+filepath.Join(e.dir, "cache"), "SIGNET_CONFIG="+settings, "SOFTHSM2_CONF="+conf,
		"SIGNET_APP="+window, "SIGNET_CLI="+cliScript, "SIGNET_TEST_EVENTS="+e.events, "SIGNET_TEST_ANSWER=yes",
		// Fyne parses the locale at start; C.UTF-8 it logs about.
		"LANG=en_US.UTF-8", "LC_ALL=", "SIGNET_AGENT_SOCKET=")
	return e
}

// lockedBuffer collects a process's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// signet starts this binary as signet with args.
func (e *agentEnv) signet(args ...string) (*exec.Cmd, *lockedBuffer) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(slices.Clone(e.env), "SIGNET_TEST_RUN_CLI=1", "SIGNET_TEST_ARGS="+strings.Join(args, " "))
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	return cmd, &out
}

// agent starts signet agent and waits until it answers on its socket.
func (e *agentEnv) agent() (*exec.Cmd, *lockedBuffer, string) {
	e.t.Helper()
	port := freePort(e.t)
	cmd, out := e.signet("agent", "--port", port)
	e.out, e.pid = out, cmd.Process.Pid
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	e.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		e.killWindows()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := bridge.Ask(e.socket, bridge.OpPing); err == nil {
			return cmd, out, "http://127.0.0.1:" + port
		}
		select {
		case <-done:
			e.t.Fatalf("the agent ended: %s", out)
		default:
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the agent does not answer on %s: %s", e.socket, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killWindows ends the window processes still there.
func (e *agentEnv) killWindows() {
	for _, ev := range e.read() {
		if ev.what == "start" {
			syscall.Kill(ev.pid, syscall.SIGKILL)
		}
	}
}

// read returns the window events so far.
func (e *agentEnv) read() []windowEvent {
	f, err := os.Open(e.events)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []windowEvent
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		pid, _ := strconv.Atoi(fields[0])
		ns, _ := strconv.ParseInt(fields[1], 10, 64)
		ev := windowEvent{pid: pid, at: time.Unix(0, ns), what: fields[2]}
		if len(fields) > 4 {
			ev.origin = fields[4]
		}
		out = append(out, ev)
	}
	return out
}

// waitEvent waits for the n-th event (0-based) matching what and origin.
func (e *agentEnv) waitEvent(what, origin string, timeout time.Duration) windowEvent {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, ev := range e.read() {
			if ev.what == what && (origin == "" || ev.origin == origin) {
				return ev
			}
		}
		if time.Now().After(deadline) {
			if e.pid != 0 {
				syscall.Kill(e.pid, syscall.SIGQUIT)
				time.Sleep(time.Second)
			}
			e.t.Fatalf("no %q event for %q within %v; events: %+v\nagent: %s", what, origin, timeout, e.read(), e.out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// get asks GET /v1/certificates as a page of origin; the status comes on
// the channel.
func get(url, origin string) chan int {
	out := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", url+"/v1/certificates", nil)
		req.Header.Set("Origin", origin)
		resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
		if err != nil {
			out <- -1
			return
		}
		resp.Body.Close()
		out <- resp.StatusCode
	}()
	return out
}

// children are the processes whose parent is pid.
func children(pid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, d := range entries {
		n, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces; the fields
		// after its closing parenthesis do not.
		rest := string(stat[bytes.LastIndexByte(stat, ')')+1:])
		f := strings.Fields(rest)
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, n)
		}
	}
	return out
}

// gone waits until process pid has ended (or is a zombie) and returns
// when that was seen.
func gone(pid int, timeout time.Duration) (time.Time, bool) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return time.Now(), true
		}
		if f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return time.Now(), true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}, false
}

// session is the session id of process pid ("" when it is gone).
func session(pid int) string {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// pid (comm) state ppid pgrp session …
	if f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(f) > 3 {
		return f[3]
	}
	return ""
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// TestAgentWindowOnDemand (issue 30): the agent waits without a window
// process; a page's question starts one and the question is on screen,
// answered, the page gets its answer and the window process ends. Ten
// times, for the median; then two pages at once share one window and are
// asked in the order they came.
func TestAgentWindowOnDemand(t *testing.T) {
	e := newAgentEnv(t, "")
	agentCmd, agentOut, url := e.agent()
	time.Sleep(500 * time.Millisecond)
	if c := children(agentCmd.Process.Pid); len(c) != 0 {
		t.Fatalf("the agent waiting has child processes %v", c)
	}
	if ev := e.read(); len(ev) != 0 {
		t.Fatalf("a window started with nothing asked: %+v", ev)
	}
	var visible, exits []time.Duration
	for i := 1; i <= 10; i++ {
		origin := fmt.Sprintf("https://p%d.example", i)
		sent := time.Now()
		res := get(url, origin)
		shown := e.waitEvent("shown", origin, 20*time.Second)
		visible = append(visible, shown.at.Sub(sent))
		if ok, err := testx.Viewable(e.display, "Signet"); err != nil || !ok {
			t.Errorf("%s: the question is said shown, but no Signet window is viewable (%v)", origin, err)
		}
		if c := children(agentCmd.Process.Pid); !slices.Contains(c, shown.pid) {
			t.Errorf("the window %d is not the agent's child (%v)", shown.pid, c)
		}
		select {
		case code := <-res:
			if code != http.StatusOK {
				t.Fatalf("%s: the page got %d after the person allowed it; agent:\n%s\nevents %+v", origin, code, agentOut, e.read())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no answer to the page; agent: %s", origin, agentOut)
		}
		answered := e.waitEvent("answered", origin, 10*time.Second)
		end, ok := gone(shown.pid, 30*time.Second)
		if !ok {
			t.Fatalf("%s: the window process %d still runs 30 s after the answer; events %+v\n%s", origin, shown.pid, e.read(), e.out)
		}
		exits = append(exits, end.Sub(answered.at))
		os.Remove(e.events)
	}
	t.Logf("question on screen after the page asked: median %v (all %v)", median(visible), visible)
	t.Logf("window process gone after the answer: median %v (all %v)", median(exits), exits)
	// Issue 30's targets: on screen within 1.5 s, gone within 2 s (a
	// race-instrumented build gets slowdown times as long).
	if m := median(visible); m > slowdown*1500*time.Millisecond {
		t.Errorf("median %v from the page's request to the question on screen; the target is 1.5 s", m)
	}
	if m := median(exits); m > slowdown*2*time.Second {
		t.Errorf("median %v from the answer to the window's end; the target is 2 s", m)
	}

	// Two pages at once: one window, their questions in order.
	const first, second = "https://first.example", "https://second.example"
	r1 := get(url, first)
	time.Sleep(100 * time.Millisecond)
	r2 := get(url, second)
	s1 := e.waitEvent("shown", first, 60*time.Second)
	s2 := e.waitEvent("shown", second, 60*time.Second)
	if s1.pid != s2.pid {
		t.Errorf("two windows (%d, %d) for two pages", s1.pid, s2.pid)
	}
	if !s2.at.After(s1.at) {
		t.Errorf("the second page's question came first")
	}
	for _, r := range []chan int{r1, r2} {
		if code := <-r; code != http.StatusOK {
			t.Errorf("a page got %d", code)
		}
	}
	starts := 0
	for _, ev := range e.read() {
		if ev.what == "start" {
			starts++
		}
	}
	if starts != 1 {
		t.Errorf("%d window processes for two pages at once", starts)
	}
	if _, ok := gone(s1.pid, 30*time.Second); !ok {
		t.Errorf("the window stays after both answers")
	}
}

// freePort is a loopback port nobody listens on now.
func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// waitExit waits for cmd to end and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, out *lockedBuffer, timeout time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v still runs after %v: %s", cmd.Args, timeout, out)
	}
	return -1
}

func (e *agentEnv) starts() []windowEvent {
	var out []windowEvent
	for _, ev := range e.read() {
		if ev.what == "start" {
			out = append(out, ev)
		}
	}
	return out
}

// TestAgentOneInstance (issue 30): one agent per user. A second
// "signet agent", or "signet" with no command, reaches the running one,
// which opens its window, one window however often asked; signet-app
// started while that window is open ends at once (the open one is
// raised); "signet agent --stop" ends the agent.
func TestAgentOneInstance(t *testing.T) {
	e := newAgentEnv(t, "")
	agentCmd, _, _ := e.agent()
	cmd, out := e.signet("agent", "--port", freePort(t))
	if code := waitExit(t, cmd, out, 30*time.Second); code != 0 || !strings.Contains(out.String(), "an agent runs already") {
		t.Fatalf("a second agent: exit %d: %s", code, out)
	}
	win := e.waitEvent("start", "", 30*time.Second)
	if !slices.Contains(children(agentCmd.Process.Pid), win.pid) {
		t.Errorf("the window %d was not started by the running agent", win.pid)
	}
	// The person's window (not a page's question's) stays.
	cmd, out = e.signet()
	if code := waitExit(t, cmd, out, 30*time.Second); code != 0 {
		t.Fatalf("signet with no command: exit %d: %s", code, out)
	}
	direct := exec.Command(os.Args[0])
	direct.Env = append(slices.Clone(e.env), "SIGNET_TEST_ROLE=window")
	directOut, err := direct.CombinedOutput()
	if err != nil || !strings.Contains(string(directOut), "open already") {
		t.Errorf("signet-app beside the open window: %v: %s", err, directOut)
	}
	time.Sleep(time.Second)
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", win.pid)); err != nil {
		t.Fatalf("the window the person opened closed by itself")
	}
	if n := len(e.starts()); n != 2 { // the open window, and the one that ended at once
		t.Errorf("%d window processes started; events %+v", n, e.read())
	}
	if err := testx.CloseWindow(e.display, "Signet", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, ok := gone(win.pid, 30*time.Second); !ok {
		t.Errorf("the window stays after it was closed")
	}
	cmd, out = e.signet("agent", "--stop")
	if code := waitExit(t, cmd, out, 30*time.Second); code != 0 || !strings.Contains(out.String(), "the agent was stopped") {
		t.Fatalf("--stop: exit %d: %s", code, out)
	}
	if _, ok := gone(agentCmd.Process.Pid, 10*time.Second); !ok {
		t.Fatal("the agent runs on after --stop")
	}
	cmd, out = e.signet("agent", "--stop")
	if code := waitExit(t, cmd, out, 30*time.Second); code != 0 || !strings.Contains(out.String(), "no agent is running") {
		t.Errorf("--stop without an agent: exit %d: %s", code, out)
	}
}

// TestAgentStaleSocket: an agent killed outright leaves its socket; the
// next one replaces it (the lock, not the file, says who runs).
func TestAgentStaleSocket(t *testing.T) {
	e := newAgentEnv(t, "")
	first, _, _ := e.agent()
	first.Process.Kill()
	if _, ok := gone(first.Process.Pid, 10*time.Second); !ok {
		t.Fatal("the agent outlived SIGKILL")
	}
	if _, err := os.Stat(e.socket); err != nil {
		t.Fatalf("the killed agent's socket should be left behind for this test: %v", err)
	}
	second, _, _ := e.agent()
	data, err := bridge.Ask(e.socket, bridge.OpPing)
	if err != nil || bridge.PID(data) != second.Process.Pid {
		t.Errorf("ping answered %q (%v); the second agent is %d", data, err, second.Process.Pid)
	}
}

// TestAgentNoTrayHost: with a D-Bus session but no tray host, and with no
// D-Bus at all, the agent says once how to reach it, and runs.
func TestAgentNoTrayHost(t *testing.T) {
	for _, tc := range []struct{ name, bus string }{
		{"no watcher", ""},
		{"no bus", "unix:path=/nonexistent/bus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newAgentEnv(t, tc.bus)
			_, out, url := e.agent()
			const said = "there is no system tray here"
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(out.String(), said) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := strings.Count(out.String(), said); n != 1 {
				t.Errorf("said %d times:\n%s", n, out)
			}
			for _, want := range []string{"signet agent --stop", "opens Signet's window"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the message does not say %q:\n%s", want, out)
				}
			}
			resp, err := http.Get(url + "/v1/info")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("the agent does not serve: %v", err)
			}
			resp.Body.Close()
		})
	}
}

// fakeWatcher is a tray host as far as a StatusNotifierItem sees one:
// org.kde.StatusNotifierWatcher on the session bus, told of each item.
type fakeWatcher struct{ items chan string }

func (w *fakeWatcher) RegisterStatusNotifierItem(sender dbus.Sender, path string) *dbus.Error {
	w.items <- string(sender)
	return nil
}

// TestAgentTray: with a tray host the agent's icon registers, says
// nothing about a missing tray, and its menu's "Open Signet" opens the
// window.
func TestAgentTray(t *testing.T) {
	bus := testx.StartDBus(t)
	conn, err := dbus.Connect(bus)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := &fakeWatcher{items: make(chan string, 4)}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("take the watcher's name: %v %v", reply, err)
	}
	e := newAgentEnv(t, bus)
	_, out, _ := e.agent()
	var item string
	select {
	case item = <-w.items:
	case <-time.After(20 * time.Second):
		t.Fatalf("the agent's icon did not register: %s", out)
	}
	if strings.Contains(out.String(), "no system tray") {
		t.Errorf("a missing tray was said with a tray there:\n%s", out)
	}
	// The menu's items, by label.
	var groups []struct {
		ID    int32
		Props map[string]dbus.Variant
	}
	menu := conn.Object(item, "/StatusNotifierMenu")
	if err := menu.Call("com.canonical.dbusmenu.GetGroupProperties", 0, []int32{1, 2, 3, 4}, []string{"label"}).Store(&groups); err != nil {
		t.Fatal(err)
	}
	show := int32(-1)
	var labels []string
	for _, g := range groups {
		label, _ := g.Props["label"].Value().(string)
		labels = append(labels, label)
		if label == "Open Signet" {
			show = g.ID
		}
	}
	if show < 0 || !slices.Contains(labels, "Stop the agent") {
		t.Fatalf("the tray menu holds %q", labels)
	}
	if err := menu.Call("com.canonical.dbusmenu.Event", 0, show, "clicked", dbus.MakeVariant(""), uint32(0)).Err; err != nil {
		t.Fatal(err)
	}
	e.waitEvent("start", "", 30*time.Second)
}

// TestWindowStartsAgent: the window opened by the person, with the agent
// turned on in the settings and none running, starts signet agent (in a
// session of its own: it outlives the window) and is its window: a
// page's question comes to it, not to a new one, and it stays once
// answered; closed, the agent goes on.
func TestWindowStartsAgent(t *testing.T) {
	e := newAgentEnv(t, "")
	port := freePort(t)
	f, err := os.OpenFile(e.settings, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "agent = true\nagent_port = %s\n", port)
	f.Close()
	win := exec.Command(os.Args[0])
	win.Env = append(slices.Clone(e.env), "SIGNET_TEST_ROLE=window")
	var winOut lockedBuffer
	win.Stdout, win.Stderr = &winOut, &winOut
	if err := win.Start(); err != nil {
		t.Fatal(err)
	}
	winDone := make(chan struct{})
	go func() { win.Wait(); close(winDone) }()
	var agentPID int
	t.Cleanup(func() {
		win.Process.Kill()
		<-winDone
		if agentPID != 0 {
			syscall.Kill(agentPID, syscall.SIGTERM)
			gone(agentPID, 10*time.Second)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if data, err := bridge.Ask(e.socket, bridge.OpPing); err == nil {
			agentPID = bridge.PID(data)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window did not start the agent: %s", winOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if session(agentPID) == session(win.Process.Pid) {
		t.Error("the agent is in the window's session: it would end with it")
	}
	res := get("http://127.0.0.1:"+port, "https://portal.example")
	shown := e.waitEvent("shown", "https://portal.example", 30*time.Second)
	if shown.pid != win.Process.Pid {
		t.Errorf("the question went to window %d, not to the open one %d", shown.pid, win.Process.Pid)
	}
	if code := <-res; code != http.StatusOK {
		t.Fatalf("the page got %d", code)
	}
	time.Sleep(500 * time.Millisecond)
	select {
	case <-winDone:
		t.Fatal("the person's window closed after the page's question")
	default:
	}
	if err := testx.CloseWindow(e.display, "Signet", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-winDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the window stays after it was closed")
	}
	if data, err := bridge.Ask(e.socket, bridge.OpPing); err != nil || bridge.PID(data) != agentPID {
		t.Errorf("the agent ended with the window: %q %v", data, err)
	}
}

// openWindow starts a window as the person would (no agent's token),
// waits until it holds the window socket, and returns its process; it is
// killed when the test ends.
func (e *agentEnv) openWindow(env ...string) *exec.Cmd {
	e.t.Helper()
	w := exec.Command(os.Args[0])
	w.Env = append(append(slices.Clone(e.env), "SIGNET_TEST_ROLE=window"), env...)
	if err := w.Start(); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { w.Wait(); close(done) }()
	e.t.Cleanup(func() { w.Process.Kill(); <-done })
	windowSock := filepath.Join(filepath.Dir(e.socket), "window.sock")
	for deadline := time.Now().Add(30 * time.Second); bridge.HandFiles(windowSock, nil) != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			e.t.Fatal("the window does not hold its socket")
		}
	}
	return w
}

// TestOneWindowWithoutAgent (issue 31, 2): with no agent, a second start
// of the window hands the open one its file and ends at once.
func TestOneWindowWithoutAgent(t *testing.T) {
	e := newAgentEnv(t, "")
	first := e.openWindow()
	doc := filepath.Join(e.dir, "līgums.pdf")
	if err := testpdf.WriteFile(doc, testpdf.Options{Pages: 1}); err != nil {
		t.Fatal(err)
	}
	second := exec.Command(os.Args[0], doc)
	second.Env = append(slices.Clone(e.env), "SIGNET_TEST_ROLE=window")
	out, err := second.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "open already") {
		t.Errorf("the second start: %v: %s", err, out)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", first.Process.Pid)); err != nil {
		t.Error("the first window ended")
	}
}

// TestAgentBesideUnconnectedWindow: a window opened while no agent ran is
// not the agent's; when the agent starts later and a page asks, the
// window the agent starts asks the question (it does not hand itself to
// the open window and end).
func TestAgentBesideUnconnectedWindow(t *testing.T) {
	e := newAgentEnv(t, "")
	first := e.openWindow("SIGNET_TEST_EVENTS=" + filepath.Join(e.dir, "first-events"))
	_, _, url := e.agent()
	res := get(url, "https://late.example")
	shown := e.waitEvent("shown", "https://late.example", 30*time.Second)
	if shown.pid == first.Process.Pid {
		t.Error("the unconnected window asked the agent's question")
	}
	if code := <-res; code != http.StatusOK {
		t.Errorf("the page got %d", code)
	}
}
