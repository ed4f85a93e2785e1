package agent

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestPeerUser: the agent tells its own user's connections from other
// users' (Linux), over IPv4 and IPv6 loopback.
func TestPeerUser(t *testing.T) {
	for _, network := range []string{"127.0.0.1:0", "[::1]:0"} {
		ln, err := net.Listen("tcp", network)
		if err != nil {
			if network == "[::1]:0" {
				continue // no IPv6 loopback here: the agent listens on IPv4 only then
			}
			t.Fatal(err)
		}
		defer ln.Close()
		accepted := make(chan net.Conn, 1)
		go func() { c, _ := ln.Accept(); accepted <- c }()
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		server := <-accepted
		defer server.Close()
		same, known := sameUser(server.RemoteAddr(), server.LocalAddr())
		if !same || !known {
			t.Errorf("%s: own connection: same %v, known %v", network, same, known)
		}
	}
}

// TestOtherUsersRefused: a program of another user of the machine (here
// bash as nobody, speaking HTTP through /dev/tcp) is refused, whatever
// Origin it writes. Switching users needs root, which CI has.
func TestOtherUsersRefused(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test runs as root under CI, to act as another user")
		}
		t.Skip("needs root to act as another user")
	}
	e := newEnv(t, nil)
	host := strings.TrimPrefix(e.srv.URL(), "http://")
	addr, port, _ := strings.Cut(host, ":")
	script := fmt.Sprintf(`exec 3<>/dev/tcp/%s/%s && printf 'GET /v1/certificates HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nConnection: close\r\n\r\n' >&3 && cat <&3`, addr, port, host, page)
	cmd := exec.Command("bash", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash as nobody: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "403 Forbidden") || !strings.Contains(string(out), CodeOtherUser) {
		t.Errorf("another user's request answered:\n%s", out)
	}
	// The same request from this user is served.
	if code := e.get(t.Context(), "/v1/certificates", page); code != 200 {
		t.Errorf("this user's request: %d", code)
	}
}
