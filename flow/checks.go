package flow

import (
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
)

// CheckName is a verification check's name in the person's language
// (pdf.Check.Name stays English: it is machine output).
func CheckName(name string) string {
	switch name {
	case "form":
		return i18n.T("check.form")
	case "CMS":
		return i18n.T("check.cms")
	case "byte range":
		return i18n.T("check.byte_range")
	case "trailing bytes":
		return i18n.T("check.trailing_bytes")
	case "field locks":
		return i18n.T("check.field_locks")
	case "changes after signing":
		return i18n.T("check.changes")
	case "signer certificate":
		return i18n.T("check.signer_certificate")
	case "digest":
		return i18n.T("check.digest")
	case "document digest":
		return i18n.T("check.document_digest")
	case "signature":
		return i18n.T("check.signature")
	case "content type":
		return i18n.T("check.content_type")
	case "signing certificate":
		return i18n.T("check.signing_certificate")
	case "PAdES attributes":
		return i18n.T("check.pades_attributes")
	case "signature timestamp":
		return i18n.T("check.signature_timestamp")
	case "certificate":
		return i18n.T("check.certificate")
	case "level":
		return i18n.T("check.level")
	case "next level":
		return i18n.T("check.next_level")
	case "revocation":
		return i18n.T("check.revocation")
	case "document timestamp":
		return i18n.T("check.document_timestamp")
	// ASiC-E containers and their XAdES signatures
	case "references":
		return i18n.T("check.references")
	case "archive timestamp":
		return i18n.T("check.archive_timestamp")
	case "mimetype":
		return i18n.T("check.mimetype")
	case "manifest":
		return i18n.T("check.manifest")
	case "coverage":
		return i18n.T("check.coverage")
	case "signatures":
		return i18n.T("check.signatures")
	}
	return name
}

// CheckDetail is what a verification check found, in the person's
// language.
func CheckDetail(c pdf.Check) string {
	if c.ID == "" {
		return c.Detail
	}
	return i18n.T(c.ID, c.Data)
}
