package cli

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

type signResultJSON struct {
	Input  string `json:"input"`
	Output string `json:"output,omitempty"`
	// Level is the PAdES level written when it is lower than asked.
	Level   string `json:"level,omitempty"`
	Warning string `json:"warning,omitempty"`
	Error   string `json:"error,omitempty"`
}

func (a *app) signCommand() *cobra.Command {
	var (
		keyRef, alg, out, outDir, tsa string
		level                         string
		trust                         []string
		visible, page, imagePath      string
		textLines                     []string
		imageRight, reusePIN          bool
		pss, adobe, force, asJSON     bool
		certify                       int
		pdfOpts                       pdf.Options
	)
	cmd := &cobra.Command{
		Use:   "sign --key URI|FILE [options] IN.pdf... [-o OUT.pdf | --out-dir DIR]",
		Short: "Sign PDF documents (PAdES), one or many",
		Long: `Sign PDF documents with a PAdES signature (B-B, or B-T with --tsa), added as
an incremental update: every byte of the original stays as it was.

One document: the signed copy goes to -o, or to NAME-signed.pdf beside it.
Many documents: to --out-dir, or beside each as NAME-signed.pdf. Existing
files are not overwritten without --force. A token asks its PIN once per
batch; a key that wants a PIN per signature (eID cards) asks it per
document. A document that fails does not stop the others; a wrong PIN
stops the batch.

With --level B-LT or B-LTA, a document is first signed at B-T; when its
validation data (or the document timestamp) cannot be had, the B-T file is
kept, and the command says so.

Encrypted PDFs (RC4 or AES, the standard password security) are signed
and stay encrypted. Most open with the empty password; for others give
--password-file (one password for the batch) or type it when asked. A
document whose permissions forbid filling in forms and annotating (which a
signature field needs) is signed only with its owner password.

Exit codes: 0 every document signed as asked; 1 some document not signed;
2 wrong usage; 3 every document signed and written, some at a lower level
than asked (B-T instead of B-LT or B-LTA).`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, inputs []string) error {
			if keyRef == "" {
				return usageError{errors.New("--key is required")}
			}
			if out != "" && outDir != "" {
				return usageError{errors.New("use -o or --out-dir, not both")}
			}
			h, err := parseAlg(alg)
			if err != nil {
				return usageError{err}
			}
			if certify < 0 || certify > 3 {
				return usageError{errors.New("--certify takes 1 (no changes), 2 (form filling) or 3 (annotations)")}
			}
			if outDir != "" {
				if info, err := os.Stat(outDir); err != nil || !info.IsDir() {
					return usageError{fmt.Errorf("--out-dir %s is not a directory", outDir)}
				}
			}
			pdfOpts.Hash, pdfOpts.PSS, pdfOpts.Certify = h, pss, pdf.Permissions(certify)
			if adobe {
				pdfOpts.SubFilter = pdf.Adobe
			}
			if tsa != "" {
				pdfOpts.Timestamper = &pdf.TSAClient{URL: tsa}
			}
			lvl, err := parseLevel(level, tsa)
			if err != nil {
				return err
			}
			var ltv pdf.LTVOptions
			if len(trust) > 0 {
				roots, err := loadTrust(trust)
				if err != nil {
					return usageError{err}
				}
				ltv.Roots = keys.SystemPoolWith(roots)
			}
			if visible != "" {
				a, err := appearance(visible, page, textLines, imagePath, imageRight)
				if err != nil {
					return usageError{err}
				}
				pdfOpts.Appearance = a
			} else if page != "" || len(textLines) > 0 || imagePath != "" {
				return usageError{errors.New("--page, --text and --image describe a visible signature: add --visible X1,Y1,X2,Y2")}
			}
			jobs, err := outputJobs(inputs, out, outDir)
			if err != nil {
				return err
			}

			mods, err := a.loadModules()
			if err != nil {
				return err
			}
			defer mods.Close()
			prompter := a.prompter()
			if reusePIN {
				var forget func()
				prompter, forget = flow.ReuseSignaturePIN(prompter)
				defer forget()
			}
			// Documents are signed with signing keys only: an eID
			// card's authentication key makes no signature in law.
			signer, err := flow.OpenDocumentSigner(cmd.Context(), mods, keyRef, prompter)
			if err != nil {
				return err
			}
			defer signer.Close()
			if _, isRSA := signer.Public().(*rsa.PublicKey); pss && !isRSA {
				return usageError{errors.New("--pss applies to RSA keys only")}
			}

			password, asker, err := a.documentPasswords()
			if err != nil {
				return usageError{err}
			}
			pdfOpts.Password = password
			results := flow.SignPDFs(cmd.Context(), signer, jobs, flow.BatchOptions{
				Passwords: asker,
				PDF:       pdfOpts,
				Overwrite: force,
				Progress:  a.progress(len(jobs)),
				Level:     lvl,
				LTV:       ltv,
			})
			return a.reportSigned(results, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&keyRef, "key", "", "key: a pkcs11: URI from 'signet certs', or a .p12/.pfx file")
	f.StringVarP(&out, "output", "o", "", "signed file (one document)")
	f.StringVar(&outDir, "out-dir", "", "directory for the signed files")
	f.BoolVar(&force, "force", false, "overwrite existing output files")
	f.StringVar(&alg, "alg", "sha256", "digest algorithm: sha256, sha384 or sha512")
	f.BoolVar(&pss, "pss", false, "sign RSA-PSS instead of PKCS#1 v1.5 (RSA keys)")
	f.StringVar(&tsa, "tsa", "", "RFC 3161 timestamp authority URL: adds a signature timestamp (PAdES B-T)")
	f.StringVar(&level, "level", "", "PAdES level: B-B, B-T (with --tsa), B-LT (+ validation data), B-LTA (+ document timestamp)")
	f.StringArrayVar(&trust, "trust", nil, "for B-LT/B-LTA: also trust these root certificates (PEM/DER file or directory)")
	f.BoolVar(&adobe, "adobe", false, "write adbe.pkcs7.detached instead of ETSI.CAdES.detached, for old readers")
	f.IntVar(&certify, "certify", 0, "certification signature allowing 1 no changes, 2 form filling, 3 annotations")
	f.StringVar(&pdfOpts.Reason, "reason", "", "reason for signing")
	f.StringVar(&pdfOpts.Location, "location", "", "place of signing")
	f.StringVar(&pdfOpts.ContactInfo, "contact", "", "signer's contact information")
	f.StringVar(&pdfOpts.Name, "name", "", "signer's name (default: from the certificate)")
	f.StringVar(&pdfOpts.FieldName, "field", "", "signature field name (default: SignatureN)")
	f.StringVar(&visible, "visible", "", "make the signature visible in this rectangle, in points from the page's lower-left corner: X1,Y1,X2,Y2")
	f.StringVar(&page, "page", "", "page of a visible signature: a number, first or last (default first)")
	f.StringArrayVar(&textLines, "text", nil, "a line of text of a visible signature (repeatable; default: signer, date, reason, location)")
	f.StringVar(&imagePath, "image", "", "PNG or JPEG image of a visible signature")
	f.BoolVar(&imageRight, "image-right", false, "put the image right of the text (default left)")
	f.BoolVar(&reusePIN, "reuse-pin", false, "for keys that ask a PIN before every signature (eID cards): ask it once and keep it in memory until this batch ends")
	f.BoolVar(&asJSON, "json", false, "print the results as JSON")
	f.StringVar(&a.pinFile, "pin-file", "", "read the PIN (or key file password) from this file (unattended use only)")
	f.StringVar(&a.passwordFile, "password-file", "", passwordFileHelp)
	return cmd
}

// outputJobs names each input's output: -o for one document, else
// NAME-signed.pdf beside it or NAME.pdf in --out-dir.
// parseLevel reads --level: by default B-T with a --tsa, else B-B; every
// level above B-B needs the TSA.
func parseLevel(level, tsa string) (pdf.Level, error) {
	lvl := pdf.Level(strings.ToUpper(level))
	switch {
	case lvl == "" && tsa != "":
		lvl = pdf.LevelBT
	case lvl == "":
		lvl = pdf.LevelBB
	case lvl != pdf.LevelBB && lvl != pdf.LevelBT && lvl != pdf.LevelBLT && lvl != pdf.LevelBLTA:
		return "", usageError{fmt.Errorf("--level %q: use B-B, B-T, B-LT or B-LTA", level)}
	}
	if lvl != pdf.LevelBB && tsa == "" {
		return "", usageError{fmt.Errorf("--level %s needs a timestamp authority: add --tsa URL", lvl)}
	}
	return lvl, nil
}

func outputJobs(inputs []string, out, dir string) ([]flow.Job, error) {
	if out != "" && len(inputs) > 1 {
		return nil, usageError{errors.New("-o names one output; use --out-dir for several documents")}
	}
	if dir != "" {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return nil, usageError{fmt.Errorf("--out-dir %s is not a directory", dir)}
		}
	}
	var jobs []flow.Job
	for _, in := range inputs {
		target := out
		if target == "" {
			target = flow.OutputPath(in, dir)
		}
		jobs = append(jobs, flow.Job{Input: in, Output: target})
	}
	return jobs, nil
}

