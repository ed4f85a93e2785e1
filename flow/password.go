package flow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
)

// passwordTries is how many passwords a person may type for one
// encrypted document before it fails (a PDF password does not lock, but
// a batch must not wait on a loop).
const passwordTries = 3

// ErrNoPassword reports an encrypted document left alone because no
// password was given for it. It fails that document only: unlike a
// cancelled PIN, it does not stop a batch.
var ErrNoPassword = i18n.Errorf("err.no_password", nil)

// NeedsPassword tells the errors a document password answers: none or
// a wrong one given, or permissions only the owner password lifts.
func NeedsPassword(err error) bool {
	return errors.Is(err, pdf.ErrPasswordRequired) || errors.Is(err, pdf.ErrWrongPassword) || errors.Is(err, pdf.ErrPermission)
}

// unlock finds the password that opens the PDF at path (and, toSign, lets
// a signature be added): password when it does — "" for most documents,
// encrypted or not — else what asker's person types (the owner password
// when the permissions are in the way). Without an asker, the document's
// error is the answer.
func unlock(ctx context.Context, asker prompt.Prompter, path, password string, toSign bool) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	err = pdf.Unlock(f, info.Size(), password, toSign)
	for n := 0; asker != nil && n < passwordTries && NeedsPassword(err); n++ {
		req := prompt.Request{
			Kind:     prompt.DocumentPassword,
			Token:    filepath.Base(path),
			Owner:    errors.Is(err, pdf.ErrPermission),
			TriesLow: errors.Is(err, pdf.ErrWrongPassword),
		}
		secret, perr := asker.Secret(ctx, req)
		if errors.Is(perr, prompt.ErrCancelled) {
			return "", fmt.Errorf("%w: %w", ErrNoPassword, err)
		}
		if perr != nil {
			return "", perr
		}
		password = string(secret)
		clear(secret)
		err = pdf.Unlock(f, info.Size(), password, toSign)
	}
	if err != nil {
		return "", err
	}
	return password, nil
}

// VerifyPDF verifies the PDF at path, encrypted or not: password opens
// it, or asker's person when it does not ("" opens most encrypted PDFs).
func VerifyPDF(ctx context.Context, path string, opts pdf.VerifyOptions, asker prompt.Prompter) (*pdf.Report, error) {
	password, err := unlock(ctx, asker, path, opts.Password, false)
	if err != nil {
		return nil, err
	}
	opts.Password = password
	return pdf.VerifyFile(ctx, path, opts)
}
