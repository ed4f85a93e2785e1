package cli

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/eparaksts"
	"github.com/signet-sign/signet/remote/eparaksts/fake"
)

// eparakstsFlags are the connection settings shared by the subcommands.
type eparakstsFlags struct {
	profile, apiURL, authURL, caFile string
	demo                             bool
	out, outDir                      string
	force, asJSON                    bool
}

// keyringService names Signet's eParaksts credentials in the OS keyring.
const keyringService = "signet-eparaksts"

func (a *app) eparakstsCommand() *cobra.Command {
	var f eparakstsFlags
	cmd := &cobra.Command{
		Use:   "eparaksts",
		Short: i18n.T("cmd.eparaksts.short"),
		Long: `Sign PDFs through LVRTC's eParaksts Signing API with your eID card: the
service prepares what is signed, your card signs it, the service adds the
timestamp and revocation data. Signet shows what is signed before asking
your PIN, verifies every signed file it receives, and writes nothing that
does not verify.

The client id and secret come from SIGNET_EPARAKSTS_CLIENT_ID and
SIGNET_EPARAKSTS_CLIENT_SECRET, or from the OS keyring (service
"signet-eparaksts", accounts "client-id" and "client-secret"); never from a
file. --demo runs against a local test service instead.`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.profile, "profile", "prod", "deployment: prep (test) or prod")
	pf.StringVar(&f.apiURL, "api-url", "", "Signing API URL of another deployment")
	pf.StringVar(&f.authURL, "auth-url", "", "OAuth (eIDAS platform) URL of another deployment")
	pf.StringVar(&f.caFile, "ca-file", "", "also trust this CA (PEM) for the service's TLS")
	pf.BoolVar(&f.demo, "demo", false, "use a local test service (nothing leaves this computer)")
	pf.StringVarP(&f.out, "output", "o", "", "output file (one document)")
	pf.StringVar(&f.outDir, "out-dir", "", "directory for the output files")
	pf.BoolVar(&f.force, "force", false, "overwrite existing output files")
	pf.BoolVar(&f.asJSON, "json", false, "print the results as JSON")
	pf.StringVar(&a.pinFile, "pin-file", "", "read the PIN (or seal password) from this file (unattended use only)")
	cmd.AddCommand(a.eparakstsSign(&f), a.eparakstsSeal(&f), a.eparakstsArchive(&f), a.eparakstsStatus(&f))
	return cmd
}

// client connects as the flags say; close stops a demo service.
func (f *eparakstsFlags) client(stderr io.Writer) (c *eparaksts.Client, verify pdf.VerifyOptions, closeFn func(), err error) {
	closeFn = func() {}
	if f.demo {
		return demoClient(stderr)
	}
	ends, ok := eparaksts.Profiles[f.profile]
	if !ok {
		return nil, verify, closeFn, usageError{i18n.Errorf("cli.eparaksts.profile", map[string]any{"Profile": f.profile})}
	}
	if f.apiURL != "" {
		ends.API = f.apiURL
	}
	if f.authURL != "" {
		ends.Auth = f.authURL
	}
	hc, err := serviceHTTPClient(f.caFile)
	if err != nil {
		return nil, verify, closeFn, err
	}
	id, secret, err := credentials()
	if err != nil {
		return nil, verify, closeFn, err
	}
	c, err = eparaksts.New(eparaksts.Config{Endpoints: ends, ClientID: id, ClientSecret: secret, HTTPClient: hc})
	return c, verify, closeFn, err
}

// credentials reads the client id and secret from the environment, or
// else from the OS keyring.
func credentials() (string, string, error) {
	v, ok := serviceCredentials(keyringService,
		credential{"SIGNET_EPARAKSTS_CLIENT_ID", "client-id"}, credential{"SIGNET_EPARAKSTS_CLIENT_SECRET", "client-secret"})
	if !ok {
		return "", "", eparaksts.ErrNoCredentials
	}
	return v[0], v[1], nil
}

