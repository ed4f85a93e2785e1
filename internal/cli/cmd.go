package cli

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/biometrid"
	bfake "github.com/signet-sign/signet/remote/biometrid/fake"
	"github.com/signet-sign/signet/remote/cmd"
	cmdfake "github.com/signet-sign/signet/remote/cmd/fake"
)

// Keyring entries of the two services' credentials.
const (
	cmdKeyring       = "signet-cmd"
	biometridKeyring = "signet-biometrid"
)

// Demo accounts.
const (
	demoPhone = "+351 912345678"
	demoPIN   = "1234"
)

// cmdFlags are the settings shared by the subcommands.
type cmdFlags struct {
	via, phone, appID     string
	apiURL, caFile        string
	preprod, demo, asJSON bool
	cifra, padding        string
	otpPath, otpFields    string
	otpFile               string
	// set in demo mode
	demoRoots []*x509.Certificate
	demoTSA   string
}

func (a *app) cmdCommand() *cobra.Command {
	var f cmdFlags
	c := &cobra.Command{
		Use:   "cmd",
		Short: i18n.T("cmd.cmd.short"),
		Long: `Sign PDFs with your Chave Móvel Digital, Portugal's mobile digital key.

--via ama (the default) uses AMA's signature service: Signet computes each
document's PAdES hash here and only the hash is sent; the document never
leaves this computer. Up to 100 documents go in one request, confirmed
with one security code the service sends by SMS; larger batches are split
and you are told how many codes to expect. The application's credentials
(AMA gives them to integrators) come from SIGNET_CMD_APPLICATION_ID,
SIGNET_CMD_USERNAME and SIGNET_CMD_PASSWORD, or the OS keyring (service
"signet-cmd", accounts "application-id", "username", "password").

--via biometrid sends the WHOLE DOCUMENT to biometrid
(api.biometrid.com), which signs it there; Signet checks that the signed
file is your document plus one intact signature before writing it.
Credentials: SIGNET_BIOMETRID_KEY and SIGNET_BIOMETRID_SECRET, or the OS
keyring (service "signet-biometrid", accounts "key", "secret").

Assumptions, where the documents are silent (each can be changed):
  - AMA's encrypted fields (phone number, PIN, code) use RSA PKCS#1 v1.5
    with the key of AMA's cifra.cer (built in): --cifra-padding, --cifra.
  - AMA's applicationId is sent as the UTF-8 bytes of the id AMA gives
    ("base64:..." gives raw bytes).
  - A security code takes 3 tries.
  - biometrid's security-code step ("invoke ValidateOTP") is
    POST /api/1.1/document/validateOTP with {"processId", "code"},
    answered with the signed PDF in "document": --otp-path, --otp-fields.

The PIN and the codes are asked on the terminal (press Enter alone at the
code prompt to have a new code sent); --pin-file and --otp-file are for
unattended use only (write "resend" to the --otp-file for a new code).
--demo runs against local test services: phone ` + demoPhone + `, PIN ` + demoPIN + `,
codes printed and written to --otp-file.`,
	}
	pf := c.PersistentFlags()
	pf.StringVar(&f.via, "via", "ama", "which service: ama (AMA's, hashes only) or biometrid (uploads the document)")
	pf.StringVar(&f.phone, "phone", "", "your Chave Móvel Digital phone number, e.g. 912 345 678 or +351 912345678")
	pf.StringVar(&f.apiURL, "api-url", "", "service URL of another deployment (default: AMA "+cmd.ProductionURL+", biometrid "+biometrid.DefaultURL+"; http:// for loopback only)")
	pf.StringVar(&f.appID, "application-id", "", "the application id AMA gave you (default: $SIGNET_CMD_APPLICATION_ID or the keyring)")
	pf.BoolVar(&f.preprod, "preprod", false, "use AMA's pre-production service ("+cmd.PreProductionURL+")")
	pf.StringVar(&f.caFile, "ca-file", "", "also trust this CA (PEM) for the service's TLS")
	pf.StringVar(&f.cifra, "cifra", "", "AMA's encryption certificate (PEM or DER; default: the cifra.cer built in)")
	pf.StringVar(&f.padding, "cifra-padding", string(cmd.DefaultPadding), fmt.Sprintf("RSA scheme of the encrypted fields: %v (assumed: pkcs1v15)", cmd.Paddings))
	pf.StringVar(&f.otpPath, "otp-path", biometrid.DefaultOTPStep.Path, "biometrid: path of the security-code step (assumed)")
	pf.StringVar(&f.otpFields, "otp-fields", strings.Join([]string{biometrid.DefaultOTPStep.ProcessIDField, biometrid.DefaultOTPStep.CodeField, biometrid.DefaultOTPStep.DocumentField}, ","),
		"biometrid: names of the process id, the code and the signed document in the security-code step (assumed)")
	pf.BoolVar(&f.demo, "demo", false, "use local test services (nothing leaves this computer)")
	pf.BoolVar(&f.asJSON, "json", false, "print the results as JSON")
	c.AddCommand(a.cmdCert(&f), a.cmdSign(&f))
	return c
}

