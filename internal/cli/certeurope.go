package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/certeurope"
	cefake "github.com/signet-sign/signet/remote/certeurope/fake"
)

// certEuropeFlags are the settings shared by the subcommands.
type certEuropeFlags struct {
	apiURL, caFile, clientKey string
	sandbox, demo, asJSON     bool
	trust                     []string
	sealPaths                 string
	otpFile                   string
}

func (a *app) certEuropeCommand() *cobra.Command {
	f := &certEuropeFlags{}
	c := &cobra.Command{
		Use:   "certeurope",
		Short: i18n.T("cmd.certeurope.short"),
		Long: `Sign PDFs through CertEurope's SignAPI. The service signs; Signet sends the
documents, follows them, and writes each signed PDF only once it has
verified it (the document you sent unchanged, one intact signature at
the level asked, chaining to --trust). A document that fails is kept
aside as NAME.rejected.pdf with NAME.rejected.json.

  sign                    workflow 1: a one-time certificate for the holder
  sign --otp sms|email    workflow 2: the holder confirms with an OTP
  sign --otp sms --proof  an advanced signature (proof folder: the files named)
  seal                    workflow 3: the organisation's server seal

SignAPI authenticates by mutual TLS only: --client-key names the client
certificate's key, a .p12 file as CertEurope delivers it (its password is
asked) or a pkcs11: URI of a token or HSM (its PIN is asked once).

Assumptions, where the documents are silent: errors are read from
{"errorLabel","errorMsg"}; the visible signature's position is its
lower-left corner in points, in the page as stored (--visible is given on
the page as viewers show it, and Signet converts it for a turned or
cropped page), and text lines are placed in the image from its top-left; the seal calls (workflow 3) are
POST /centralized/signatures, /centralized/signatures/sign?id=&mode= and
/centralized/signatures/sign/batch (--seal-paths changes them).
--demo runs against a local test service (OTPs printed and written to
--otp-file).`,
	}
	pf := c.PersistentFlags()
	pf.StringVar(&f.clientKey, "client-key", "", "the client certificate: a .p12/.pfx file or a pkcs11: URI")
	pf.StringVar(&a.pinFile, "pin-file", "", "read the client key's PIN or the .p12 password from this file (unattended use only)")
	pf.BoolVar(&f.sandbox, "sandbox", false, "use the sandbox ("+certeurope.SandboxURL+")")
	pf.StringVar(&f.apiURL, "api-url", "", "URL of another deployment (default "+certeurope.ProductionURL+"; http:// for loopback only)")
	pf.StringVar(&f.caFile, "ca-file", "", "also trust this CA (PEM) for the server's certificate")
	pf.StringArrayVar(&f.trust, "trust", nil, "CA certificates the signatures must chain to (PEM/DER file or directory)")
	d := certeurope.DefaultCentralized
	pf.StringVar(&f.sealPaths, "seal-paths", d.Create+","+d.Sign+","+d.SignBatch, "the seal calls' paths: create,sign,sign-batch (assumed)")
	pf.BoolVar(&f.demo, "demo", false, "use a local test service (nothing leaves this computer)")
	pf.BoolVar(&f.asJSON, "json", false, "print the results as JSON")
	c.AddCommand(a.certEuropeSign(f), a.certEuropeSeal(f), a.certEuropeStatus(f), a.certEuropeRefuse(f), a.certEuropeOrder(f))
	return c
}

