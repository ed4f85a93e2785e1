package keys

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The files and directories crypto/x509 reads the system's roots from on
// Linux (root_linux.go, root_unix.go of Go 1.26), with the same
// SSL_CERT_FILE and SSL_CERT_DIR overrides, so that SystemRootsFor trusts
// exactly what x509.SystemCertPool would.
var (
	rootFiles = []string{
		"/etc/ssl/certs/ca-certificates.crt",                // Debian/Ubuntu/Gentoo etc.
		"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora/RHEL 6
		"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
		"/etc/pki/tls/cacert.pem",                           // OpenELEC
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS/RHEL 7
		"/etc/ssl/cert.pem",                                 // Alpine Linux
	}
	rootDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}
)

// systemRootFiles reads the first bundle that exists and every file of
// the directories, skipping links to files of the same directory (the
// hashed names OpenSSL adds), as crypto/x509 does.
func systemRootFiles() ([][]byte, bool) {
	files := rootFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	var out [][]byte
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			out = append(out, data)
			break
		}
	}
	dirs := rootDirs
	if d := os.Getenv("SSL_CERT_DIR"); d != "" {
		dirs = strings.Split(d, ":")
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.Type()&fs.ModeSymlink != 0 {
				if target, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && !strings.Contains(target, "/") {
					continue
				}
			}
			if data, err := os.ReadFile(dir + "/" + e.Name()); err == nil {
				out = append(out, data)
			}
		}
	}
	return out, true
}