// demoClient starts the test service with a throw-away PKI and TSA.
func demoClient(stderr io.Writer) (*eparaksts.Client, pdf.VerifyOptions, func(), error) {
	pki, tsa, err := testtsa.StartPKI()
	if err != nil {
		return nil, pdf.VerifyOptions{}, nil, err
	}
	srv, err := fake.Start("demo", "demo", []*x509.Certificate{pki.Intermediate.Cert}, &pdf.TSAClient{URL: tsa.URL})
	if err != nil {
		tsa.Close()
		return nil, pdf.VerifyOptions{}, nil, err
	}
	fmt.Fprintln(stderr, i18n.T("cli.eparaksts.demo"))
	c, err := eparaksts.New(eparaksts.Config{Endpoints: eparaksts.Endpoints{API: srv.URL, Auth: srv.URL}, ClientID: "demo", ClientSecret: "demo"})
	return c, pdf.VerifyOptions{ExtraRoots: []*x509.Certificate{pki.Root.Cert}}, func() { srv.Close(); tsa.Close() }, err
}

// jobs names the outputs of the inputs.
func (f *eparakstsFlags) jobs(inputs []string) ([]flow.Job, error) {
	return outputJobs(inputs, f.out, f.outDir)
}

func (a *app) eparakstsSign(f *eparakstsFlags) *cobra.Command {
	var keyRef, authRef string
	var archive, yes, edoc bool
	cmd := &cobra.Command{
		Use:   "sign --key URI [--auth-key URI] IN.pdf...",
		Short: i18n.T("cmd.eparaksts.sign.short"),
		Long: `Sign PDFs with your eID card through eParaksts: the service prepares each
signature's digest (CalculateDigest), your card signs it here, the service
finalizes it (finalizeSigning), and Signet verifies the result before
writing it. What is about to be signed is shown first (--yes skips that).

eParaksts prepares the signature itself: it carries no reason, location or
visible signature of yours, so this command has no --reason or --visible
(the app does not offer them for eParaksts either). --edoc asks for an
ASiC-E container instead; --archive adds an archive timestamp.`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, inputs []string) error {
			if keyRef == "" {
				return usageError{i18n.Errorf("cli.eparaksts.key_required", nil)}
			}
			jobs, err := f.jobs(inputs)
			if err != nil {
				return err
			}
			if edoc && f.out == "" {
				for i := range jobs {
					jobs[i].Output = flow.ContainerPath(jobs[i].Input, f.outDir)
				}
			}
			c, verify, stop, err := f.client(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			mods, err := a.loadModules()
			if err != nil {
				return err
			}
			defer mods.Close()
			p := a.prompter()
			signer, err := flow.OpenSigner(cmd.Context(), mods, keyRef, p)
			if err != nil {
				return err
			}
			defer signer.Close()
			var auth *x509.Certificate
			if authRef != "" {
				authKey, err := flow.OpenSigner(cmd.Context(), mods, authRef, p)
				if err != nil {
					return err
				}
				auth = authKey.Certificate()
				authKey.Close()
			} else if auth, err = flow.AuthCertificate(signer); err != nil {
				return i18n.Errorf("cli.eparaksts.auth_key", map[string]any{"Err": err}, err)
			}
			opts := flow.EParakstsOptions{Archive: archive, Verify: verify, Overwrite: f.force, Container: edoc}
			opts.Confirm = a.confirmSigning(signer.Certificate().Subject.CommonName, yes)
			res := flow.SignWithEParaksts(cmd.Context(), c, signer, auth, jobs, opts)
			if edoc && !f.asJSON {
				for _, r := range res {
					if r.Err == nil {
						fmt.Fprintln(a.stderr, i18n.T("cli.eparaksts.holds", map[string]any{"File": filepath.Base(r.Output), "Contents": strings.Join(r.Contents, ", ")}))
					}
				}
			}
			return a.reportEParaksts(res, f.asJSON)
		},
	}
	cmd.Flags().StringVar(&keyRef, "key", "", "signing key: a pkcs11: URI from 'signet certs'")
	cmd.Flags().StringVar(&authRef, "auth-key", "", "authentication certificate (default: found on the same card)")
	cmd.Flags().BoolVar(&archive, "archive", false, "add an archive timestamp")
	cmd.Flags().BoolVar(&yes, "yes", false, "sign without asking for confirmation (unattended use)")
	cmd.Flags().BoolVar(&edoc, "edoc", false, "make an ASiC-E container (.edoc, XAdES) instead of a signed PDF")
	return cmd
}