// connect opens the client certificate's key and the mutual-TLS client;
// done closes both (and a demo service).
func (a *app) certEuropeConnect(ctx context.Context, f *certEuropeFlags) (*certeurope.Client, pdf.VerifyOptions, func(), error) {
	paths := strings.Split(f.sealPaths, ",")
	if len(paths) != 3 {
		return nil, pdf.VerifyOptions{}, nil, usageError{i18n.Errorf("cli.ce.seal_paths", map[string]any{"Paths": f.sealPaths})}
	}
	central := certeurope.Centralized{Create: paths[0], Sign: paths[1], SignBatch: paths[2]}
	trust, err := loadTrust(f.trust)
	if err != nil {
		return nil, pdf.VerifyOptions{}, nil, usageError{err}
	}
	var signer keys.Signer
	var serverCAs []*x509.Certificate
	url := f.apiURL
	var done func()
	if f.demo {
		srv, err := cefake.Start()
		if err != nil {
			return nil, pdf.VerifyOptions{}, nil, err
		}
		ent, err := srv.NewClient("Signet demo client") // i18n:skip: a certificate's name
		if err != nil {
			srv.Close()
			return nil, pdf.VerifyOptions{}, nil, err
		}
		otpFile := f.otpFile
		srv.Notify = func(contact, otp string) {
			fmt.Fprintln(a.stderr, i18n.T("cli.ce.demo_otp", map[string]any{"Code": otp, "Contact": contact}))
			if otpFile != "" {
				_ = os.WriteFile(otpFile, []byte(otp+"\n"), 0o600)
			}
		}
		p12, _ := srv.PKI.PKCS12(ent, "demo")
		if signer, err = keys.LoadPKCS12(p12, []byte("demo")); err != nil {
			srv.Close()
			return nil, pdf.VerifyOptions{}, nil, err
		}
		url, serverCAs, trust = srv.URL, []*x509.Certificate{srv.ServerCA()}, append(trust, srv.PKI.Root.Cert)
		done = srv.Close
		fmt.Fprintln(a.stderr, i18n.T("cli.ce.demo"))
	} else {
		if f.clientKey == "" {
			return nil, pdf.VerifyOptions{}, nil, usageError{certeurope.ErrNoClientCertificate}
		}
		if f.caFile != "" {
			if serverCAs, err = keys.LoadCertificates([]string{f.caFile}); err != nil {
				return nil, pdf.VerifyOptions{}, nil, usageError{fmt.Errorf("--ca-file: %w", err)}
			}
		}
		if url == "" && f.sandbox {
			url = certeurope.SandboxURL
		}
		mods, err := a.loadModules()
		if err != nil {
			return nil, pdf.VerifyOptions{}, nil, err
		}
		if signer, err = flow.OpenSigner(ctx, mods, f.clientKey, a.prompter()); err != nil {
			mods.Close()
			return nil, pdf.VerifyOptions{}, nil, err
		}
		done = func() { signer.Close(); mods.Close() }
	}
	cfg, err := certeurope.TLSConfig(signer, serverCAs)
	if err == nil {
		var c *certeurope.Client
		if c, err = certeurope.New(certeurope.Config{URL: url, TLS: cfg, Centralized: central}); err == nil {
			return c, pdf.VerifyOptions{ExtraRoots: trust}, done, nil
		}
	}
	done()
	return nil, pdf.VerifyOptions{}, nil, usageError{err}
}

// certEuropeSignFlags are the flags of sign and seal.
type certEuropeSignFlags struct {
	remoteSignFlags
	level, mode string
}

func (s *certEuropeSignFlags) add(c *cobra.Command) {
	s.remoteSignFlags.add(c, true)
	c.Flags().StringVar(&s.outDir, "out-dir", "", "directory for the signed files")
	c.Flags().StringVar(&s.level, "level", "B-T", "PAdES level the service signs at: B-B, B-T, B-LT or B-LTA")
	c.Flags().StringVar(&s.mode, "mode", "SYNC", "SYNC (wait for the signature) or ASYNC (follow it)")
}

// options reads the flags into the flow's options.
func (s *certEuropeSignFlags) options(verify pdf.VerifyOptions, stderr io.Writer) (flow.CertEuropeOptions, error) {
	pdfOpts, err := s.remoteSignFlags.options(stderr)
	if err != nil {
		return flow.CertEuropeOptions{}, err
	}
	if pdfOpts.Reason != "" || pdfOpts.Location != "" || pdfOpts.Certify != 0 {
		return flow.CertEuropeOptions{}, usageError{i18n.Errorf("cli.ce.no_reason", nil)}
	}
	mode := strings.ToUpper(s.mode)
	if mode != certeurope.SYNC && mode != certeurope.ASYNC {
		return flow.CertEuropeOptions{}, usageError{i18n.Errorf("cli.ce.mode", map[string]any{"Mode": s.mode})}
	}
	lvl := pdf.Level(strings.ToUpper(s.level))
	switch lvl {
	case pdf.LevelBB, pdf.LevelBT, pdf.LevelBLT, pdf.LevelBLTA:
	default:
		return flow.CertEuropeOptions{}, usageError{i18n.Errorf("cli.level", map[string]any{"Level": s.level})}
	}
	return flow.CertEuropeOptions{Level: lvl, Appearance: pdfOpts.Appearance, Mode: mode, Verify: verify, Overwrite: s.force,
		Poll: time.Second, OnStatus: func(doc string, st certeurope.Status) {
			fmt.Fprintf(stderr, "signet: %s: %s\n", doc, certeurope.StatusWords(st.Status))
		}}, nil
}

