package cli

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/remotesigning"
	"github.com/signet-sign/signet/remote/remotesigning/fake"
)

// remoteSigningKeyring names the relying party's credentials in the OS
// keyring.
const remoteSigningKeyring = "signet-remotesigning"

// remoteSigningFlags are the settings shared by the subcommands.
type remoteSigningFlags struct {
	apiURL, caFile, agreement string
	demo                      bool
	authMode, otpFile         string
	asJSON                    bool
	// set by client in demo mode
	demoRoots []*x509.Certificate
	demoChain []*x509.Certificate
	demoTSA   string
}

func (a *app) remoteSigningCommand() *cobra.Command {
	var f remoteSigningFlags
	cmd := &cobra.Command{
		Use:   "remotesigning",
		Short: i18n.T("cmd.remotesigning.short"),
		Long: `Sign PDFs with a key kept by a Remote Signing provider. With 'sign' the
document never leaves this computer: Signet computes what is signed, the
service signs it after you authorize with your passcode or a one-time code,
and Signet checks the signature against your certificate before embedding
it. 'sign-file' sends the whole document and has the service draw the
signature.

The relying party's username, password and rpCode come from
SIGNET_REMOTESIGNING_USERNAME, SIGNET_REMOTESIGNING_PASSWORD and
SIGNET_REMOTESIGNING_RPCODE, or from the OS keyring (service
"signet-remotesigning", accounts "username", "password" and "rp-code");
never from a file. Passcodes and one-time codes are asked on the terminal;
--pin-file and --otp-file are for unattended use. --demo runs against a
local test service: its one-time codes are printed, and written to
--otp-file when one is named.`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.apiURL, "api-url", "", "API URL of another deployment (default "+remotesigning.DefaultURL+"; http:// for loopback only)")
	pf.StringVar(&f.caFile, "ca-file", "", "also trust this CA (PEM) for the service's TLS")
	pf.StringVar(&f.agreement, "agreement", "", "your agreement UUID")
	pf.BoolVar(&f.demo, "demo", false, "use a local test service (nothing leaves this computer)")
	pf.BoolVar(&f.asJSON, "json", false, "print the results as JSON")
	cmd.AddCommand(a.remoteSigningLogin(&f), a.remoteSigningCert(&f), a.remoteSigningSign(&f),
		a.remoteSigningSignFile(&f), a.remoteSigningDownload(&f))
	return cmd
}

// authFlags adds the authorization flags of the signing subcommands.
func (a *app) authFlags(cmd *cobra.Command, f *remoteSigningFlags) {
	cmd.Flags().StringVar(&f.authMode, "auth", "pin", "how you authorize: pin (your passcode), otp-sms or otp-email (a one-time code the service sends)")
	cmd.Flags().StringVar(&a.pinFile, "pin-file", "", "read the passcode from this file (unattended use only)")
	cmd.Flags().StringVar(&f.otpFile, "otp-file", "", "wait for the one-time code to be written to this file, read it and remove it (unattended use)")
}

// mode reads --auth.
func (f *remoteSigningFlags) mode() (string, error) {
	switch f.authMode {
	case "pin", "":
		return remotesigning.AuthPIN, nil
	case "otp-sms":
		return remotesigning.AuthOTPSMS, nil
	case "otp-email":
		return remotesigning.AuthOTPEmail, nil
	}
	return "", usageError{i18n.Errorf("cli.rs.auth", map[string]any{"Auth": f.authMode})}
}

// client connects as the flags say; stop ends a demo service.
func (f *remoteSigningFlags) client(stderr io.Writer, needAgreement bool) (*remotesigning.Client, func(), error) {
	if needAgreement && f.agreement == "" && !f.demo {
		return nil, nil, usageError{i18n.Errorf("cli.rs.agreement", nil)}
	}
	if f.demo {
		return f.demoClient(stderr)
	}
	hc, err := serviceHTTPClient(f.caFile)
	if err != nil {
		return nil, nil, err
	}
	user, pass, rp, err := remoteSigningCredentials()
	if err != nil {
		return nil, nil, err
	}
	c, err := remotesigning.New(remotesigning.Config{URL: f.apiURL, Username: user, Password: pass, RPCode: rp, HTTPClient: hc})
	if err != nil {
		return nil, nil, usageError{err}
	}
	return c, func() {}, nil
}

