package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signet", "config.toml")
	want := &Config{PKCS11Modules: []string{"/opt/x.so"}, TSAURL: "http://tsa.example", TrustAnchors: []string{"/etc/root.pem"},
		OutputSuffix: "-parakstīts", EParakstsProfile: "prep", RemoteSigningAgreement: "ag-1"}
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode())
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, text, want string }{
		{"fail unknown setting", "tsa = 'x'\n", `unknown setting "tsa"`},
		{"fail not TOML", "pkcs11_modules = [\n", "read settings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".toml")
			if err := os.WriteFile(p, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(p); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("ok missing file is empty", func(t *testing.T) {
		c, err := Load(filepath.Join(dir, "none.toml"))
		if err != nil || !reflect.DeepEqual(c, &Config{}) {
			t.Errorf("%+v %v", c, err)
		}
	})
}
