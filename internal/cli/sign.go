package cli

import (
	"bufio"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
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
		requireChain                  bool
		pss, adobe, force, asJSON     bool
		certify, jobsN                int
		from, report, sigLang         string
		container                     string
		pdfOpts                       pdf.Options
	)
	cmd := &cobra.Command{
		Use:   "sign --key URI|FILE [options] IN.pdf|IN.edoc... [-o OUT | --out-dir DIR]",
		Short: i18n.T("cmd.sign.short"),
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

Batches: --jobs N signs N documents at once, each in a token session of its
own (default: one per CPU, within the token's session limit); a key that
asks a PIN before every signature signs one document at a time. Outputs and
results keep the input order. --from FILE (or - for stdin) reads one
document per line: a path, or a JSON object
  {"input": "a.pdf", "output": "out/a.pdf", "reason": "…", "location": "…",
   "contact": "…", "name": "…", "field": "…"}
where all but "input" are optional. --report jsonl prints one JSON line per
document as it is done: input, output, status (signed, partly_signed,
failed, not_started), code (a stable name of the error), message, level,
durationMs.

ASiC-E containers (.asice, .sce, .edoc, .bdoc): --container asice signs
any files (not only PDFs) into one new container with a XAdES signature
(the output is -o, default FIRST.asice). A container given as input,
without --container, gets a signature added over all its files (written to
NAME-signed.edoc and so on), its earlier signatures kept as they are:
'signet sign X.asice -o OUT'. --container with a container among its
inputs is refused, as it is ambiguous. --tsa and --level work as
for PDFs: B-T adds a signature timestamp, B-LT the certificates and
revocation values, B-LTA an archive timestamp.

` + chainHelp + `

Exit codes: 0 every document signed as asked; 1 some document not signed;
2 wrong usage; 3 every document signed and written, some at a lower level
than asked (B-T instead of B-LT or B-LTA).`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, inputs []string) error {
			if keyRef == "" {
				return usageError{i18n.Errorf("cli.key_required", nil)}
			}
			if report != "" && report != "jsonl" {
				return usageError{i18n.Errorf("cli.report_format", map[string]any{"Format": report})}
			}
			if report != "" && asJSON {
				return usageError{i18n.Errorf("cli.json_or_report", nil)}
			}
			var docs map[string]fromLine
			if from != "" {
				lines, err := a.readFrom(from)
				if err != nil {
					return usageError{err}
				}
				docs = map[string]fromLine{}
				for _, l := range lines {
					inputs = append(inputs, l.Input)
					docs[l.Input] = l
				}
			}
			if len(inputs) == 0 {
				if from == "" && strings.HasPrefix(keyRef, "pkcs11:") && !strings.Contains(keyRef, ";") {
					// --key pkcs11:token=X;object=Y unquoted: the shell
					// ended the command at ';', and the documents with it.
					return usageError{i18n.Errorf("cli.no_documents_uri", map[string]any{"Err": errUnquotedURI}, errUnquotedURI)}
				}
				return usageError{i18n.Errorf("cli.no_documents", nil)}
			}
			if out != "" && outDir != "" {
				return usageError{i18n.Errorf("cli.output_or_dir", nil)}
			}
			h, err := parseAlg(alg)
			if err != nil {
				return usageError{err}
			}
			if certify < 0 || certify > 3 {
				return usageError{i18n.Errorf("cli.certify_range", nil)}
			}
			if outDir != "" {
				if info, err := os.Stat(outDir); err != nil || !info.IsDir() {
					return usageError{i18n.Errorf("cli.out_dir_not_dir", map[string]any{"Dir": outDir})}
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
			var anchors []*x509.Certificate
			if len(trust) > 0 {
				if anchors, err = loadTrust(trust); err != nil {
					return usageError{err}
				}
				ltv.Roots = keys.SystemPoolWith(anchors)
			}
			chain := a.chainOptions(anchors, requireChain, i18n.T("cli.chain.hint_trust"))
			if visible != "" {
				a, err := appearance(visible, page, textLines, imagePath, imageRight)
				if err != nil {
					return usageError{err}
				}
				a.Lang = i18n.Current()
				if sigLang != "" {
					a.Lang = i18n.Match(sigLang)
				}
				pdfOpts.Appearance = a
			} else if page != "" || len(textLines) > 0 || imagePath != "" {
				return usageError{i18n.Errorf("cli.visible_needed", nil)}
			}
			copts := flow.ContainerOptions{Level: lvl, Timestamper: pdfOpts.Timestamper, LTV: ltv, Overwrite: force}
			if container != "" {
				return a.signContainer(cmd, keyRef, chain, container, inputs, out, copts)
			}
			if n := countContainers(inputs); n > 0 {
				if n < len(inputs) {
					return usageError{i18n.Errorf("cli.mixed_inputs", nil)}
				}
				jobs, err := outputJobs(inputs, out, outDir)
				if err != nil {
					return err
				}
				return a.addToContainers(cmd, keyRef, chain, jobs, copts, asJSON, report)
			}
			jobs, err := outputJobs(inputs, out, outDir)
			if err != nil {
				return err
			}
			for i, j := range jobs {
				if l, ok := docs[j.Input]; ok {
					if l.Output != "" {
						jobs[i].Output = l.Output
					}
					jobs[i].Doc = l.Doc
				}
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
			signer, err := flow.OpenDocumentSigner(cmd.Context(), mods, keyRef, prompter, chain)
			if err != nil {
				return err
			}
			defer signer.Close()
			if _, isRSA := signer.Public().(*rsa.PublicKey); pss && !isRSA {
				return usageError{i18n.Errorf("cli.pss_rsa_only", nil)}
			}

			password, asker, err := a.documentPasswords()
			if err != nil {
				return usageError{err}
			}
			pdfOpts.Password = password
			if jobsN < 1 {
				return usageError{i18n.Errorf("cli.jobs", nil)}
			}
			results := flow.SignPDFs(cmd.Context(), signer, jobs, flow.BatchOptions{
				Jobs:      jobsN,
				OnResult:  a.jsonlReport(report, lvl),
				Notice:    func(s string) { fmt.Fprintln(a.stderr, i18n.T("cli.note", map[string]any{"Note": s})) },
				Passwords: asker,
				PDF:       pdfOpts,
				Overwrite: force,
				Progress:  a.progress(len(jobs)),
				Level:     lvl,
				LTV:       ltv,
			})
			if report != "" {
				return a.reportSigned(results, false, true)
			}
			return a.reportSigned(results, asJSON, false)
		},
	}
	f := cmd.Flags()
	f.StringVar(&keyRef, "key", "", "key: a pkcs11: URI from 'signet certs', or a .p12/.pfx file")
	f.StringVar(&container, "container", "", "sign the files (any kind) into one new ASiC-E container instead: asice (XAdES at --level; the output is -o, default FIRST.asice)")
	f.StringVar(&from, "from", "", "read the documents from this file (- for stdin): a path or a JSON object per line")
	f.StringVar(&report, "report", "", "print a report line per document as it is done: jsonl")
	f.StringVarP(&out, "output", "o", "", "signed file (one document)")
	f.StringVar(&outDir, "out-dir", "", "directory for the signed files")
	f.BoolVar(&force, "force", false, "overwrite existing output files")
	f.StringVar(&alg, "alg", "sha256", "digest algorithm: sha256, sha384 or sha512")
	f.BoolVar(&pss, "pss", false, "sign RSA-PSS instead of PKCS#1 v1.5 (RSA keys)")
	f.StringVar(&tsa, "tsa", "", "RFC 3161 timestamp authority URL: adds a signature timestamp (PAdES B-T)")
	f.StringVar(&level, "level", "", levelHelp+"; for containers XAdES, the same levels")
	f.StringArrayVar(&trust, "trust", nil, "also trust these root certificates (PEM/DER file or directory): chains may end there, and B-LT/B-LTA validation data is collected up to them")
	f.BoolVar(&requireChain, "require-chain", false, requireChainHelp+" (before the PIN is asked)")
	f.BoolVar(&adobe, "adobe", false, "write adbe.pkcs7.detached instead of ETSI.CAdES.detached, for old readers")
	f.IntVar(&certify, "certify", 0, certifyHelp)
	f.StringVar(&pdfOpts.Reason, "reason", "", "reason for signing")
	f.StringVar(&pdfOpts.Location, "location", "", "place of signing")
	f.StringVar(&pdfOpts.ContactInfo, "contact", "", "signer's contact information")
	f.StringVar(&pdfOpts.Name, "name", "", "signer's name (default: from the certificate)")
	f.StringVar(&pdfOpts.FieldName, "field", "", "signature field name (default: SignatureN)")
	f.StringVar(&visible, "visible", "", "make the signature visible in this rectangle, in points from the lower-left corner of the page as viewers show it (its crop box, turned by its /Rotate): X1,Y1,X2,Y2")
	f.StringVar(&page, "page", "", "page of a visible signature: a number, first or last (default first)")
	f.StringArrayVar(&textLines, "text", nil, "a line of text of a visible signature (repeatable; default: signer, date, reason, location)")
	f.StringVar(&imagePath, "image", "", "PNG or JPEG image of a visible signature")
	f.StringVar(&sigLang, "sig-lang", "", "language of a visible signature's default lines: en, lv, pt, vi, hi or fr (default: the language of messages)")
	f.BoolVar(&imageRight, "image-right", false, "put the image right of the text (default left)")
	f.BoolVar(&reusePIN, "reuse-pin", false, "for keys that ask a PIN before every signature (eID cards): ask it once and keep it in memory until this batch ends")
	f.IntVar(&jobsN, "jobs", runtime.NumCPU(), "documents signed at once, each in a token session of its own (within the token's session limit; keys that ask a PIN before every signature sign one at a time)")
	f.BoolVar(&asJSON, "json", false, "print the results as JSON")
	f.StringVar(&a.pinFile, "pin-file", "", "read the PIN (or key file password) from this file (unattended use only)")
	f.StringVar(&a.passwordFile, "password-file", "", passwordFileHelp)
	return cmd
}

// outputJobs names each input's output: -o for one document, else
// NAME-signed.pdf beside it or NAME.pdf in --out-dir.
// parseLevel reads --level: by default B-T with a --tsa, else B-B; every
// level above B-B needs the TSA.
// The same flag says the same on every command.
const (
	certifyHelp = "certification signature allowing 1 no changes, 2 form filling, 3 annotations"
	levelHelp   = "PAdES level: B-B, B-T (with --tsa; the default with it), B-LT (+ validation data), B-LTA (+ document timestamp)"
)

func parseLevel(level, tsa string) (pdf.Level, error) {
	lvl := pdf.Level(strings.ToUpper(level))
	switch {
	case lvl == "" && tsa != "":
		lvl = pdf.LevelBT
	case lvl == "":
		lvl = pdf.LevelBB
	case lvl != pdf.LevelBB && lvl != pdf.LevelBT && lvl != pdf.LevelBLT && lvl != pdf.LevelBLTA:
		return "", usageError{i18n.Errorf("cli.level", map[string]any{"Level": level})}
	}
	if lvl != pdf.LevelBB && tsa == "" {
		return "", usageError{i18n.Errorf("cli.level_needs_tsa", map[string]any{"Level": lvl})}
	}
	return lvl, nil
}

func outputJobs(inputs []string, out, dir string) ([]flow.Job, error) {
	if out != "" && len(inputs) > 1 {
		return nil, usageError{i18n.Errorf("cli.one_output_docs", nil)}
	}
	if dir != "" {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return nil, usageError{i18n.Errorf("cli.out_dir_not_dir", map[string]any{"Dir": dir})}
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

// reportSigned prints the results (unless quiet: a streamed report said
// them already) and gives the exit status.
func (a *app) reportSigned(results []flow.Result, asJSON, quiet bool) error {
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
			if quiet {
				break
			}
			var pe *flow.PartlySignedError
			switch {
			case r.Err == nil:
				fmt.Fprintln(a.stdout, i18n.T("sign.signed", map[string]any{"Input": r.Input, "Output": r.Output}))
			case errors.As(r.Err, &pe):
				fmt.Fprintln(a.stdout, i18n.T("sign.signed_lower", map[string]any{"Input": r.Input, "Output": r.Output, "Reached": pe.Reached, "Wanted": pe.Wanted}))
			}
		}
		for _, r := range results {
			switch {
			case flow.PartlySigned(r.Err):
				fmt.Fprintln(a.stderr, i18n.T("sign.warning", map[string]any{"Input": shown(r.Input), "Error": shown(i18n.Line(r.Err))}))
			case r.Err != nil:
				fmt.Fprintln(a.stderr, i18n.T("sign.failed", map[string]any{"Input": shown(r.Input), "Error": shown(i18n.Line(r.Err))}))
			}
		}
	}
	if failed == 0 {
		if partly > 0 {
			return partialError{errors.New(i18n.N("sign.lower", len(results), map[string]any{"Partly": partly}))}
		}
		return nil
	}
	// The first failure's hint is the useful one (a PIN error stops the
	// batch and explains the rest).
	for _, r := range results {
		if r.Err != nil && !errors.Is(r.Err, flow.ErrStopped) && !flow.PartlySigned(r.Err) {
			return fmt.Errorf("%s: %w", i18n.N("sign.not_signed", len(results), map[string]any{"Failed": failed}), r.Err)
		}
	}
	return errors.New(i18n.N("sign.not_signed", len(results), map[string]any{"Failed": failed}))
}

// appearance reads the visible-signature flags.
func appearance(rect, page string, lines []string, imagePath string, imageRight bool) (*pdf.Appearance, error) {
	a := &pdf.Appearance{Lines: lines, ImageRight: imageRight}
	parts := strings.Split(rect, ",")
	if len(parts) != 4 {
		return nil, i18n.Errorf("cli.visible_rect", map[string]any{"Rect": rect})
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, i18n.Errorf("cli.visible_number", map[string]any{"Rect": rect, "Part": p})
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
			return nil, i18n.Errorf("cli.page", map[string]any{"Page": page})
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

// fromLine is one document of --from.
type fromLine struct {
	Input, Output string
	Doc           *flow.DocOptions
}

// maxFromLine bounds one line of --from.
const maxFromLine = 64 << 10

// readFrom reads --from: one path, or one JSON object, per line; blank
// lines are skipped. A line that is not understood names its number.
func (a *app) readFrom(name string) ([]fromLine, error) {
	var r io.Reader
	if name == "-" {
		r = a.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxFromLine)
	var lines []fromLine
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		if !strings.HasPrefix(text, "{") {
			lines = append(lines, fromLine{Input: text})
			continue
		}
		var obj struct {
			Input  string `json:"input"`
			Output string `json:"output"`
			flow.DocOptions
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&obj); err != nil {
			return nil, i18n.Errorf("cli.from_line", map[string]any{"Line": n, "Err": err}, err)
		}
		if dec.More() {
			return nil, i18n.Errorf("cli.from_line_many", map[string]any{"Line": n})
		}
		if obj.Input == "" {
			return nil, i18n.Errorf("cli.from_line_input", map[string]any{"Line": n})
		}
		doc := obj.DocOptions
		lines = append(lines, fromLine{Input: obj.Input, Output: obj.Output, Doc: &doc})
	}
	if err := sc.Err(); err != nil {
		return nil, i18n.Errorf("cli.from_long", map[string]any{"Err": err, "KB": maxFromLine >> 10}, err)
	}
	return lines, nil
}

// reportLine is one line of --report jsonl.
type reportLine struct {
	Input      string `json:"input"`
	Output     string `json:"output,omitempty"`
	Status     string `json:"status"` // signed, partly_signed, failed, not_started
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	Level      string `json:"level,omitempty"`
	DurationMs int64  `json:"durationMs"`
}

// jsonlReport writes a line per result to stdout as the batch goes, when
// asked (format "jsonl"); level is the level each signed document has.
func (a *app) jsonlReport(format string, level pdf.Level) func(flow.Result) {
	if format == "" {
		return nil
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	return func(r flow.Result) {
		line := reportLine{Input: r.Input, Status: "signed", Level: string(level), DurationMs: r.Took.Milliseconds()}
		var pe *flow.PartlySignedError
		switch {
		case r.Err == nil:
			line.Output = r.Output
		case errors.As(r.Err, &pe):
			line.Status, line.Output, line.Level = "partly_signed", r.Output, string(pe.Reached)
			line.Code, line.Message = flow.ErrorCode(pe.Err), r.Err.Error()
		default:
			line.Status, line.Level = "failed", ""
			if errors.Is(r.Err, flow.ErrStopped) {
				line.Status = "not_started"
			}
			line.Code, line.Message = flow.ErrorCode(r.Err), r.Err.Error()
		}
		_ = enc.Encode(line) // a closed stdout ends the report, not the batch
	}
}

// signContainer signs inputs into one ASiC-E container (--container).
func (a *app) signContainer(cmd *cobra.Command, keyRef string, chain flow.ChainOptions, kind string, inputs []string, out string, opts flow.ContainerOptions) error {
	if kind != "asice" {
		return usageError{i18n.Errorf("cli.container_kind", map[string]any{"Kind": kind})}
	}
	// A container among the inputs is ambiguous: the person most likely
	// meant to add a signature to it, which is the form without
	// --container; wrapping it as a file of a new container is refused.
	for _, in := range inputs {
		if flow.IsContainer(in) {
			return usageError{i18n.Errorf("cli.container_input", map[string]any{"File": in})}
		}
	}
	if out == "" {
		first := inputs[0]
		out = strings.TrimSuffix(first, filepath.Ext(first)) + ".asice"
	}
	signer, closeKey, err := a.openContainerSigner(cmd, keyRef, chain)
	if err != nil {
		return err
	}
	defer closeKey()
	start := time.Now()
	err = flow.SignContainer(cmd.Context(), signer, inputs, out, opts)
	return a.reportSigned([]flow.Result{{Job: flow.Job{Input: strings.Join(inputs, ", "), Output: out}, Err: err, Took: time.Since(start)}}, false, false)
}

// openContainerSigner opens the signing key for containers; closeKey
// closes it and the modules.
func (a *app) openContainerSigner(cmd *cobra.Command, keyRef string, chain flow.ChainOptions) (signer keys.Signer, closeKey func(), err error) {
	mods, err := a.loadModules()
	if err != nil {
		return nil, nil, err
	}
	signer, err = flow.OpenDocumentSigner(cmd.Context(), mods, keyRef, a.prompter(), chain)
	if err != nil {
		mods.Close()
		return nil, nil, err
	}
	return signer, func() { signer.Close(); mods.Close() }, nil
}

// countContainers is how many inputs are ASiC-E containers.
func countContainers(inputs []string) int {
	n := 0
	for _, in := range inputs {
		if flow.IsContainer(in) {
			n++
		}
	}
	return n
}

// addToContainers adds a signature to each container of jobs.
func (a *app) addToContainers(cmd *cobra.Command, keyRef string, chain flow.ChainOptions, jobs []flow.Job, opts flow.ContainerOptions, asJSON bool, report string) error {
	signer, closeKey, err := a.openContainerSigner(cmd, keyRef, chain)
	if err != nil {
		return err
	}
	defer closeKey()
	results := flow.AddContainerSignatures(cmd.Context(), signer, jobs, opts)
	if report != "" {
		line := a.jsonlReport(report, opts.Level)
		for _, r := range results {
			line(r)
		}
		return a.reportSigned(results, false, true)
	}
	return a.reportSigned(results, asJSON, false)
}