// remoteSigningCredentials reads the relying party's credentials from the
// environment, or else from the OS keyring.
func remoteSigningCredentials() (user, pass, rp string, err error) {
	v, ok := serviceCredentials(remoteSigningKeyring, credential{"SIGNET_REMOTESIGNING_USERNAME", "username"},
		credential{"SIGNET_REMOTESIGNING_PASSWORD", "password"}, credential{"SIGNET_REMOTESIGNING_RPCODE", "rp-code"})
	if !ok {
		return "", "", "", remotesigning.ErrNoCredentials
	}
	return v[0], v[1], v[2], nil
}

// demoClient starts the test service with a throw-away PKI and TSA and an
// agreement "demo" whose passcode is 123456.
func (f *remoteSigningFlags) demoClient(stderr io.Writer) (*remotesigning.Client, func(), error) {
	env, err := fake.StartEnv("demo", "demo", "DEMO")
	if err != nil {
		return nil, nil, err
	}
	pki, srv := env.PKI, env.Server
	ag, err := fake.NewAgreement(pki, "Nguyễn Văn Demo", "123456") // i18n:skip: a name
	if err != nil {
		env.Close()
		return nil, nil, err
	}
	otpFile := f.otpFile
	srv.Notify = func(otp string) {
		fmt.Fprintln(stderr, i18n.T("cli.rs.demo_code", map[string]any{"Code": otp}))
		if otpFile != "" {
			_ = os.WriteFile(otpFile, []byte(otp+"\n"), 0o600)
		}
	}
	srv.Add("demo", ag)
	f.agreement = "demo"
	f.demoRoots = []*x509.Certificate{pki.Root.Cert}
	f.demoChain = []*x509.Certificate{pki.Intermediate.Cert}
	f.demoTSA = env.TSA.URL
	fmt.Fprintln(stderr, i18n.T("cli.rs.demo"))
	c, err := remotesigning.New(remotesigning.Config{URL: srv.URL, Username: "demo", Password: "demo", RPCode: "DEMO"})
	return c, env.Close, err
}

// prompter asks the passcode as --pin-file or the terminal says, and the
// one-time code from --otp-file or the terminal.
func (a *app) remotePrompter(f *remoteSigningFlags) (prompt.Prompter, error) {
	p := routedPrompter{pin: a.prompter(), otp: terminalPrompter{}}
	if f.otpFile != "" {
		if _, err := os.Stat(f.otpFile); err == nil {
			return nil, usageError{i18n.Errorf("cli.otp_file_exists", map[string]any{"File": f.otpFile})}
		}
		p.otp = &otpFilePrompter{path: f.otpFile, wait: 5 * time.Minute}
	}
	return p, nil
}

// routedPrompter sends one-time codes to one prompter, the rest to another.
type routedPrompter struct{ pin, otp prompt.Prompter }

func (p routedPrompter) Secret(ctx context.Context, req prompt.Request) ([]byte, error) {
	if req.Kind == prompt.OTP {
		return p.otp.Secret(ctx, req)
	}
	return p.pin.Secret(ctx, req)
}

func (p routedPrompter) Pinpad(ctx context.Context, req prompt.Request) func() {
	return p.pin.Pinpad(ctx, req)
}

// otpFilePrompter waits for a one-time code to be written to a file, for
// unattended use: it reads the code and removes the file, so a code is
// never sent twice. After a wrong code it fails (with the tries left)
// instead of sending the same file again. A file that says "resend"
// asks the service for a new code, where it can send one.
type otpFilePrompter struct {
	path string
	wait time.Duration
}

