package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testcard"
)

// withTokens sets the SoftHSM2 test tokens up in the test process only
// (the signet commands that scripts run re-enter this binary and must
// not), and names the virtual card's pcscd socket (testcard).
type withTokens struct{ m *testing.M }

func (w withTokens) Run() int {
	return testcard.Main(func() int { return softhsmtest.Main(w.m) })
}

func TestMain(m *testing.M) {
	// A test that runs the real app starts this binary as signet.
	if os.Getenv("SIGNET_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"signet"}, strings.Fields(os.Getenv("SIGNET_TEST_ARGS"))...)
		main()
		return
	}
	testscript.Main(withTokens{m}, map[string]func(){"signet": main})
}

// TestScripts runs the command-line scripts in testdata/script against the
// SoftHSM2 test tokens.
func TestScripts(t *testing.T) {
	env := softhsmtest.Require(t)
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			// Each script gets its own copy of the token store: scripts
			// run in parallel, and SoftHSM2 answers CKR_GENERAL_ERROR to
			// a process reading a token file another process is
			// rewriting (a wrong PIN updates the file).
			conf, err := env.CopyStore(e.WorkDir)
			if err != nil {
				return err
			}
			e.Setenv("SOFTHSM2_CONF", conf)
			e.Setenv("MODULE", env.Module)
			e.Setenv("PIN", softhsmtest.PIN)
			// Keep the user's own settings out of the tests.
			e.Setenv("SIGNET_CONFIG", filepath.Join(e.WorkDir, "no-config.toml"))
			// A settings file naming the test module, for scripts that
			// test module configuration.
			settings := fmt.Sprintf("pkcs11_modules = [%q]\n", env.Module)
			if err := os.WriteFile(filepath.Join(e.WorkDir, "softhsm.toml"), []byte(settings), 0o600); err != nil {
				return err
			}
			// The test PKI's root, for verify --trust.
			if _, err := env.PKI.WriteRootPEM(e.WorkDir); err != nil {
				return err
			}
			for _, name := range []string{"simple.pdf", "form.pdf", "xrefstream.pdf"} {
				data, err := os.ReadFile(filepath.Join("testdata", "pdf", name))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(e.WorkDir, name), data, 0o644); err != nil {
					return err
				}
			}
			return os.WriteFile(filepath.Join(e.WorkDir, "pin.txt"), []byte(softhsmtest.PIN+"\n"), 0o600)
		},
	})
}