// progress shows a bar on a terminal, and nothing otherwise (the summary
// follows).
func (a *app) progress(total int) func(done, total int, current string) {
	if total < 2 {
		return nil
	}
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("signing"),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish())
	return func(done, _ int, current string) {
		bar.Describe("signing " + filepath.Base(current))
		_ = bar.Set(done)
	}
}

func (a *app) reportSigned(results []flow.Result, asJSON bool) error {
	failed, partly := 0, 0
	var out []signResultJSON
	for _, r := range results {
		entry := signResultJSON{Input: r.Input}
		var pe *flow.PartlySignedError
		switch {
		case errors.As(r.Err, &pe):
			partly++
			entry.Output, entry.Level, entry.Warning = r.Output, string(pe.Reached), r.Err.Error()
		case r.Err != nil:
			failed++
			entry.Error = r.Err.Error()
		default:
			entry.Output = r.Output
		}
		out = append(out, entry)
	}
	if asJSON {
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			var pe *flow.PartlySignedError
			switch {
			case r.Err == nil:
				fmt.Fprintf(a.stdout, "signed  %s → %s\n", r.Input, r.Output)
			case errors.As(r.Err, &pe):
				fmt.Fprintf(a.stdout, "signed  %s → %s (%s, not %s)\n", r.Input, r.Output, pe.Reached, pe.Wanted)
			}
		}
		for _, r := range results {
			switch {
			case flow.PartlySigned(r.Err):
				fmt.Fprintf(a.stderr, "signet: warning: %s: %v\n", r.Input, r.Err)
			case r.Err != nil:
				fmt.Fprintf(a.stderr, "signet: failed: %s: %v\n", r.Input, r.Err)
			}
		}
	}
	if failed == 0 {
		if partly > 0 {
			return partialError{fmt.Errorf("%d of %d documents signed at a lower level than asked", partly, len(results))}
		}
		return nil
	}
	// The first failure's hint is the useful one (a PIN error stops the
	// batch and explains the rest).
	for _, r := range results {
		if r.Err != nil && !errors.Is(r.Err, flow.ErrStopped) && !flow.PartlySigned(r.Err) {
			return fmt.Errorf("%d of %d documents not signed: %w", failed, len(results), r.Err)
		}
	}
	return fmt.Errorf("%d of %d documents not signed", failed, len(results))
}

// appearance reads the visible-signature flags.
func appearance(rect, page string, lines []string, imagePath string, imageRight bool) (*pdf.Appearance, error) {
	a := &pdf.Appearance{Lines: lines, ImageRight: imageRight}
	parts := strings.Split(rect, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("--visible %q: want X1,Y1,X2,Y2 in points", rect)
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("--visible %q: %q is not a number", rect, p)
		}
		a.Rect[i] = v
	}
	switch page {
	case "", "first":
		a.Page = 1
	case "last":
		a.Page = -1
	default:
		n, err := strconv.Atoi(page)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--page %q: a page number, first or last", page)
		}
		a.Page = n
	}
	if imagePath != "" {
		img, err := os.ReadFile(imagePath)
		if err != nil {
			return nil, fmt.Errorf("--image: %w", err)
		}
		a.Image = img
	}
	return a, nil
}
