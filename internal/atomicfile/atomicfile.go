// Package atomicfile writes output files so that a failure leaves no
// half-written file: through a temporary file beside the target, synced
// and renamed over it only when complete (github.com/google/renameio).
package atomicfile

import (
	"io"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// Write creates or replaces path with what write writes. When write fails,
// path is left as it was.
func Write(path string, write func(io.Writer) error) error {
	return WriteChecked(path, write, nil)
}

// WriteChecked is [Write] with a check of what was written, before it
// replaces path: check (when not nil) reads the complete temporary file.
// When the check fails, path is left as it was.
func WriteChecked(path string, write func(io.Writer) error, check func(r io.ReaderAt, size int64) error) error {
	f, err := renameio.NewPendingFile(path,
		renameio.WithTempDir(filepath.Dir(path)), // beside the target: same file system, no surprise in /tmp
		renameio.WithPermissions(0o644))
	if err != nil {
		return err
	}
	defer f.Cleanup() // no-op once replaced
	if err := write(f); err != nil {
		return err
	}
	if check != nil {
		info, err := f.Stat()
		if err != nil {
			return err
		}
		if err := check(f, info.Size()); err != nil {
			return err
		}
	}
	return f.CloseAtomicallyReplace()
}
