package flow

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/pdf"
)

// Verification is one file's verification as the CLI prints it (text or
// JSON) and the app saves it.
type Verification struct {
	File  string `json:"file"`
	Error string `json:"error,omitempty"`
	// Err is the error behind Error, said in the person's language in
	// the text report.
	Err    error       `json:"-"`
	Report *pdf.Report `json:"report,omitempty"`
	// Container is the report of an ASiC-E container (.asice, .edoc).
	Container *ContainerReport `json:"container,omitempty"`
	// Indication is the file's outcome (EN 319 102-1): TOTAL-PASSED,
	// INDETERMINATE (nothing failed, not everything could be checked)
	// or TOTAL-FAILED; empty when the file could not be read.
	Indication pdf.Indication `json:"indication,omitempty"`
	// ArchiveExpires: when the newest document timestamp's certificate
	// expires; Warning says it is time to renew.
	ArchiveExpires *time.Time `json:"archiveExpires,omitempty"`
	Warning        string     `json:"warning,omitempty"`
}

// errorLine is the error in the person's language when it is known,
// else Error as it came.
func (v Verification) errorLine() string {
	if v.Err != nil {
		return i18n.Line(v.Err)
	}
	return v.Error
}

// Outcome fills in Indication from the report.
func (v *Verification) Outcome() pdf.Indication {
	switch {
	case v.Container != nil:
		v.Indication = v.Container.Indication()
	case v.Report != nil:
		v.Indication = v.Report.Indication()
	}
	return v.Indication
}

// Verdict is how an outcome reads: a mark, a word and the importance
// a screen gives it.
func Verdict(i pdf.Indication) (mark, word string) {
	switch i {
	case pdf.TotalPassed:
		return "✓", i18n.T("verify.valid")
	case pdf.Indeterminate:
		return "?", i18n.T("verify.valid_unchecked")
	}
	return "✗", i18n.T("verify.not_valid")
}

// WriteVerification writes v as text in the current language: a line per
// signature, the checks that failed or could not be decided (every check
// when verbose), what to do about what could not be checked. Names,
// subjects and messages come from the files: written escaped (a newline
// in a name must not write a line of Signet's own), each within a line.
func WriteVerification(w io.Writer, v Verification, withName, verbose bool) {
	if withName || v.Error != "" {
		fmt.Fprintln(w, shownLine(v.File))
	}
	if v.Error != "" {
		fmt.Fprintf(w, "  %s\n", i18n.T("verify.cannot", map[string]any{"Error": shownLine(v.errorLine())}))
		return
	}
	if c := v.Container; c != nil {
		writeContainerReport(w, c, verbose)
	} else {
		writeReport(w, v.Report, verbose)
		if v.ArchiveExpires != nil {
			fmt.Fprintf(w, "  %s\n", i18n.T("verify.archive", map[string]any{"Date": i18n.Date(*v.ArchiveExpires)}))
		}
	}
	if v.Outcome() == pdf.Indeterminate {
		fmt.Fprintf(w, "  %s\n", i18n.T("verify.unchecked_hint"))
	}
}

func writeReport(w io.Writer, r *pdf.Report, verbose bool) {
	for _, s := range r.Signatures {
		mark, verdict := Verdict(s.Indication)
		parts := []string{fmt.Sprintf("%s %-9s %s", mark, verdict, shownLine(s.Field)), shownLine(SignatureWho(s))}
		if when := SignedWhen(s); when != "" {
			parts = append(parts, when)
		}
		if s.Level != "" {
			parts = append(parts, i18n.T("verify.level", map[string]any{"Level": s.Level}))
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(parts, " · "))
		writeChecks(w, s.Checks, verbose)
		if verbose {
			if s.Signer != nil {
				fmt.Fprintf(w, "      %s\n", i18n.T("verify.signer_line", map[string]any{"Subject": shownLine(s.Signer.Subject), "Issuer": shownLine(s.Signer.Issuer), "Serial": shownLine(s.Signer.Serial)}))
			}
			fmt.Fprintf(w, "      %s\n", i18n.T("verify.format_line", map[string]any{"SubFilter": shownLine(s.SubFilter), "Digest": s.DigestAlgorithm, "Algorithm": s.SignatureAlgorithm}))
			if s.Reason != "" {
				fmt.Fprintf(w, "      %s\n", i18n.T("report.reason", map[string]any{"Reason": shownLine(s.Reason)}))
			}
			if s.Location != "" {
				fmt.Fprintf(w, "      %s\n", i18n.T("report.location", map[string]any{"Location": shownLine(s.Location)}))
			}
			if s.Certification > 0 {
				fmt.Fprintf(w, "      %s\n", i18n.T("report.certification", map[string]any{"Level": s.Certification}))
			}
		}
	}
	if r.Encryption != "" {
		fmt.Fprintf(w, "  %s\n", i18n.T("verify.encrypted", map[string]any{"Cipher": r.Encryption}))
	}
}