// userID reads --phone.
func (f *cmdFlags) userID() (string, error) {
	if f.phone == "" && f.demo {
		return demoPhone, nil
	}
	if f.phone == "" {
		return "", usageError{i18n.Errorf("cli.cmd.phone", nil)}
	}
	id, err := cmd.UserID(f.phone)
	if err != nil {
		return "", usageError{err}
	}
	return id, nil
}

// amaClient connects to AMA's service, or a demo one; stop ends it.
func (f *cmdFlags) amaClient(stderr io.Writer) (*cmd.Client, func(), error) {
	padding := cmd.Padding(f.padding)
	if !slices.Contains(cmd.Paddings, padding) {
		return nil, nil, usageError{i18n.Errorf("cli.cmd.padding", map[string]any{"Padding": f.padding, "Choices": fmt.Sprint(cmd.Paddings)})}
	}
	if f.demo {
		env, err := cmdfake.StartEnv("signet-demo", "demo", "demo")
		if err != nil {
			return nil, nil, err
		}
		if _, err := env.NewCitizen("Maria Demo", demoPhone, demoPIN); err != nil { // i18n:skip: a name
			env.Close()
			return nil, nil, err
		}
		env.Padding = f.padding
		f.notify(stderr, func(fn func(string, string)) { env.Notify = fn })
		f.demoRoots, f.demoTSA = []*x509.Certificate{env.PKI.Root.Cert}, env.TSA.URL
		fmt.Fprintln(stderr, i18n.T("cli.cmd.demo", map[string]any{"Phone": demoPhone, "PIN": demoPIN}))
		ci, err := cmd.CipherFor(env.Cifra, padding)
		if err != nil {
			env.Close()
			return nil, nil, usageError{err}
		}
		c, err := cmd.New(cmd.Config{URL: env.URL, ApplicationID: "signet-demo", Username: "demo", Password: "demo", Cipher: ci})
		return c, env.Close, err
	}
	ci, err := cmd.LoadCipher(f.cifra, padding)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("--cifra: %w", err)}
	}
	if err := ci.Check(time.Now()); err != nil {
		return nil, nil, err
	}
	hc, err := serviceHTTPClient(f.caFile)
	if err != nil {
		return nil, nil, err
	}
	url := f.apiURL
	if url == "" && f.preprod {
		url = cmd.PreProductionURL
	}
	v, _ := serviceCredentials(cmdKeyring, credential{"SIGNET_CMD_APPLICATION_ID", "application-id"},
		credential{"SIGNET_CMD_USERNAME", "username"}, credential{"SIGNET_CMD_PASSWORD", "password"})
	if f.appID != "" {
		v[0] = f.appID
	}
	c, err := cmd.New(cmd.Config{URL: url, ApplicationID: v[0], Username: v[1], Password: v[2], Cipher: ci, HTTPClient: hc})
	if errors.Is(err, cmd.ErrNoCredentials) {
		return nil, nil, err
	} else if err != nil {
		return nil, nil, usageError{err}
	}
	return c, func() {}, nil
}