// confirmSigning shows the digests about to be signed and asks on the
// terminal, unless yes.
func (a *app) confirmSigning(name string, yes bool) func(context.Context, []flow.ToSign) error {
	return func(ctx context.Context, items []flow.ToSign) error {
		fmt.Fprintln(a.stderr, i18n.T("cli.eparaksts.asks", map[string]any{"Key": name}))
		for _, it := range items {
			fmt.Fprintf(a.stderr, "  %s  %s %s\n", it.Document, it.Algorithm, hex.EncodeToString(it.Digest))
		}
		if yes {
			return nil
		}
		tty, err := openTTY()
		if err != nil {
			return i18n.Errorf("cli.eparaksts.no_terminal", nil)
		}
		defer tty.Close()
		fmt.Fprint(tty, i18n.T("cli.eparaksts.confirm", map[string]any{"Count": len(items)})+" ")
		line, _ := bufio.NewReader(tty).ReadString('\n')
		if !yesAnswer(line) {
			return prompt.ErrCancelled
		}
		return nil
	}
}

func (a *app) eparakstsSeal(f *eparakstsFlags) *cobra.Command {
	var pfxPath, authPath string
	cmd := &cobra.Command{
		Use:   "seal --pfx SEAL.p12 --auth-cert AUTH.pem IN.pdf...",
		Short: i18n.T("cmd.eparaksts.seal.short"),
		Args:  minArgs(1),
		RunE: func(cmd *cobra.Command, inputs []string) error {
			if pfxPath == "" || authPath == "" {
				return usageError{i18n.Errorf("cli.eparaksts.seal_required", nil)}
			}
			jobs, err := f.jobs(inputs)
			if err != nil {
				return err
			}
			pfx, err := os.ReadFile(pfxPath)
			if err != nil {
				return err
			}
			auth, err := readCertificate(authPath)
			if err != nil {
				return err
			}
			password, err := a.prompter().Secret(cmd.Context(), prompt.Request{Kind: prompt.Password, Token: filepath.Base(pfxPath), TriesLeft: -1})
			if err != nil {
				return err
			}
			defer clear(password)
			c, verify, stop, err := f.client(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			res := flow.SealWithEParaksts(cmd.Context(), c, pfx, password, auth, jobs, flow.EParakstsOptions{Verify: verify, Overwrite: f.force})
			return a.reportEParaksts(res, f.asJSON)
		},
	}
	cmd.Flags().StringVar(&pfxPath, "pfx", "", "the seal's PKCS#12 file")
	cmd.Flags().StringVar(&authPath, "auth-cert", "", "the seal's authentication certificate (PEM or DER)")
	return cmd
}

func (a *app) eparakstsArchive(f *eparakstsFlags) *cobra.Command {
	var authPath string
	cmd := &cobra.Command{
		Use:   "archive --auth-cert AUTH.pem SIGNED.pdf...",
		Short: i18n.T("cmd.eparaksts.archive.short"),
		Args:  minArgs(1),
		RunE: func(cmd *cobra.Command, inputs []string) error {
			if authPath == "" {
				return usageError{i18n.Errorf("cli.flag_required", map[string]any{"Flag": "--auth-cert"})}
			}
			jobs, err := f.jobs(inputs)
			if err != nil {
				return err
			}
			auth, err := readCertificate(authPath)
			if err != nil {
				return err
			}
			c, verify, stop, err := f.client(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			res := flow.ArchiveWithEParaksts(cmd.Context(), c, auth, jobs, flow.EParakstsOptions{Verify: verify, Overwrite: f.force})
			return a.reportEParaksts(res, f.asJSON)
		},
	}
	cmd.Flags().StringVar(&authPath, "auth-cert", "", "authentication certificate (PEM or DER)")
	return cmd
}

func (a *app) eparakstsStatus(f *eparakstsFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: i18n.T("cmd.eparaksts.check.short"),
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, stop, err := f.client(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			cfg, err := c.Config(cmd.Context())
			if err != nil {
				return err
			}
			if f.asJSON {
				return writeJSON(a.stdout, cfg)
			}
			fmt.Fprintln(a.stdout, i18n.T("cli.eparaksts.accepted"))
			names := make([]string, 0, len(cfg))
			for k := range cfg {
				names = append(names, k)
			}
			slices.Sort(names)
			for _, k := range names {
				fmt.Fprintf(a.stdout, "  %s: %v\n", k, cfg[k])
			}
			return nil
		},
	}
}

func readCertificate(path string) (*x509.Certificate, error) {
	certs, err := loadTrust([]string{path})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs[0], nil
}

func (a *app) reportEParaksts(res []flow.EParakstsResult, asJSON bool) error {
	plain := make([]flow.Result, len(res))
	for i, r := range res {
		plain[i] = r.Result
	}
	return a.reportSigned(plain, asJSON, false)
}
