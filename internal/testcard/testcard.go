// Package testcard puts a virtual eID card behind the real smart-card
// stack, for tests: pcscd with vsmartcard's vpcd reader driver, a CAC card
// emulated by libcacard (QEMU's emulated smart card) from an NSS database,
// and OpenSC's PKCS#11 module reading it as it reads any card. Nothing but
// Debian packages: pcscd, vsmartcard-vpcd, libcacard0, opensc,
// opensc-pkcs11, libnss3-tools (certutil, pk12util).
//
// The card holds one RSA-2048 signing key and its certificate only, as
// many national eID cards do: the issuing CA is not on the card, and the
// certificate names it by a caIssuers URL that [Stack.Issuers] serves.
//
// pcscd runs in a mount and network namespace of its own (unshare) with a
// private directory over /run, so nothing of the machine's changes and
// test packages can each run one; clients find it by PCSCLITE_CSOCK_NAME,
// which [Main] sets for the whole test process before anything loads
// pcsc-lite (its client library reads the name once). The card is a
// process of its own, the test binary started again (see init in
// card.go): killing it is pulling the card out.
//
// A test binary calls [Main] from TestMain; each test takes the stack
// with [Require], which starts it the first time. Where a part is
// missing, tests skip on a developer's machine and fail under CI=true.
package testcard

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/pkcs11"
)

// PIN is the card's PIN (the NSS database's password).
const PIN = "246810"

// What OpenSC shows of the card: its CAC driver labels the token with
// the certificate holder's name, the key after the certificate's place on
// the card.
const (
	SignerName = "Anna Bērziņa"
	TokenLabel = SignerName
	KeyLabel   = "CAC ID Certificate"
)

// KeyURI names the card's signing key as 'signet certs' lists it.
var KeyURI = pkcs11.NewURI().Set("token", TokenLabel).Set("object", KeyLabel).String()

// Module is OpenSC's PKCS#11 module as Debian installs it.
const Module = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"

const (
	vpcdDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
	vpcdPort   = 35963 // vpcd's default; alone in its namespace
	nickname   = "signer"
)

// Stack is pcscd with a vpcd reader and the card in it.
type Stack struct {
	Dir string
	// Socket is pcscd's socket, as PCSCLITE_CSOCK_NAME names it to
	// clients (child processes inherit it from [Main]).
	Socket string
	PKI    *testpki.PKI
	// Signer is the card's key and certificate.
	Signer testpki.Entity
	// Issuers serves the intermediate CA at the signer's caIssuers URL.
	Issuers *IssuerServer

	mu      sync.Mutex
	pcscd   *exec.Cmd
	card    *exec.Cmd
	removed time.Time // when the card was last pulled out
}

// absentFor is how long a card must be out of the reader for pcscd to see
// it gone: vpcd is asked for presence every 400 ms (pcsc-lite's
// PCSCLITE_STATUS_POLL_RATE), and a card put back before that was never
// seen out, so it is not powered on again.
const absentFor = time.Second

// IssuerServer serves the test PKI's intermediate certificate (DER) at
// URL; Down makes it answer 503, as a CA's server that is unreachable.
type IssuerServer struct {
	URL     string
	Down    atomic.Bool
	Fetches atomic.Int64
	srv     *httptest.Server
}

var (
	startOnce sync.Once
	shared    *Stack
	sharedErr error
	sockDir   string
)

// Main names pcscd's socket for the whole process, runs the tests (run:
// m.Run, or another set-up's Main around it) and stops the stack if a
// test started it. Call it from TestMain.
func Main(run func() int) int {
	dir, err := os.MkdirTemp("", "signet-card-")
	if err != nil {
		sharedErr = err
		return run()
	}
	defer os.RemoveAll(dir)
	sockDir = dir
	// Before anything in the process loads pcsc-lite's client library.
	os.Setenv("PCSCLITE_CSOCK_NAME", socketPath(dir))
	code := run()
	if shared != nil {
		shared.Close()
	}
	return code
}

func socketPath(dir string) string { return filepath.Join(dir, "run", "pcscd", "pcscd.comm") }

