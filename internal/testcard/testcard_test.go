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
