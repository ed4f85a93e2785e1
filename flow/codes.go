package flow

import (
	"context"
	"errors"
	"io/fs"

	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// ErrorCode is a stable, machine-readable name for why a document was not
// signed (batch reports: `signet sign --report jsonl`); "" for nil. The
// message that goes with it is err.Error(), for people.
func ErrorCode(err error) string {
	var pinErr *pkcs11.PINError
	var pathErr *fs.PathError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrStopped):
		return "not_started"
	case PartlySigned(err):
		return "partly_signed"
	case errors.As(err, &pinErr):
		return "wrong_pin"
	case errors.Is(err, pkcs11.ErrPINLocked):
		return "pin_locked"
	case errors.Is(err, pkcs11.ErrTokenRemoved), errors.Is(err, pkcs11.ErrKeyGone), errors.Is(err, pkcs11.ErrDevice):
		return "token_removed"
	case errors.Is(err, prompt.ErrCancelled), errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, keys.ErrWrongPassword):
		return "wrong_key_password"
	case errors.Is(err, ErrOutputExists):
		return "output_exists"
	case errors.Is(err, ErrNoPassword), errors.Is(err, pdf.ErrPasswordRequired):
		return "password_required"
	case errors.Is(err, pdf.ErrWrongPassword):
		return "wrong_password"
	case errors.Is(err, pdf.ErrPermission):
		return "permission_denied"
	case errors.Is(err, pdf.ErrEncrypted):
		return "unsupported_encryption"
	case errors.Is(err, pdf.ErrNotPDF):
		return "not_pdf"
	case errors.Is(err, pdf.ErrBrokenPDF):
		return "damaged_pdf"
	case errors.Is(err, pdf.ErrTooComplex):
		return "too_complex"
	case errors.Is(err, pdf.ErrLocked), errors.Is(err, pdf.ErrCertifyTooLate), errors.Is(err, pdf.ErrFieldExists):
		return "document_refuses"
	case errors.Is(err, pdf.ErrAppearance):
		return "appearance"
	case errors.Is(err, pdf.ErrTSA):
		return "timestamp"
	case errors.Is(err, pdf.ErrValidationData):
		return "validation_data"
	case errors.As(err, &pathErr):
		return "file"
	}
	return "failed"
}