func (a *app) certEuropeSign(f *certEuropeFlags) *cobra.Command {
	var s certEuropeSignFlags
	var h certeurope.Holder
	var otp string
	var proof []string
	c := &cobra.Command{
		Use:   "sign --firstname F --lastname L --email E --mobile M [--otp sms|email] [options] IN.pdf...",
		Short: i18n.T("cmd.certeurope.sign.short"),
		Args:  minArgs(1),
		RunE: func(c *cobra.Command, inputs []string) error {
			if h.Firstname == "" || h.Lastname == "" || h.Email == "" || h.Mobile == "" || h.Country == "" {
				return usageError{i18n.Errorf("cli.ce.holder", nil)}
			}
			if otp != "" && otp != "sms" && otp != "email" {
				return usageError{i18n.Errorf("cli.ce.otp", map[string]any{"OTP": otp})}
			}
			if len(proof) > 0 && otp != "sms" {
				return usageError{i18n.Errorf("cli.ce.proof", nil)}
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
			client, verify, done, err := a.certEuropeConnect(c.Context(), f)
			if err != nil {
				return err
			}
			defer done()
			opts, err := s.options(verify, a.stderr)
			if err != nil {
				return err
			}
			opts.Holder, opts.OTP, opts.ProofFiles = h, otp, proof
			var p prompt.Prompter = terminalPrompter{}
			if f.otpFile != "" {
				p = &otpFilePrompter{path: f.otpFile, wait: 5 * time.Minute}
			}
			return a.reportSigned(flow.SignWithCertEurope(c.Context(), client, p, jobs, opts), f.asJSON, false)
		},
	}
	s.add(c)
	fl := c.Flags()
	fl.StringVar(&h.Firstname, "firstname", "", "the holder's first name")
	fl.StringVar(&h.Lastname, "lastname", "", "the holder's last name")
	fl.StringVar(&h.Email, "email", "", "the holder's e-mail address")
	fl.StringVar(&h.Mobile, "mobile", "", "the holder's mobile number")
	fl.StringVar(&h.Country, "country", "FR", "the holder's country (ISO code)")
	fl.StringVar(&h.IDNumber, "id-number", "", "the holder's identity document number")
	fl.StringVar(&h.IDType, "id-type", "", "its type: IDCARD, PASSPORT, DRIVING or RESIDENCE")
	fl.StringVar(&otp, "otp", "", "confirm with an OTP sent by sms or email (workflow 2)")
	fl.StringArrayVar(&proof, "proof", nil, "a file of the holder's proof folder (repeatable): an advanced signature")
	fl.StringVar(&f.otpFile, "otp-file", "", "wait for the OTP to be written to this file, read it and remove it (unattended use)")
	return c
}

func (a *app) certEuropeSeal(f *certEuropeFlags) *cobra.Command {
	var s certEuropeSignFlags
	c := &cobra.Command{
		Use:   "seal [options] IN.pdf...",
		Short: i18n.T("cmd.certeurope.seal.short"),
		Args:  minArgs(1),
		RunE: func(c *cobra.Command, inputs []string) error {
			jobs, err := outputJobs(inputs, s.out, s.outDir)
			if err != nil {
				return err
			}
			client, verify, done, err := a.certEuropeConnect(c.Context(), f)
			if err != nil {
				return err
			}
			defer done()
			opts, err := s.options(verify, a.stderr)
			if err != nil {
				return err
			}
			return a.reportSigned(flow.SealWithCertEurope(c.Context(), client, jobs, opts), f.asJSON, false)
		},
	}
	s.add(c)
	return c
}

// certEuropeByID is a subcommand that acts on one order or signature
// request, named by the service's id or (--external) the client's.
func (a *app) certEuropeByID(f *certEuropeFlags, use, short string, run func(ctx context.Context, c *certeurope.Client, r certeurope.Ref) error) *cobra.Command {
	var ext bool
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			client, _, done, err := a.certEuropeConnect(c.Context(), f)
			if err != nil {
				return err
			}
			defer done()
			r := certeurope.Ref{ID: args[0]}
			if ext {
				r = certeurope.Ref{ExternalID: args[0]}
			}
			return run(c.Context(), client, r)
		}}
	cmd.Flags().BoolVar(&ext, "external", false, "the id is your external id")
	return cmd
}