func (p *otpFilePrompter) Secret(ctx context.Context, req prompt.Request) ([]byte, error) {
	if req.TriesLeft >= 0 {
		return nil, i18n.Errorf("cli.rs.otp_wrong", map[string]any{"Tries": req.TriesLeft})
	}
	ctx, cancel := context.WithTimeout(ctx, p.wait)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		data, err := os.ReadFile(p.path)
		if code := trimLine(data); err == nil && len(code) > 0 {
			os.Remove(p.path)
			if req.CanResend && string(code) == "resend" {
				return nil, prompt.ErrResend
			}
			return code, nil
		}
		select {
		case <-ctx.Done():
			return nil, i18n.Errorf("cli.rs.otp_none", map[string]any{"File": p.path, "Wait": p.wait.String()})
		case <-tick.C:
		}
	}
}

func (p *otpFilePrompter) Pinpad(context.Context, prompt.Request) func() { return func() {} }

func (a *app) remoteSigningLogin(f *remoteSigningFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "login",
		Short: i18n.T("cmd.remotesigning.login.short"),
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, stop, err := f.client(a.stderr, false)
			if err != nil {
				return err
			}
			defer stop()
			if err := c.Login(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, i18n.T("cli.rs.logged_in"))
			return nil
		},
	}
}

type agreementJSON struct {
	Agreement  string   `json:"agreement"`
	AuthModes  []string `json:"authModes"`
	SharedMode int      `json:"sharedMode"`
	keys.CertificateSummary
	Certificate string `json:"certificate"` // PEM
}

func (a *app) remoteSigningCert(f *remoteSigningFlags) *cobra.Command {
	var pemOut bool
	cmd := &cobra.Command{
		Use:   "cert --agreement UUID",
		Short: i18n.T("cmd.remotesigning.cert.short"),
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, stop, err := f.client(a.stderr, true)
			if err != nil {
				return err
			}
			defer stop()
			d, err := c.GetDetail(cmd.Context(), f.agreement)
			if err != nil {
				return err
			}
			block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d.Certificate.Raw})
			if pemOut {
				_, err := a.stdout.Write(block)
				return err
			}
			s := keys.Summarize(d.Certificate)
			if f.asJSON {
				return writeJSON(a.stdout, agreementJSON{Agreement: f.agreement, AuthModes: d.AuthModes, SharedMode: d.SharedMode,
					CertificateSummary: s, Certificate: string(block)})
			}
			now := time.Now()
			printCert(a.stdout, certJSON{CertificateSummary: s}, now)
			fmt.Fprintln(a.stdout, "  "+i18n.T("cli.rs.agreement_modes", map[string]any{"Agreement": f.agreement, "Modes": fmt.Sprint(d.AuthModes)}))
			return nil
		},
	}
	cmd.Flags().BoolVar(&pemOut, "pem", false, "print the certificate as PEM")
	return cmd
}

// signOptions reads the flags shared by sign and sign-file.
type remoteSignFlags struct {
	out, outDir, tsa, alg string
	chain                 []string
	force                 bool
	visible, page, image  string
	text                  []string
	imageRight            bool
	pdf                   pdf.Options
	lock                  bool
	certify               int
}

func (s *remoteSignFlags) add(cmd *cobra.Command, lines bool) {
	fl := cmd.Flags()
	fl.StringVarP(&s.out, "output", "o", "", "signed file (one document)")
	fl.BoolVar(&s.force, "force", false, "overwrite existing output files")
	fl.StringVar(&s.pdf.Reason, "reason", "", "reason for signing")
	fl.StringVar(&s.pdf.Location, "location", "", "place of signing")
	fl.StringVar(&s.visible, "visible", "", "make the signature visible in this rectangle, in points from the lower-left corner of the page as viewers show it (its crop box, turned by its /Rotate): X1,Y1,X2,Y2")
	fl.StringVar(&s.page, "page", "", "page of a visible signature: a number, first or last (default first)")
	fl.StringVar(&s.image, "image", "", "PNG or JPEG image of a visible signature")
	fl.BoolVar(&s.imageRight, "image-right", false, "put the image right of the text (default left)")
	fl.IntVar(&s.certify, "certify", 0, certifyHelp)
	// --lock was these commands' word for --certify 1: still read.
	fl.BoolVar(&s.lock, "lock", false, "the same as --certify 1")
	fl.MarkHidden("lock")
	if lines {
		fl.StringArrayVar(&s.text, "text", nil, "a line of text of a visible signature (repeatable; default: signer, date, reason, location)")
	}
}

