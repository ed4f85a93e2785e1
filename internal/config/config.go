// Package config reads Signet's settings file, a TOML file people can edit:
//
//	# PKCS#11 modules to load in addition to the well-known ones.
//	pkcs11_modules = ["/opt/latvia-eid/lib/eidlv-pkcs11.so"]
//
// Secrets never go here: PINs are asked, API credentials live in the OS
// keyring.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// Config is the settings file's content.
type Config struct {
	// PKCS11Modules are module paths loaded before the well-known ones.
	PKCS11Modules []string `toml:"pkcs11_modules"`
}

// Path is where the settings file lives: $SIGNET_CONFIG, or signet/config.toml
// in the user's configuration directory.
func Path() (string, error) {
	if p := os.Getenv("SIGNET_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the configuration directory: %w", err)
	}
	return filepath.Join(dir, "signet", "config.toml"), nil
}

// Load reads the settings file at path. A missing file is an empty
// configuration; a file that does not parse, or has settings Signet does
// not know (a typo would otherwise be ignored silently), is an error.
func Load(path string) (*Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read settings %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, fmt.Errorf("read settings %s: unknown setting %q", path, undecoded[0].String())
	}
	return &c, nil
}