func (a *app) certEuropeStatus(f *certEuropeFlags) *cobra.Command {
	return a.certEuropeByID(f, "status SIGNATURE-REQUEST-ID", i18n.T("cmd.certeurope.status.short"), func(ctx context.Context, c *certeurope.Client, r certeurope.Ref) error { // i18n:skip: the usage line
		st, err := c.Status(ctx, r)
		if err != nil {
			return err
		}
		st.SignedContent = "" // 'status' reports; signing writes files
		if f.asJSON {
			return writeJSON(a.stdout, st)
		}
		fmt.Fprintf(a.stdout, "%s  %s (%s)", st.SignatureRequestID, st.Status, certeurope.StatusWords(st.Status))
		if st.Reason != "" {
			fmt.Fprintf(a.stdout, ": %s", st.Reason)
		}
		fmt.Fprintln(a.stdout)
		return nil
	})
}

func (a *app) certEuropeRefuse(f *certEuropeFlags) *cobra.Command {
	return a.certEuropeByID(f, "refuse SIGNATURE-REQUEST-ID", i18n.T("cmd.certeurope.refuse.short"), func(ctx context.Context, c *certeurope.Client, r certeurope.Ref) error { // i18n:skip: the usage line
		if err := c.Refuse(ctx, r); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, i18n.T("cli.ce.refused", map[string]any{"ID": r.ID + r.ExternalID}))
		return nil
	})
}

func (a *app) certEuropeOrder(f *certEuropeFlags) *cobra.Command {
	c := &cobra.Command{Use: "order", Short: i18n.T("cmd.certeurope.order.short")}
	var h certeurope.Holder
	var external string
	create := &cobra.Command{
		Use:   "create --firstname F --lastname L --email E --mobile M",
		Short: i18n.T("cmd.certeurope.order.create.short"),
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			client, _, done, err := a.certEuropeConnect(c.Context(), f)
			if err != nil {
				return err
			}
			defer done()
			o, err := client.CreateOrder(c.Context(), certeurope.Order{ExternalOrderRequestID: external, Holder: h})
			if err != nil {
				return err
			}
			return a.printOrder(o, f.asJSON)
		},
	}
	fl := create.Flags()
	fl.StringVar(&h.Firstname, "firstname", "", "the holder's first name")
	fl.StringVar(&h.Lastname, "lastname", "", "the holder's last name")
	fl.StringVar(&h.Email, "email", "", "the holder's e-mail address")
	fl.StringVar(&h.Mobile, "mobile", "", "the holder's mobile number")
	fl.StringVar(&h.Country, "country", "FR", "the holder's country (ISO code)")
	fl.StringVar(&external, "external-id", "", "your id for the order")
	get := a.certEuropeByID(f, "get ORDER-ID", i18n.T("cmd.certeurope.order.get.short"), func(ctx context.Context, c *certeurope.Client, r certeurope.Ref) error { // i18n:skip: the usage line
		o, err := c.GetOrder(ctx, r)
		if err != nil {
			return err
		}
		return a.printOrder(o, f.asJSON)
	})
	del := a.certEuropeByID(f, "delete ORDER-ID", i18n.T("cmd.certeurope.order.delete.short"), func(ctx context.Context, c *certeurope.Client, r certeurope.Ref) error { // i18n:skip: the usage line
		if err := c.DeleteOrder(ctx, r); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, i18n.T("cli.deleted", map[string]any{"ID": r.ID + r.ExternalID}))
		return nil
	})
	c.AddCommand(create, get, del)
	return c
}

func (a *app) printOrder(o *certeurope.OrderStatus, asJSON bool) error {
	if asJSON {
		return writeJSON(a.stdout, o)
	}
	fmt.Fprintln(a.stdout, i18n.T("cli.ce.order", map[string]any{"ID": o.OrderRequestID, "External": o.ExternalOrderRequestID, "Status": certeurope.OrderWords(o.Status)}))
	return nil
}
