package pdf

import (
	"fmt"
	"log/slog"
	"runtime/debug"
)

// InternalError is a panic met while reading or writing a document: a bug
// in Signet, never the document's fault alone. It is returned as an error
// so that one bad file cannot bring down the app or the agent, and logged
// with its stack so that the bug is seen, not hidden.
type InternalError struct {
	File  string // the document, when known
	Value any    // what panicked
	Stack []byte
}

func (e *InternalError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s: internal error while reading the PDF (a bug in Signet; please report it): %v", e.File, e.Value)
	}
	return fmt.Sprintf("internal error while reading the PDF (a bug in Signet; please report it): %v", e.Value)
}

// RecoverBug, deferred by a function that returns its error in *err, turns
// a panic in that function into an [InternalError] naming file, and logs
// it as a bug. Every entry point of this package that reads a document
// defers it; front ends defer it around their own work on one file.
func RecoverBug(file string, err *error) {
	v := recover()
	if v == nil {
		return
	}
	ie := &InternalError{File: file, Value: v, Stack: debug.Stack()}
	slog.Error("bug: panic while handling a PDF", "file", file, "panic", fmt.Sprint(v), "stack", string(ie.Stack))
	*err = ie
}
