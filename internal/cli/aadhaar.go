package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/aadhaar"
	afake "github.com/signet-sign/signet/remote/aadhaar/fake"
)

// aadhaarKeyring names the credentials in the OS keyring.
const aadhaarKeyring = "signet-aadhaar"

// aadhaarFlags are the settings shared by the subcommands.
type aadhaarFlags struct {
	apiURL, caFile  string
	sandbox, demo   bool
	asJSON          bool
	trust           []string
	demoRoots       []*x509.Certificate
	demoAutoSign    time.Duration
	downloadLimitMB int64
}

func (a *app) aadhaarCommand() *cobra.Command {
	f := &aadhaarFlags{}
	c := &cobra.Command{
		Use:   "aadhaar",
		Short: i18n.T("cmd.aadhaar.short"),
		Long: `Drive the Aadhaar eSign service (Setu's Data Gateway): upload a PDF, ask up
to six signers to sign it with their Aadhaar OTP on the service's screens
(each gets a signing URL), follow the request, download the signed PDF and
verify it before writing it: the uploaded bytes unchanged, one intact
signature per signer, each certificate chaining to the eSign provider's CA
(name it with --trust). A document that fails is kept aside as
NAME.rejected.pdf with NAME.rejected.json, never written as signed.

Credentials: SIGNET_AADHAAR_CLIENT_ID, SIGNET_AADHAAR_CLIENT_SECRET and
SIGNET_AADHAAR_PRODUCT_INSTANCE_ID, or the OS keyring (service
"signet-aadhaar", accounts "client-id", "client-secret",
"product-instance-id").

Assumptions, where the documents are silent: a signer's "onPages"
(--position) counts pages from 1, while signing configs (--visible) count
from 0 as the seed says; templates are uploaded as multipart/form-data.
--demo runs against a local test service whose signers sign by themselves.`,
	}
	pf := c.PersistentFlags()
	pf.BoolVar(&f.sandbox, "sandbox", false, "use the sandbox ("+aadhaar.SandboxURL+")")
	pf.StringVar(&f.apiURL, "api-url", "", "API URL of another deployment (default "+aadhaar.ProductionURL+"; http:// for loopback only)")
	pf.StringVar(&f.caFile, "ca-file", "", "also trust this CA (PEM) for the service's TLS")
	pf.StringArrayVar(&f.trust, "trust", nil, "the eSign provider's CA certificates (PEM/DER file or directory) the signatures must chain to")
	pf.Int64Var(&f.downloadLimitMB, "download-limit", aadhaar.DefaultDownloadLimit>>20, "largest signed document to download, in MB")
	pf.BoolVar(&f.demo, "demo", false, "use a local test service (nothing leaves this computer)")
	pf.BoolVar(&f.asJSON, "json", false, "print the results as JSON")
	c.AddCommand(a.aadhaarSign(f), a.aadhaarStatus(f), a.aadhaarDownload(f), a.aadhaarDelete(f), a.aadhaarAudit(f), a.aadhaarListen(f))
	return c
}

// client connects as the flags say; stop ends a demo service.
func (f *aadhaarFlags) client(stderr io.Writer) (*aadhaar.Client, func(), error) {
	limit := f.downloadLimitMB << 20
	if f.demo {
		srv, err := afake.Start("demo", "demo", "demo")
		if err != nil {
			return nil, nil, err
		}
		srv.AutoSign = f.demoAutoSign
		if srv.AutoSign == 0 {
			srv.AutoSign = 300 * time.Millisecond
		}
		f.demoRoots = []*x509.Certificate{srv.PKI.Root.Cert}
		fmt.Fprintln(stderr, i18n.T("cli.aadhaar.demo"))
		c, err := aadhaar.New(aadhaar.Config{URL: srv.URL, ClientID: "demo", ClientSecret: "demo", ProductInstanceID: "demo", DownloadLimit: limit})
		return c, srv.Close, err
	}
	hc, err := serviceHTTPClient(f.caFile)
	if err != nil {
		return nil, nil, err
	}
	url := f.apiURL
	if url == "" && f.sandbox {
		url = aadhaar.SandboxURL
	}
	v, _ := serviceCredentials(aadhaarKeyring, credential{"SIGNET_AADHAAR_CLIENT_ID", "client-id"},
		credential{"SIGNET_AADHAAR_CLIENT_SECRET", "client-secret"}, credential{"SIGNET_AADHAAR_PRODUCT_INSTANCE_ID", "product-instance-id"})
	c, err := aadhaar.New(aadhaar.Config{URL: url, ClientID: v[0], ClientSecret: v[1], ProductInstanceID: v[2], HTTPClient: hc, DownloadLimit: limit})
	if errors.Is(err, aadhaar.ErrNoCredentials) {
		return nil, nil, err
	} else if err != nil {
		return nil, nil, usageError{err}
	}
	return c, func() {}, nil
}

