package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// verifyExitError carries verify's exit code: 1 when a signature is not
// valid, 2 when a file could not be read.
type verifyExitError struct {
	code int
	err  error
}

func (e *verifyExitError) Error() string { return e.err.Error() }
func (e *verifyExitError) Unwrap() error { return e.err }

type verifyFileJSON struct {
	File   string      `json:"file"`
	Error  string      `json:"error,omitempty"`
	Report *pdf.Report `json:"report,omitempty"`
	// Container is the report of an ASiC-E container (.asice, .edoc).
	Container *flow.ContainerReport `json:"container,omitempty"`
	// ArchiveExpires: when the newest document timestamp's certificate
	// expires; Warning says it is time to renew.
	ArchiveExpires *time.Time `json:"archiveExpires,omitempty"`
	Warning        string     `json:"warning,omitempty"`
}

func (a *app) verifyCommand() *cobra.Command {
	var (
		trust           []string
		online, verbose bool
		asJSON          bool
		renewWithin     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "verify [--trust FILE|DIR] [--online] [-v] FILE.pdf|FILE.edoc|DIR...",
		Short: i18n.T("cmd.verify.short"),
		Long: `Verify every signature of signed PDFs, from any tool: whether the signed
bytes are unchanged, who signed and when (claimed and proven by timestamp),
whether the certificate chains to a trusted root and was valid then, what was
changed after each signature, and the PAdES level reached.

Trusted roots are the system's plus those given with --trust (a PEM or DER
file, or a directory of them). Revocation is read from what the file
embeds; --online asks OCSP responders (or fetches CRLs, version 1 or 2) for what is missing.
A signature that carries its signer's certificate without the issuers has its
chain completed from the issuer cache Signet keeps when signing, and with
--online from the certificates' caIssuers URLs.

ASiC-E containers (.asice, .sce, .edoc, .bdoc) are verified too: the
container's structure (mimetype, a manifest listing exactly its files, files
no valid signature covers) and each XAdES signature's references, signature
value, signing-certificate binding, signature timestamp, chain at the proven
time (else now), revocation from its RevocationValues (or online with
--online) and archive timestamps: the XAdES level reached, B-B to B-LTA.

Encrypted PDFs are verified too: --password-file, or the terminal, gives the
password of those the empty password does not open.

For an archive (B-LTA), verify says when the newest document timestamp's
certificate expires, and warns when that is within --renew-within
(default 90 days): time for 'signet extend --renew'.

Exit codes: 0 every signature valid, 1 some signature not valid (or none),
2 a file could not be read.`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			roots, err := loadTrust(trust)
			if err != nil {
				return usageError{err}
			}
			password, asker, err := a.documentPasswords()
			if err != nil {
				return usageError{err}
			}
			// Chains a signature does not carry whole: from the issuer
			// cache, and with --online from caIssuers URLs.
			opts := pdf.VerifyOptions{ExtraRoots: roots, Online: online, Password: password,
				Issuers: &keys.ChainSource{Anchors: roots, CacheDir: keys.IssuerCacheDir(), Offline: !online}}
			files, err = expandDirs(files)
			if err != nil {
				return usageError{err}
			}
			var results []verifyFileJSON
			code := 0
			for _, f := range files {
				if flow.IsContainer(f) {
					res, c := a.verifyContainer(cmd.Context(), f, opts)
					code = max(code, c)
					results = append(results, res)
					continue
				}
				rep, err := flow.VerifyPDF(cmd.Context(), f, opts, asker)
				res := verifyFileJSON{File: f, Report: rep}
				if rep != nil && !rep.ArchiveExpires().IsZero() {
					exp := rep.ArchiveExpires()
					res.ArchiveExpires = &exp
					if w := flow.ArchiveWarning(rep, time.Now(), renewWithin); w != "" {
						res.Warning = w
						if !asJSON {
							fmt.Fprintf(a.stderr, "signet: warning: %s: %s\n", shown(f), shown(w))
						}
					}
				}
				switch {
				case errors.Is(err, pdf.ErrNoSignatures):
					res.Error = err.Error()
					code = max(code, 1)
				case err != nil:
					res.Error = err.Error()
					code = 2
				case !rep.Valid():
					code = max(code, 1)
				}
				results = append(results, res)
			}
			if asJSON {
				if err := writeJSON(a.stdout, results); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					printVerify(a.stdout, r, len(files) > 1, verbose)
				}
			}
			switch code {
			case 1:
				return &verifyExitError{1, errors.New("not every signature is valid")}
			case 2:
				return &verifyExitError{2, errors.New("a file could not be read")}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&trust, "trust", nil, "trust the root certificates in this PEM/DER file or directory (repeatable)")
	cmd.Flags().BoolVar(&online, "online", false, "ask OCSP responders for revocation status the file does not embed, and fetch the issuers of certificates whose chain it does not carry (caIssuers URLs)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show every check")
	cmd.Flags().DurationVar(&renewWithin, "renew-within", 90*24*time.Hour, "warn when an archive's newest timestamp certificate expires within this time")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&a.passwordFile, "password-file", "", passwordFileHelp)
	return cmd
}

// loadTrust reads certificates from files and directories (--trust).
func loadTrust(paths []string) ([]*x509.Certificate, error) {
	certs, err := keys.LoadCertificates(paths)
	if err != nil {
		return nil, fmt.Errorf("--trust: %w", err)
	}
	return certs, nil
}