// biometridClient connects to biometrid, or a demo one.
func (f *cmdFlags) biometridClient(stderr io.Writer) (*biometrid.Client, func(), error) {
	fields := strings.Split(f.otpFields, ",")
	if len(fields) != 3 {
		return nil, nil, usageError{i18n.Errorf("cli.cmd.otp_fields", map[string]any{"Fields": f.otpFields})}
	}
	step := biometrid.OTPStep{Path: f.otpPath, ProcessIDField: fields[0], CodeField: fields[1], DocumentField: fields[2]}
	if f.demo {
		env, err := bfake.StartEnv("demo-key", "demo-secret")
		if err != nil {
			return nil, nil, err
		}
		if _, err := env.CMD.NewCitizen("Maria Demo", demoPhone, demoPIN); err != nil { // i18n:skip: a name
			env.Close()
			return nil, nil, err
		}
		f.notify(stderr, func(fn func(string, string)) { env.Notify = fn })
		f.demoRoots = []*x509.Certificate{env.CMD.PKI.Root.Cert}
		fmt.Fprintln(stderr, i18n.T("cli.cmd.demo_biometrid", map[string]any{"Phone": demoPhone, "PIN": demoPIN}))
		c, err := biometrid.New(biometrid.Config{URL: env.URL, Key: "demo-key", Secret: "demo-secret", OTP: step})
		if err != nil {
			env.Close()
			return nil, nil, usageError{err}
		}
		return c, env.Close, nil
	}
	hc, err := serviceHTTPClient(f.caFile)
	if err != nil {
		return nil, nil, err
	}
	v, _ := serviceCredentials(biometridKeyring, credential{"SIGNET_BIOMETRID_KEY", "key"}, credential{"SIGNET_BIOMETRID_SECRET", "secret"})
	c, err := biometrid.New(biometrid.Config{URL: f.apiURL, Key: v[0], Secret: v[1], OTP: step, HTTPClient: hc})
	if errors.Is(err, biometrid.ErrNoCredentials) {
		return nil, nil, err
	} else if err != nil {
		return nil, nil, usageError{err}
	}
	return c, func() {}, nil
}

// notify has a demo service print the codes it "sends" and write them to
// --otp-file.
func (f *cmdFlags) notify(stderr io.Writer, set func(func(phone, otp string))) {
	otpFile := f.otpFile
	set(func(_, otp string) {
		fmt.Fprintln(stderr, i18n.T("cli.cmd.demo_code", map[string]any{"Code": otp}))
		if otpFile != "" {
			_ = os.WriteFile(otpFile, []byte(otp+"\n"), 0o600)
		}
	})
}

type cmdCertJSON struct {
	Phone string `json:"phone"`
	keys.CertificateSummary
	Chain []string `json:"chain"` // PEM, signing certificate first
}

