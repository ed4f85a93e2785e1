package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// verifyExitError carries verify's exit code: 1 when a signature is not
// valid, 2 when a file could not be read, 3 when nothing failed but not
// everything could be checked.
type verifyExitError struct {
	code int
	err  error
}

func (e *verifyExitError) Error() string { return e.err.Error() }
func (e *verifyExitError) Unwrap() error { return e.err }

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

Each signature is one of three outcomes, as EN 319 102-1 names them (the
JSON's "indication"): valid (TOTAL-PASSED); valid, not fully checked
(INDETERMINATE: nothing failed, but something could not be decided, most
often the certificate's revocation status: --online asks for it); NOT VALID
(TOTAL-FAILED).

Exit codes: 0 every signature valid and fully checked, 1 some signature not
valid (or none), 2 a file could not be read, 3 nothing failed but some
signature could not be fully checked.`,
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
			var results []flow.Verification
			code := 0
			for _, f := range files {
				if flow.IsContainer(f) {
					res, c := a.verifyContainer(cmd.Context(), f, opts)
					code = worseExit(code, c)
					results = append(results, res)
					continue
				}
				rep, err := flow.VerifyPDF(cmd.Context(), f, opts, asker)
				res := flow.Verification{File: f, Report: rep}
				if rep != nil && !rep.ArchiveExpires().IsZero() {
					exp := rep.ArchiveExpires()
					res.ArchiveExpires = &exp
					if w := flow.ArchiveWarning(rep, time.Now(), renewWithin); w != nil {
						res.Warning = w.Error()
						if !asJSON {
							fmt.Fprintln(a.stderr, i18n.T("sign.warning", map[string]any{"Input": shown(f), "Error": shown(i18n.Line(w))}))
						}
					}
				}
				switch {
				case errors.Is(err, pdf.ErrNoSignatures):
					res.Error, res.Err = err.Error(), err
					code = worseExit(code, 1)
				case err != nil:
					res.Error, res.Err = err.Error(), err
					code = worseExit(code, 2)
				default:
					code = worseExit(code, exitOf(res.Outcome()))
				}
				results = append(results, res)
			}
			if asJSON {
				if err := writeJSON(a.stdout, results); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					flow.WriteVerification(a.stdout, r, len(files) > 1, verbose)
				}
			}
			switch code {
			case 1:
				return &verifyExitError{1, i18n.Errorf("cli.verify.invalid", nil)}
			case 2:
				return &verifyExitError{2, i18n.Errorf("cli.verify.unreadable", nil)}
			case 3:
				return &verifyExitError{3, i18n.Errorf("cli.verify.not_fully_checked", nil)}
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

// verifyContainer verifies an ASiC-E container; the exit code is verify's.
func (a *app) verifyContainer(ctx context.Context, path string, opts pdf.VerifyOptions) (flow.Verification, int) {
	res := flow.Verification{File: path}
	rep, err := flow.VerifyContainer(ctx, path, opts)
	if err != nil {
		res.Error, res.Err = err.Error(), err
		return res, 2
	}
	res.Container = rep
	return res, exitOf(res.Outcome())
}

// exitOf is verify's exit code for an outcome.
func exitOf(i pdf.Indication) int {
	switch i {
	case pdf.TotalPassed:
		return 0
	case pdf.Indeterminate:
		return 3
	}
	return 1
}

// worseExit is the exit code saying the worse of two: a file not read
// (2), then a signature not valid (1), then one not fully checked (3).
func worseExit(a, b int) int {
	rank := map[int]int{0: 0, 3: 1, 1: 2, 2: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
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