// writeChecks writes what the level rests on and what the next lacks
// always, the checks that failed or could not be decided, and with
// verbose every check.
func writeChecks(w io.Writer, checks []pdf.Check, verbose bool) {
	for _, c := range checks {
		switch {
		case c.Name == "level" || c.Name == "next level":
			fmt.Fprintf(w, "      %-8s %-22s %s\n", "", CheckName(c.Name), CheckDetail(c))
		case verbose || c.Status == pdf.Failed || c.Status == pdf.Unknown:
			fmt.Fprintf(w, "      %-8s %-22s %s\n", StatusName(c.Status), CheckName(c.Name), CheckDetail(c))
		}
	}
}

// writeContainerReport writes a container's verification like a PDF's: a line
// per signature with its checks, then what is wrong with the container
// itself.
func writeContainerReport(w io.Writer, c *ContainerReport, verbose bool) {
	if len(c.Signatures) == 0 {
		fmt.Fprintf(w, "  %s\n", i18n.T("verify.container.unsigned"))
	}
	for _, s := range c.Signatures {
		mark, verdict := Verdict(s.Indication)
		who := s.ID
		if s.Signer != nil {
			who = s.Signer.Subject.CommonName
		}
		fmt.Fprintf(w, "  %s %-9s %s · %s · %s · %s\n", mark, verdict, shownLine(s.File), shownLine(who),
			i18n.T("verify.level_xades", map[string]any{"Level": s.Level}), escape.List(s.Covers, 20))
		writeChecks(w, s.Checks, verbose)
	}
	for _, k := range c.Checks {
		if verbose || k.Status != asice.Passed {
			fmt.Fprintf(w, "  %s: %s: %s\n", i18n.T("verify.container"), CheckName(k.Name), CheckDetail(k))
		}
	}
}

// SaveVerification writes v as text to path, whole or not at all.
func SaveVerification(path string, v Verification) error {
	var b strings.Builder
	fmt.Fprintln(&b, i18n.T("verify.saved_heading", map[string]any{"Name": shownLine(filepath.Base(v.File)), "Time": time.Now()}))
	WriteVerification(&b, v, false, true)
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// SignatureWho names who made a signature in the current language: the
// signer, or for a document timestamp its authority.
func SignatureWho(s pdf.SignatureReport) string {
	if s.Signer == nil && s.TimestampAuthority != nil {
		return i18n.T("report.doc_timestamp_by", map[string]any{"Name": s.TimestampAuthority.Name})
	}
	if s.Signer == nil {
		return i18n.T("report.unknown_signer")
	}
	return s.Signer.Name
}

// SignedWhen says when a signature was made and what proves it, in the
// current language and local time; empty when nothing says.
func SignedWhen(s pdf.SignatureReport) string {
	t, proven, ok := s.When()
	if !ok {
		return ""
	}
	when := map[string]any{"Time": t}
	switch {
	case proven:
		return i18n.T("verify.signed_proven", when)
	case s.SignedBefore != nil:
		// A later document timestamp proves it was signed before then.
		when["Claimed"], when["Time"] = t, *s.SignedBefore
		return i18n.T("verify.signed_before", when)
	}
	return i18n.T("verify.signed_claimed", when)
}

// StatusName is a check's status in the current language.
func StatusName(s pdf.Status) string {
	switch s {
	case pdf.Passed:
		return i18n.T("verify.status.passed")
	case pdf.Failed:
		return i18n.T("verify.status.failed")
	case pdf.Warning:
		return i18n.T("verify.status.warning")
	case pdf.Unknown:
		return i18n.T("verify.status.unknown")
	}
	return string(s)
}

// shownLine is text from a file as written: escaped, within a line.
func shownLine(s string) string { return escape.Cut(escape.Text(s), 1000) }