func (a *app) cmdCert(f *cmdFlags) *cobra.Command {
	var pemOut bool
	c := &cobra.Command{
		Use:   "cert --phone NUMBER",
		Short: i18n.T("cmd.cmd.cert.short"),
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if f.via != "ama" {
				return usageError{i18n.Errorf("cli.cmd.cert_biometrid", nil)}
			}
			uid, err := f.userID()
			if err != nil {
				return err
			}
			client, stop, err := f.amaClient(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			chain, err := flow.CMDCertificate(c.Context(), client, uid)
			if err != nil {
				return err
			}
			var blocks []string
			for _, cert := range chain {
				blocks = append(blocks, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
			}
			if pemOut {
				_, err := io.WriteString(a.stdout, strings.Join(blocks, ""))
				return err
			}
			s := keys.Summarize(chain[0])
			if f.asJSON {
				return writeJSON(a.stdout, cmdCertJSON{Phone: uid, CertificateSummary: s, Chain: blocks})
			}
			printCert(a.stdout, certJSON{CertificateSummary: s}, time.Now())
			fmt.Fprintln(a.stdout, "  "+i18n.T("cli.cmd.cert", map[string]any{"Phone": uid, "Count": len(chain) - 1}))
			return nil
		},
	}
	c.Flags().BoolVar(&pemOut, "pem", false, "print the chain as PEM")
	return c
}

type biometridJSON struct {
	Input  string `json:"input"`
	Output string `json:"output,omitempty"`
	Signer string `json:"signer,omitempty"`
	Error  string `json:"error,omitempty"`
}

func (a *app) cmdSign(f *cmdFlags) *cobra.Command {
	var s remoteSignFlags
	var level string
	var batch int
	c := &cobra.Command{
		Use:   "sign --phone NUMBER [options] IN.pdf...",
		Short: i18n.T("cmd.cmd.sign.short"),
		Long: `Sign PDFs with your Chave Móvel Digital. With AMA's service (the default)
only each document's hash is sent; Signet checks each signature against
your certificate, embeds it with a timestamp from --tsa (B-T; --level
B-LT or B-LTA adds validation data) and verifies the result before
writing it. With --via biometrid each document is uploaded and signed
there, one PIN and code per document; see 'signet cmd --help'.`,
		Args: minArgs(1),
		RunE: func(c *cobra.Command, inputs []string) error {
			uid, err := f.userID()
			if err != nil {
				return err
			}
			pdfOpts, err := s.options(a.stderr)
			if err != nil {
				return err
			}
			jobs, err := outputJobs(inputs, s.out, s.outDir)
			if err != nil {
				return err
			}
			if f.otpFile != "" {
				if _, err := os.Stat(f.otpFile); err == nil {
					return usageError{i18n.Errorf("cli.otp_file_exists", map[string]any{"File": f.otpFile})}
				}
			}
			switch f.via {
			case "ama":
			case "biometrid":
				if pdfOpts.Appearance != nil || pdfOpts.Reason != "" || pdfOpts.Location != "" || pdfOpts.Certify != 0 || s.tsa != "" || level != "" {
					return usageError{i18n.Errorf("cli.cmd.via_biometrid", nil)}
				}
				return a.cmdSignBiometrid(c, f, uid, jobs, s.force)
			default:
				return usageError{i18n.Errorf("cli.cmd.via", map[string]any{"Via": f.via})}
			}
			tsa := s.tsa
			if f.demo && tsa == "" {
				tsa = "the demo's" // known once the demo runs; i18n:skip: only tested against ""
			}
			lvl, err := parseLevel(level, tsa)
			if err != nil {
				return err
			}
			client, stop, err := f.amaClient(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			if f.demo && s.tsa == "" {
				tsa = f.demoTSA
			}
			if tsa != "" {
				pdfOpts.Timestamper = &pdf.TSAClient{URL: tsa}
			} else {
				fmt.Fprintln(a.stderr, i18n.T("cli.no_tsa"))
			}
			results := flow.SignWithCMD(c.Context(), client, a.cmdPrompter(f), jobs, flow.CMDOptions{
				UserID: uid, PDF: pdfOpts, Level: lvl, BatchSize: batch,
				LTV:       pdf.LTVOptions{Roots: keys.SystemPoolWith(f.demoRoots)},
				Inform:    func(msg string) { fmt.Fprintf(a.stderr, "signet: %s\n", msg) },
				Progress:  a.progress(len(jobs)),
				Verify:    pdf.VerifyOptions{ExtraRoots: f.demoRoots},
				Overwrite: s.force,
			})
			return a.reportSigned(results, f.asJSON, false)
		},
	}
	s.add(c, true)
	fl := c.Flags()
	fl.StringVar(&s.outDir, "out-dir", "", "directory for the signed files")
	fl.StringVar(&s.tsa, "tsa", "", "RFC 3161 timestamp authority URL (PAdES B-T)")
	fl.StringVar(&level, "level", "", levelHelp)
	fl.IntVar(&batch, "batch-size", cmd.MaxDocuments, "documents per request, one SMS code each (at most 100, the service's limit)")
	fl.StringVar(&a.pinFile, "pin-file", "", "read the signature PIN from this file (unattended use only)")
	fl.StringVar(&f.otpFile, "otp-file", "", "wait for each security code to be written to this file, read it and remove it (unattended use)")
	return c
}

// cmdPrompter asks the PIN as --pin-file or the terminal says, and the
// codes from --otp-file or the terminal.
func (a *app) cmdPrompter(f *cmdFlags) routedPrompter {
	p := routedPrompter{pin: a.prompter(), otp: terminalPrompter{}}
	if f.otpFile != "" {
		p.otp = &otpFilePrompter{path: f.otpFile, wait: 5 * time.Minute}
	}
	return p
}

// cmdSignBiometrid uploads each document to biometrid in turn.
func (a *app) cmdSignBiometrid(c *cobra.Command, f *cmdFlags, uid string, jobs []flow.Job, force bool) error {
	client, stop, err := f.biometridClient(a.stderr)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintln(a.stderr, i18n.T("cli.cmd.biometrid_note", map[string]any{"URL": client.URL()}))
	p := a.cmdPrompter(f)
	var out []biometridJSON
	failed := 0
	results := flow.SignFilesWithBiometrid(c.Context(), client, p, jobs, flow.BiometridOptions{
		UserID: uid, Verify: pdf.VerifyOptions{ExtraRoots: f.demoRoots}, Overwrite: force}, a.progress(len(jobs)))
	for _, res := range results {
		j, rep, err := res.Job, res.Report, res.Err
		e := biometridJSON{Input: j.Input}
		if err != nil {
			failed++
			e.Error = err.Error()
			if !f.asJSON {
				fmt.Fprintln(a.stderr, i18n.T("cli.error", map[string]any{"Error": shown(j.Input) + ": " + shown(i18n.Line(err))}))
			}
		} else {
			e.Output = j.Output
			if rep.Signer != nil {
				e.Signer = rep.Signer.Name
			}
			if !f.asJSON {
				fmt.Fprintln(a.stdout, i18n.T("cli.cmd.signed_biometrid", map[string]any{"Input": j.Input, "Output": j.Output, "Signer": e.Signer}))
			}
		}
		out = append(out, e)
	}
	if f.asJSON {
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	}
	if failed > 0 {
		return exitCode(exitFailure)
	}
	return nil
}
