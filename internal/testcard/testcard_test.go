package testcard_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/testcard"
)

func TestMain(m *testing.M) { os.Exit(testcard.Main(m.Run)) }

// TestCardSeen: OpenSC's own pkcs11-tool, through pcscd and vpcd, sees the
// card the emulator makes and signs with its key after the PIN.
func TestCardSeen(t *testing.T) {
	s := testcard.Require(t)
	out, err := exec.Command("pkcs11-tool", "--module", testcard.Module, "--list-objects").CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs11-tool: %v\n%s\npcscd: %s\ncard: %s", err, out, s.Log("pcscd.log"), s.Log("card.log"))
	}
	if !strings.Contains(string(out), "Certificate Object") || !strings.Contains(string(out), testcard.KeyLabel) {
		t.Fatalf("no certificate %q on the card:\n%s", testcard.KeyLabel, out)
	}
	data := filepath.Join(t.TempDir(), "data")
	os.WriteFile(data, []byte("hello"), 0o600)
	start := time.Now()
	out, err = exec.Command("pkcs11-tool", "--module", testcard.Module, "--login", "--pin", testcard.PIN,
		"--sign", "-m", "SHA256-RSA-PKCS", "--label", testcard.KeyLabel, "-i", data, "-o", data+".sig").CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs11-tool --sign: %v\n%s", err, out)
	}
	t.Logf("login and signature: %v", time.Since(start))
	sig, _ := os.ReadFile(data + ".sig")
	if len(sig) != 256 {
		t.Errorf("signature of %d bytes, want 256", len(sig))
	}
}

// TestHold keeps the stack up for a person to try things by hand
// (HOLD=1); its socket is written to /tmp/signet-card-socket.
func TestHold(t *testing.T) {
	if os.Getenv("HOLD") == "" {
		t.Skip("HOLD=1 keeps a card up for trying things by hand")
	}
	s := testcard.Require(t)
	os.WriteFile("/tmp/signet-card-socket", []byte(s.Socket), 0o644)
	s.PKI.WriteRootPEM("/tmp")
	time.Sleep(30 * time.Minute)
}

// TestReinsert: the card comes out and goes back in, again and again, as
// tests that pull it out do; pcscd powers it on each time.
func TestReinsert(t *testing.T) {
	s := testcard.Require(t)
	for i := range 5 {
		s.Remove()
		start := time.Now()
		if err := s.Insert(); err != nil {
			t.Fatalf("insertion %d: %v", i+1, err)
		}
		t.Logf("insertion %d: powered after %v", i+1, time.Since(start).Round(time.Millisecond))
	}
}