// Require returns the running stack, starting it the first time (a few
// seconds). When it cannot be started the test fails under CI=true and is
// skipped elsewhere, with the reason.
func Require(tb testing.TB) *Stack {
	tb.Helper()
	startOnce.Do(func() {
		if sockDir == "" {
			sharedErr = errors.New("testcard.Main was not called from TestMain")
			return
		}
		shared, sharedErr = start(sockDir)
	})
	if sharedErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("virtual card: %v", sharedErr)
		}
		tb.Skipf("virtual card unavailable (this fails under CI=true): %v", sharedErr)
	}
	return shared
}

// Missing names the programs and files the stack needs that are not
// installed.
func Missing() []string {
	var missing []string
	for _, p := range []string{"pcscd", "unshare", "nsenter", "certutil", "pk12util"} {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
		}
	}
	for _, f := range []string{vpcdDriver, Module, "/usr/lib/x86_64-linux-gnu/libcacard.so.0"} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	return missing
}

func start(dir string) (*Stack, error) {
	if m := Missing(); len(m) > 0 {
		return nil, fmt.Errorf("missing %s (scripts/deps.sh test installs them)", strings.Join(m, ", "))
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("pcscd's private namespace needs root (CI runs as root)")
	}
	s := &Stack{Dir: dir, Socket: socketPath(dir)}
	var err error
	if s.PKI, err = testpki.New(); err != nil {
		return nil, err
	}
	s.Issuers = newIssuerServer(s.PKI.Intermediate.Cert)
	key, err := rsa.GenerateKey(rand.Reader, 2048) // OpenSC's CAC driver signs RSA only
	if err != nil {
		return nil, err
	}
	cert, err := s.PKI.Issue(key.Public(), testpki.Signing, SignerName, testpki.IssueOptions{IssuerURL: s.Issuers.URL})
	if err != nil {
		return nil, err
	}
	s.Signer = testpki.Entity{Cert: cert, Key: key}
	if err := s.writeNSS(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startPCSCD(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.Insert(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func newIssuerServer(ca *x509.Certificate) *IssuerServer {
	is := &IssuerServer{}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.Fetches.Add(1)
		if is.Down.Load() || r.URL.Path != "/ca/intermediate.cer" {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(ca.Raw)
	}))
	is.URL = is.srv.URL + "/ca/intermediate.cer"
	return is
}

// writeNSS makes the card's NSS database: the signer's key and
// certificate, the database's password being the PIN.
func (s *Stack) writeNSS() error {
	db := filepath.Join(s.Dir, "nss")
	if err := os.MkdirAll(db, 0o700); err != nil {
		return err
	}
	pw := filepath.Join(s.Dir, "pin.txt")
	if err := os.WriteFile(pw, []byte(PIN+"\n"), 0o600); err != nil {
		return err
	}
	const p12pass = "import"
	p12, err := s.PKI.PKCS12(s.Signer, p12pass)
	if err != nil {
		return err
	}
	p12file := filepath.Join(s.Dir, "signer.p12")
	if err := os.WriteFile(p12file, p12, 0o600); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"certutil", "-N", "-d", "sql:" + db, "-f", pw},
		{"pk12util", "-i", p12file, "-d", "sql:" + db, "-k", pw, "-W", p12pass},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	// pk12util names the certificate itself; the card's options name
	// certificates by nickname, so give the one with the key (trust
	// "u,u,u") a plain one.
	out, err := exec.Command("certutil", "-L", "-d", "sql:"+db).CombinedOutput()
	if err != nil {
		return fmt.Errorf("certutil -L: %v: %s", err, out)
	}
	var old string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[len(f)-1] == "u,u,u" {
			old = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "u,u,u"))
		}
	}
	if old == "" {
		return fmt.Errorf("the NSS database holds no certificate with a key:\n%s", out)
	}
	if out, err := exec.Command("certutil", "--rename", "-n", old, "--new-n", nickname, "-d", "sql:"+db, "-f", pw).CombinedOutput(); err != nil {
		return fmt.Errorf("certutil --rename: %v: %s", err, out)
	}
	return os.Remove(p12file)
}