// options builds the signing options from the flags; a warning about
// them goes to stderr.
func (s *remoteSignFlags) options(stderr io.Writer) (pdf.Options, error) {
	o := s.pdf
	if s.visible != "" {
		ap, err := appearance(s.visible, s.page, s.text, s.image, s.imageRight)
		if err != nil {
			return o, usageError{err}
		}
		o.Appearance = ap
	} else if s.page != "" || len(s.text) > 0 || s.image != "" {
		return o, usageError{i18n.Errorf("cli.visible_needed", nil)}
	}
	certify := s.certify
	if s.lock {
		if certify != 0 && certify != 1 {
			return o, usageError{i18n.Errorf("cli.rs.lock_certify", map[string]any{"Certify": certify})}
		}
		fmt.Fprintln(stderr, i18n.T("cli.rs.lock"))
		certify = 1
	}
	if certify < 0 || certify > 3 {
		return o, usageError{i18n.Errorf("cli.certify_range", nil)}
	}
	o.Certify = pdf.Permissions(certify)
	return o, nil
}

func (a *app) remoteSigningSign(f *remoteSigningFlags) *cobra.Command {
	var s remoteSignFlags
	var requireChain bool
	var level string
	cmd := &cobra.Command{
		Use:   "sign --agreement UUID [--auth pin|otp-sms|otp-email] [options] IN.pdf...",
		Short: i18n.T("cmd.remotesigning.sign.short"),
		Long: `Sign PDFs with your cloud key. Signet computes each document's PAdES hash
here, sends the hashes (all documents in one request), asks your passcode
or the one-time code the service sends, checks each signature against
your certificate, embeds it with a timestamp from --tsa (PAdES B-T) and
verifies the result before writing it.`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, inputs []string) error {
			mode, err := f.mode()
			if err != nil {
				return err
			}
			h, err := parseAlg(s.alg)
			if err != nil {
				return usageError{err}
			}
			pdfOpts, err := s.options(a.stderr)
			if err != nil {
				return err
			}
			pdfOpts.Hash = h
			chain, err := loadTrust(s.chain)
			if err != nil {
				return usageError{err}
			}
			jobs, err := outputJobs(inputs, s.out, s.outDir)
			if err != nil {
				return err
			}
			c, stop, err := f.client(a.stderr, true)
			if err != nil {
				return err
			}
			defer stop()
			tsa := s.tsa
			if f.demo && tsa == "" {
				tsa = f.demoTSA
			}
			lvl, err := parseLevel(level, tsa)
			if err != nil {
				return err
			}
			if tsa != "" {
				pdfOpts.Timestamper = &pdf.TSAClient{URL: tsa}
			} else {
				fmt.Fprintln(a.stderr, i18n.T("cli.no_tsa"))
			}
			p, err := a.remotePrompter(f)
			if err != nil {
				return err
			}
			results := flow.SignWithRemoteSigning(cmd.Context(), c, p, jobs, flow.RemoteSigningOptions{
				Agreement: f.agreement, AuthMode: mode, PDF: pdfOpts,
				Chain:        append(f.demoChain, chain...),
				ChainOptions: a.chainOptions(f.demoRoots, requireChain, i18n.T("cli.chain.hint_chain")),
				Verify:       pdf.VerifyOptions{ExtraRoots: f.demoRoots},
				Overwrite:    s.force,
				Level:        lvl,
				LTV:          pdf.LTVOptions{Roots: keys.SystemPoolWith(f.demoRoots)},
			})
			return a.reportSigned(results, f.asJSON, false)
		},
	}
	s.add(cmd, true)
	cmd.Flags().StringVar(&level, "level", "", levelHelp)
	cmd.Flags().StringVar(&s.outDir, "out-dir", "", "directory for the signed files")
	cmd.Flags().StringVar(&s.alg, "alg", "sha256", "digest algorithm: sha256, sha384 or sha512")
	cmd.Flags().StringVar(&s.tsa, "tsa", "", "RFC 3161 timestamp authority URL (PAdES B-T)")
	cmd.Flags().StringArrayVar(&s.chain, "chain", nil, "issuer certificates to embed after yours (PEM/DER file or directory); without it they are fetched from your certificate's caIssuers URL")
	cmd.Flags().BoolVar(&requireChain, "require-chain", false, requireChainHelp+" (before any code is asked)")
	a.authFlags(cmd, f)
	return cmd
}