func printVerify(w io.Writer, r verifyFileJSON, withName, verbose bool) {
	// Names, subjects and messages come from the files: printed escaped
	// (a newline in a name must not print a line of Signet's own), each
	// within a line.
	if withName || r.Error != "" {
		fmt.Fprintln(w, shown(r.File))
	}
	if r.Error != "" {
		fmt.Fprintf(w, "  %s\n", i18n.T("verify.cannot", map[string]any{"Error": shown(r.Error)}))
		return
	}
	if c := r.Container; c != nil {
		printContainer(w, c, verbose)
		return
	}
	for _, s := range r.Report.Signatures {
		mark, verdict := "✓", i18n.T("verify.valid")
		if !s.Valid {
			mark, verdict = "✗", i18n.T("verify.not_valid")
		}
		parts := []string{fmt.Sprintf("%s %-9s %s", mark, verdict, shown(s.Field)), shown(s.Who())}
		if t, proven, ok := s.When(); ok {
			when := map[string]any{"Time": i18n.DateTime(t.UTC())}
			switch {
			case proven:
				parts = append(parts, i18n.T("verify.signed_proven", when))
			case s.SignedBefore != nil:
				// A later document timestamp proves it was signed
				// before then.
				when["Claimed"], when["Time"] = i18n.DateTime(t.UTC()), i18n.DateTime(s.SignedBefore.UTC())
				parts = append(parts, i18n.T("verify.signed_before", when))
			default:
				parts = append(parts, i18n.T("verify.signed_claimed", when))
			}
		}
		if s.Level != "" {
			parts = append(parts, i18n.T("verify.level", map[string]any{"Level": s.Level}))
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(parts, " · "))
		for _, c := range s.Checks {
			switch {
			case c.Name == "level" || c.Name == "next level":
				// What the level rests on and what the next lacks,
				// always said.
				fmt.Fprintf(w, "      %-8s %-22s %s\n", "", flow.CheckName(c.Name), flow.CheckDetail(c))
			case verbose || c.Status == pdf.Failed:
				fmt.Fprintf(w, "      %-8s %-22s %s\n", c.Status, flow.CheckName(c.Name), flow.CheckDetail(c))
			}
		}
		if verbose {
			if s.Signer != nil {
				fmt.Fprintf(w, "      signer   %s, issued by %s, serial %s\n", shown(s.Signer.Subject), shown(s.Signer.Issuer), shown(s.Signer.Serial))
			}
			fmt.Fprintf(w, "      format   %s; %s; %s\n", s.SubFilter, s.DigestAlgorithm, s.SignatureAlgorithm)
			if s.Reason != "" || s.Location != "" {
				fmt.Fprintf(w, "      reason   %s; location %s\n", shown(s.Reason), shown(s.Location))
			}
			if s.Certification > 0 {
				fmt.Fprintf(w, "      certification signature, DocMDP level %d\n", s.Certification)
			}
		}
	}
	if r.Report.Encryption != "" {
		fmt.Fprintf(w, "  %s\n", i18n.T("verify.encrypted", map[string]any{"Cipher": r.Report.Encryption}))
	}
	if r.ArchiveExpires != nil {
		fmt.Fprintf(w, "  %s\n", i18n.T("verify.archive", map[string]any{"Date": i18n.Date(r.ArchiveExpires.UTC())}))
	}
}

// verifyContainer verifies an ASiC-E container; the exit code is verify's.
func (a *app) verifyContainer(ctx context.Context, path string, opts pdf.VerifyOptions) (verifyFileJSON, int) {
	res := verifyFileJSON{File: path}
	rep, err := flow.VerifyContainer(ctx, path, opts)
	if err != nil {
		res.Error = err.Error()
		return res, 2
	}
	res.Container = rep
	if !rep.Valid() {
		return res, 1
	}
	return res, 0
}

// printContainer prints a container's verification like a PDF's: a line
// per signature, the failed checks (every check with -v), then what is
// wrong with the container itself.
func printContainer(w io.Writer, c *flow.ContainerReport, verbose bool) {
	if len(c.Signatures) == 0 {
		fmt.Fprintf(w, "  %s\n", i18n.T("verify.container.unsigned"))
	}
	for _, s := range c.Signatures {
		mark, verdict := "✓", i18n.T("verify.valid")
		if !s.Valid {
			mark, verdict = "✗", i18n.T("verify.not_valid")
		}
		who := s.ID
		if s.Signer != nil {
			who = s.Signer.Subject.CommonName
		}
		fmt.Fprintf(w, "  %s %-9s %s · %s · XAdES %s · %s\n", mark, verdict, shown(s.File), shown(who), s.Level, escape.List(s.Covers, 20))
		for _, k := range s.Checks {
			switch {
			case k.Name == "level" || k.Name == "next level":
				fmt.Fprintf(w, "      %-8s %-22s %s\n", "", flow.CheckName(k.Name), flow.CheckDetail(k))
			case verbose || k.Status == asice.Failed:
				fmt.Fprintf(w, "      %-8s %-22s %s\n", k.Status, flow.CheckName(k.Name), flow.CheckDetail(k))
			}
		}
	}
	for _, k := range c.Checks {
		if verbose || k.Status != asice.Passed {
			fmt.Fprintf(w, "  %s: %s: %s\n", i18n.T("verify.container"), flow.CheckName(k.Name), flow.CheckDetail(k))
		}
	}
}

// shown is text from a file as printed: escaped, within a line.
func shown(s string) string { return escape.Cut(escape.Text(s), 1000) }

// expandDirs replaces each directory among paths by the PDFs and ASiC-E
// containers directly in it, by name.
func expandDirs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			out = append(out, p) // a missing file is reported as unreadable
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := filepath.Join(p, e.Name())
			if !e.IsDir() && (strings.EqualFold(filepath.Ext(name), ".pdf") || flow.IsContainer(name)) {
				out = append(out, name)
			}
		}
	}
	return out, nil
}