// startPCSCD starts pcscd with the vpcd reader in namespaces of its own.
func (s *Stack) startPCSCD() error {
	run := filepath.Join(s.Dir, "run")
	if err := os.MkdirAll(filepath.Join(run, "pcscd"), 0o755); err != nil {
		return err
	}
	conf := filepath.Join(s.Dir, "reader.conf")
	readerConf := fmt.Sprintf("FRIENDLYNAME \"Signet Virtual Reader\"\nDEVICENAME /dev/null:%d\nLIBPATH %s\nCHANNELID %d\n", vpcdPort, vpcdDriver, vpcdPort)
	if err := os.WriteFile(conf, []byte(readerConf), 0o644); err != nil {
		return err
	}
	// --fork: pcscd is unshare's child; unshare itself is in the new
	// namespaces, where nsenter takes the card.
	cmd := exec.Command("unshare", "--mount", "--net", "--fork", "--kill-child", "--",
		"sh", "-c", `mount --no-mtab --bind "$1" /run && exec pcscd --foreground --config "$2"`, "sh", run, conf)
	cmd.Stdout, cmd.Stderr = logFile(s.Dir, "pcscd.log")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.pcscd = cmd
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(s.Socket); err == nil {
			return nil
		}
	}
	return fmt.Errorf("pcscd did not start in 10 s: %s", s.Log("pcscd.log"))
}

func logFile(dir, name string) (*os.File, *os.File) {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil
	}
	return f, f
}

// Log returns a log file of the stack (pcscd.log, card.log), for a
// failing test's message.
func (s *Stack) Log(name string) string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, name))
	return string(b)
}

// Insert puts the card in the reader (starts the card process) and waits
// until pcscd has powered it on, as it does a card it has seen inserted.
func (s *Stack) Insert() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.card != nil {
		return nil
	}
	time.Sleep(time.Until(s.removed.Add(absentFor)))
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command("nsenter", fmt.Sprintf("--net=/proc/%d/ns/net", s.pcscd.Process.Pid), "--", self)
	cmd.Env = append(os.Environ(), envCard+"=1", envCardDB+"="+filepath.Join(s.Dir, "nss"),
		envCardCerts+"="+nickname, fmt.Sprintf("%s=127.0.0.1:%d", envCardAddr, vpcdPort))
	// The log of this insertion only.
	log, err := os.Create(filepath.Join(s.Dir, "card.log"))
	if err != nil {
		return err
	}
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if sc.Text() == "card powered" && !ok {
				ok = true
				ready <- true
			}
			fmt.Fprintln(log, sc.Text()) // libcacard's debugging (G_MESSAGES_DEBUG=all)
		}
		if !ok {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			return fmt.Errorf("the card did not start: %s", s.Log("card.log"))
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return fmt.Errorf("the card did not start in 15 s: %s", s.Log("card.log"))
	}
	s.card = cmd
	return nil
}

// Remove pulls the card out: its process is killed, as a card taken from
// the reader stops answering at once.
func (s *Stack) Remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.card == nil {
		return
	}
	s.card.Process.Kill()
	s.card.Wait()
	s.card = nil
	s.removed = time.Now()
}

// StopService stops pcscd (the card goes with it), as a person's machine
// where the smart card service is not running; [Stack.StartService]
// starts both again.
func (s *Stack) StopService() {
	s.Remove()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pcscd != nil {
		syscall.Kill(-s.pcscd.Process.Pid, syscall.SIGKILL)
		s.pcscd.Wait()
		s.pcscd = nil
	}
	os.Remove(s.Socket) // left behind by a killed pcscd
}

// StartService starts pcscd again and inserts the card.
func (s *Stack) StartService() error {
	s.mu.Lock()
	err := s.startPCSCD()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.Insert()
}

// Close removes the card and stops pcscd and the issuer server.
func (s *Stack) Close() {
	s.StopService()
	if s.Issuers != nil {
		s.Issuers.srv.Close()
	}
}