type signFileJSON struct {
	Input    string `json:"input"`
	Output   string `json:"output"`
	BillCode string `json:"billCode"`
}

func (a *app) remoteSigningSignFile(f *remoteSigningFlags) *cobra.Command {
	var s remoteSignFlags
	var color string
	cmd := &cobra.Command{
		Use:   "sign-file --agreement UUID [options] IN.pdf",
		Short: i18n.T("cmd.remotesigning.sign_file.short"),
		Long: `Send the whole PDF to the service (its signing/file mode): the service signs
it, draws the visible signature from --visible, --page, --image,
--text-color, --reason and --location, and timestamps it. Signet verifies
the signed file before writing it and prints the bill code, with which
'signet remotesigning download' fetches the file again.

Assumption, where the document is silent: COORDINATE counts in the page
as stored (its MediaBox, not turned). --visible is given on the page as
viewers show it; Signet converts it for a turned or cropped page.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, inputs []string) error {
			mode, err := f.mode()
			if err != nil {
				return err
			}
			opts, err := s.options(a.stderr)
			if err != nil {
				return err
			}
			if _, err := remotesigning.MetaDataFor(opts, color); err != nil {
				return usageError{err}
			}
			out := s.out
			if out == "" {
				out = flow.OutputPath(inputs[0], "")
			}
			c, stop, err := f.client(a.stderr, true)
			if err != nil {
				return err
			}
			defer stop()
			p, err := a.remotePrompter(f)
			if err != nil {
				return err
			}
			job := flow.Job{Input: inputs[0], Output: out}
			bill, err := flow.SignFileWithRemoteSigning(cmd.Context(), c, p, job, color, flow.RemoteSigningOptions{
				Agreement: f.agreement, AuthMode: mode, PDF: opts,
				Verify: pdf.VerifyOptions{ExtraRoots: f.demoRoots}, Overwrite: s.force,
			})
			if err != nil {
				if bill != "" {
					return i18n.Errorf("cli.rs.bill_failed", map[string]any{"Err": err, "Bill": bill}, err)
				}
				return err
			}
			if f.asJSON {
				return writeJSON(a.stdout, signFileJSON{job.Input, job.Output, bill})
			}
			fmt.Fprintln(a.stdout, i18n.T("cli.rs.signed", map[string]any{"Input": job.Input, "Output": job.Output, "Bill": bill}))
			return nil
		},
	}
	s.add(cmd, false)
	cmd.Flags().StringVar(&color, "text-color", "", "colour of the signature's text, e.g. red or blue (default: the service's)")
	a.authFlags(cmd, f)
	return cmd
}

func (a *app) remoteSigningDownload(f *remoteSigningFlags) *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "download BILLCODE -o OUT.pdf",
		Short: i18n.T("cmd.remotesigning.download.short"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{i18n.Errorf("cli.output_required", nil)}
			}
			c, stop, err := f.client(a.stderr, false)
			if err != nil {
				return err
			}
			defer stop()
			var cert *x509.Certificate
			if f.agreement != "" {
				d, err := c.GetDetail(cmd.Context(), f.agreement)
				if err != nil {
					return err
				}
				cert = d.Certificate
			}
			if err := flow.DownloadFromRemoteSigning(cmd.Context(), c, args[0], out, cert, force, pdf.VerifyOptions{ExtraRoots: f.demoRoots}); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, i18n.T("cli.rs.downloaded", map[string]any{"Bill": args[0], "Output": out}))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the signed file")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return cmd
}
