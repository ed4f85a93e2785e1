//go:build !linux

package keys

// systemRootFiles: outside Linux the system's roots are not (only) in PEM
// files; SystemRootsFor uses x509.SystemCertPool.
func systemRootFiles() ([][]byte, bool) { return nil, false }