// connect is client with the verification options (demo roots known
// once the demo runs).
func (f *aadhaarFlags) connect(stderr io.Writer) (*aadhaar.Client, func(), pdf.VerifyOptions, error) {
	c, stop, err := f.client(stderr)
	if err != nil {
		return nil, nil, pdf.VerifyOptions{}, err
	}
	verify, err := f.verify()
	if err != nil {
		stop()
		return nil, nil, pdf.VerifyOptions{}, err
	}
	return c, stop, verify, nil
}

// verify is what signatures are checked against: the system's roots,
// --trust and the demo's CA.
func (f *aadhaarFlags) verify() (pdf.VerifyOptions, error) {
	roots, err := loadTrust(f.trust)
	if err != nil {
		return pdf.VerifyOptions{}, usageError{err}
	}
	return pdf.VerifyOptions{ExtraRoots: append(roots, f.demoRoots...)}, nil
}

// printRequest writes a request's signers and their status.
func printRequest(w io.Writer, r *aadhaar.Request) {
	fmt.Fprintln(w, i18n.T("cli.aadhaar.request", map[string]any{"ID": r.ID, "Status": r.Status, "Progress": flow.AadhaarProgress(r)}))
	for _, sg := range r.Signers {
		line := fmt.Sprintf("  %-24s %-11s", sg.DisplayName, sg.Status)
		if sg.ErrCode != "" {
			line += " — " + aadhaar.SignerErrorText(sg.ErrCode)
		}
		if sg.Status != aadhaar.SignerSigned && sg.URL != "" {
			line += "  " + sg.URL
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// statusPrinter prints a request when its status or a signer's changes.
func statusPrinter(w io.Writer) func(*aadhaar.Request) {
	last := ""
	return func(r *aadhaar.Request) {
		var b strings.Builder
		b.WriteString(r.Status)
		for _, sg := range r.Signers {
			b.WriteString("|" + sg.Status + "/" + sg.ErrCode)
		}
		if b.String() != last {
			last = b.String()
			printRequest(w, r)
		}
	}
}

type aadhaarResultJSON struct {
	Request *aadhaar.Request `json:"request"`
	Output  string           `json:"output,omitempty"`
	Report  *pdf.Report      `json:"report,omitempty"`
}

func (a *app) aadhaarSign(f *aadhaarFlags) *cobra.Command {
	var signers, visible, pages []string
	var position, redirect, out string
	var wait time.Duration
	var noWait, force bool
	c := &cobra.Command{
		Use:   "sign --signer 'NAME,ID,BIRTH-YEAR'... --redirect-url URL [options] IN.pdf",
		Short: i18n.T("cmd.aadhaar.sign.short"),
		Long: `Upload IN.pdf and ask each --signer (up to six, in signing order) to sign
it. Each signer's signature goes where their --visible rectangle (points
from the lower-left corner of the page as viewers show it; sent to the
service in the page as stored, its assumption where the reference is
silent) and --page say — the first --visible
for the first signer, and so on — or, by default, in a row of boxes at the
foot of the last page; --position NAME uses the service's named position
(e.g. bottom-left) instead. The signing URLs are printed; Signet then
follows the request (--wait, default 30 minutes), and downloads, verifies
and writes the signed PDF. With --no-wait it stops after printing the URLs:
'signet aadhaar status' and 'download' go on later.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			in := args[0]
			if len(signers) == 0 || len(signers) > aadhaar.MaxSigners {
				return usageError{i18n.Errorf("cli.aadhaar.signers", map[string]any{"Max": aadhaar.MaxSigners})}
			}
			if len(visible) > len(signers) || len(pages) > len(visible) {
				return usageError{i18n.Errorf("cli.aadhaar.visible", nil)}
			}
			if position != "" && len(visible) > 0 {
				return usageError{i18n.Errorf("cli.aadhaar.position", nil)}
			}
			var list []flow.AadhaarSigner
			for i, s := range signers {
				sg, err := flow.ParseAadhaarSigner(s)
				if err != nil {
					return usageError{err}
				}
				if i < len(visible) {
					page := ""
					if i < len(pages) {
						page = pages[i]
					}
					ap, err := appearance(visible[i], page, nil, "", false)
					if err != nil {
						return usageError{err}
					}
					sg.Place = &aadhaar.Rect{Page: ap.Page, X1: ap.Rect[0], Y1: ap.Rect[1], X2: ap.Rect[2], Y2: ap.Rect[3]}
				}
				list = append(list, sg)
			}
			if out == "" {
				out = flow.OutputPath(in, "")
			}
			if redirect == "" && !f.demo {
				return usageError{i18n.Errorf("cli.aadhaar.redirect", nil)}
			} else if redirect == "" {
				redirect = "https://signet.example/signed"
			}
			if _, err := os.Stat(out); err == nil && !force {
				return i18n.Errorf("cli.output_exists", map[string]any{"File": out}, flow.ErrOutputExists)
			}
			client, stop, verify, err := f.connect(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			opts := flow.AadhaarOptions{RedirectURL: redirect, Position: position, Deadline: wait,
				OnStatus: statusPrinter(a.stderr), Verify: verify, Overwrite: force,
				BeforeUpload: func() {
					fmt.Fprintln(a.stderr, i18n.T("cli.aadhaar.uploaded", map[string]any{"File": filepath.Base(in), "URL": client.URL()}))
				}}
			if f.demo {
				opts.Poll = 200 * time.Millisecond
			}
			r, err := flow.StartAadhaar(c.Context(), client, in, list, opts)
			if err != nil {
				return err
			}
			printRequest(a.stdout, r)
			if noWait {
				return nil
			}
			done, err := flow.WaitAadhaar(c.Context(), client, r.ID, opts)
			if err != nil {
				return err
			}
			orig, err := os.ReadFile(in)
			if err != nil {
				return err
			}
			rep, err := flow.FetchAadhaar(c.Context(), client, done, orig, out, opts)
			return a.aadhaarResult(done, out, rep, err, f.asJSON)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&signers, "signer", nil, "a signer: NAME,IDENTIFIER,BIRTH-YEAR (repeatable, up to 6; the year may be left out)")
	fl.StringArrayVar(&visible, "visible", nil, "a signer's rectangle X1,Y1,X2,Y2 in points (repeatable, in signer order)")
	fl.StringArrayVar(&pages, "page", nil, "the page of the matching --visible: a number, first or last (default first)")
	fl.StringVar(&position, "position", "", "place every signature by the service's named position on the last page, e.g. bottom-left")
	fl.StringVar(&redirect, "redirect-url", "", "the public page the service sends each signer to after signing")
	fl.DurationVar(&wait, "wait", 30*time.Minute, "how long to wait for the signers")
	fl.BoolVar(&noWait, "no-wait", false, "stop after printing the signing URLs")
	fl.StringVarP(&out, "output", "o", "", "the signed file (default IN-signed.pdf)")
	fl.BoolVar(&force, "force", false, "overwrite an existing output file")
	return c
}

// aadhaarResult reports a download: the verdict of each signature, or
// the rejection.
func (a *app) aadhaarResult(r *aadhaar.Request, out string, rep *pdf.Report, err error, asJSON bool) error {
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(a.stdout, aadhaarResultJSON{Request: r, Output: out, Report: rep})
	}
	fmt.Fprintln(a.stdout, i18n.T("cli.aadhaar.signed", map[string]any{"File": out, "Count": len(rep.Signatures)}))
	for _, s := range rep.Signatures {
		name := s.Field
		if s.Signer != nil {
			name = s.Signer.Name + " (" + s.Signer.Issuer + ")"
		}
		fmt.Fprintf(a.stdout, "  %s\n", name)
	}
	return nil
}

func (a *app) aadhaarStatus(f *aadhaarFlags) *cobra.Command {
	var wait time.Duration
	c := &cobra.Command{
		Use:   "status REQUEST-ID",
		Short: i18n.T("cmd.aadhaar.status.short"),
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			client, stop, err := f.client(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			var r *aadhaar.Request
			if wait > 0 {
				r, err = flow.WaitAadhaar(c.Context(), client, args[0], flow.AadhaarOptions{Deadline: wait, OnStatus: statusPrinter(a.stderr)})
			} else {
				r, err = client.GetRequest(c.Context(), args[0])
			}
			if err != nil {
				return err
			}
			if f.asJSON {
				return writeJSON(a.stdout, r)
			}
			printRequest(a.stdout, r)
			return nil
		},
	}
	c.Flags().DurationVar(&wait, "wait", 0, "wait up to this long for every signer")
	return c
}

func (a *app) aadhaarDownload(f *aadhaarFlags) *cobra.Command {
	var out, original string
	var force bool
	c := &cobra.Command{
		Use:   "download REQUEST-ID -o OUT.pdf",
		Short: i18n.T("cmd.aadhaar.download.short"),
		Long: `Download the signed PDF of a complete request and verify it before writing
it. --original names the uploaded PDF, so that Signet checks the result
against your copy; without it, the service's copy of the upload is used.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if out == "" {
				return usageError{i18n.Errorf("cli.output_required", nil)}
			}
			var orig []byte
			if original != "" {
				var err error
				if orig, err = os.ReadFile(original); err != nil {
					return usageError{fmt.Errorf("--original: %w", err)}
				}
			}
			client, stop, verify, err := f.connect(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			r, err := client.GetRequest(c.Context(), args[0])
			if err != nil {
				return err
			}
			rep, err := flow.FetchAadhaar(c.Context(), client, r, orig, out, flow.AadhaarOptions{Verify: verify, Overwrite: force})
			return a.aadhaarResult(r, out, rep, err, f.asJSON)
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "where to write the signed file")
	c.Flags().StringVar(&original, "original", "", "the PDF that was uploaded")
	c.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return c
}

func (a *app) aadhaarDelete(f *aadhaarFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete REQUEST-ID",
		Short: i18n.T("cmd.aadhaar.delete.short"),
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			client, stop, err := f.client(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			if err := client.Delete(c.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, i18n.T("cli.deleted", map[string]any{"ID": args[0]}))
			return nil
		},
	}
}

func (a *app) aadhaarAudit(f *aadhaarFlags) *cobra.Command {
	var pdfOut string
	c := &cobra.Command{
		Use:   "audit REQUEST-ID [--pdf OUT.pdf]",
		Short: i18n.T("cmd.aadhaar.audit.short"),
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			client, stop, err := f.client(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			if pdfOut != "" {
				data, err := client.AuditPDF(c.Context(), args[0])
				if err != nil {
					return err
				}
				return writeNew(pdfOut, data)
			}
			r, err := client.Audit(c.Context(), args[0])
			if err != nil {
				return err
			}
			if f.asJSON {
				return writeJSON(a.stdout, r)
			}
			fmt.Fprintln(a.stdout, i18n.T("cli.aadhaar.audit", map[string]any{"ID": r.ID, "Document": r.Document.Name}))
			for _, e := range r.Events {
				fmt.Fprintf(a.stdout, "  %s  %-9s %s (%s)\n", e.CreatedAt, e.Activity, e.Initiator.Name, e.Initiator.Type)
			}
			return nil
		},
	}
	c.Flags().StringVar(&pdfOut, "pdf", "", "save the report as PDF to this file")
	return c
}

// writeNew writes data to a file that must not exist yet, atomically.
func writeNew(path string, data []byte) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s", flow.ErrOutputExists, path)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func (a *app) aadhaarListen(f *aadhaarFlags) *cobra.Command {
	var addr, outDir string
	c := &cobra.Command{
		Use:   "listen --addr 127.0.0.1:PORT --out-dir DIR",
		Short: i18n.T("cmd.aadhaar.listen.short"),
		Long: `Listen for the service's notifications (register this address with the
provider, behind your own TLS front). Each notification is answered 200 at
once and only says which request to look at: notifications are not
signed, so Signet fetches the request itself, and when every signer has
signed downloads, verifies and writes DIR/REQUEST-ID.pdf — once, however
many notifications come and in whatever order.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if outDir == "" {
				return usageError{i18n.Errorf("cli.out_dir_required", nil)}
			}
			if info, err := os.Stat(outDir); err != nil || !info.IsDir() {
				return usageError{i18n.Errorf("cli.out_dir_not_dir", map[string]any{"Dir": outDir})}
			}
			client, stop, verify, err := f.connect(a.stderr)
			if err != nil {
				return err
			}
			defer stop()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			l := &flow.AadhaarListener{Client: client, Opts: flow.AadhaarOptions{Verify: verify},
				Output: func(r *aadhaar.Request) string { return filepath.Join(outDir, r.ID+".pdf") },
				Status: func(r *aadhaar.Request) {
					fmt.Fprintln(a.stderr, "signet: "+i18n.T("cli.aadhaar.request", map[string]any{"ID": r.ID, "Status": r.Status, "Progress": flow.AadhaarProgress(r)}))
				},
				Done: func(r *aadhaar.Request, out string, rep *pdf.Report, err error) {
					if err != nil {
						fmt.Fprintln(a.stderr, i18n.T("cli.error", map[string]any{"Error": i18n.T("cli.aadhaar.request_failed", map[string]any{"ID": r.ID, "Error": i18n.Line(err)})}))
						return
					}
					fmt.Fprintln(a.stdout, i18n.T("cli.aadhaar.signed", map[string]any{"File": out, "Count": len(rep.Signatures)}))
				}}
			ctx, cancel := context.WithCancel(c.Context())
			defer cancel()
			go l.Run(ctx)
			srv := &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
			go func() {
				<-ctx.Done()
				srv.Close()
			}()
			fmt.Fprintln(a.stderr, i18n.T("cli.aadhaar.listening", map[string]any{"URL": "http://" + ln.Addr().String() + "/"}))
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8085", "address to listen on")
	c.Flags().StringVar(&outDir, "out-dir", "", "directory for the signed documents")
	return c
}
