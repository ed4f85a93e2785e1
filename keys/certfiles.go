package keys

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
)

// LoadCertificates reads certificates from files (PEM, any number of
// blocks, or one DER certificate) and directories (their *.pem, *.crt,
// *.cer and *.der files).
func LoadCertificates(paths []string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		files := []string{p}
		if info.IsDir() {
			files = nil
			for _, ext := range []string{"*.pem", "*.crt", "*.cer", "*.der"} {
				m, _ := filepath.Glob(filepath.Join(p, ext))
				files = append(files, m...)
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			found := 0
			for rest := data; ; {
				var block *pem.Block
				block, rest = pem.Decode(rest)
				if block == nil {
					break
				}
				if block.Type != "CERTIFICATE" {
					continue
				}
				c, err := x509.ParseCertificate(block.Bytes)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				certs, found = append(certs, c), found+1
			}
			if found == 0 {
				c, err := x509.ParseCertificate(data)
				switch {
				case err == nil:
					certs = append(certs, c)
				case info.IsDir():
					// A directory of trust material also holds CRLs and
					// keys: what is not a certificate is not one of the
					// certificates asked for.
				default:
					return nil, fmt.Errorf("%s: no certificate in PEM or DER", f)
				}
			}
		}
	}
	return certs, nil
}
