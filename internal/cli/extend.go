package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

func (a *app) extendCommand() *cobra.Command {
	var (
		level, tsa, out, outDir, backup string
		trust                           []string
		renew, inPlace, force, asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "extend [--level B-LT|B-LTA] --tsa URL [options] FILE.pdf|FILE.edoc...",
		Short: i18n.T("cmd.extend.short"),
		Long: `Add to signed PDFs — whoever signed them — what keeps them verifiable for
the long term: for every signature and timestamp, its certificates and
their revocation status (OCSP or CRL) in a Document Security Store
(B-LT), then a document timestamp over it all (B-LTA). A signature whose
time nothing proves yet first gets a document timestamp.

ASiC-E containers (.asice, .edoc…): each XAdES signature, whoever made it,
gets what it lacks — a signature timestamp, CertificateValues and
RevocationValues (B-LT), then an archive timestamp (B-LTA); issuers a
signature does not carry are fetched from its certificate's AIA. The other
entries are copied byte for byte.

--renew, on a B-LTA file, adds fresh validation data for its newest
document timestamp and a new one over it: an archive is renewed before
that timestamp's certificate expires ('signet verify' says when).

Each result is written only once checked: every signature intact before
is intact after, at the level asked. Outputs are NAME-extended.pdf beside
each file, or in --out-dir; --in-place replaces each file after keeping
the original as FILE<backup> (--backup, default .orig).`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			lvl := pdf.Level(strings.ToUpper(level))
			if renew {
				lvl = pdf.LevelBLTA
			}
			if lvl != pdf.LevelBLT && lvl != pdf.LevelBLTA {
				return usageError{i18n.Errorf("cli.extend.level", map[string]any{"Level": level})}
			}
			if tsa == "" {
				return usageError{i18n.Errorf("cli.extend.tsa_required", nil)}
			}
			if inPlace && (out != "" || outDir != "") {
				return usageError{i18n.Errorf("cli.extend.in_place_output", nil)}
			}
			if inPlace && backup == "" {
				return usageError{i18n.Errorf("cli.extend.in_place_backup", nil)}
			}
			roots, err := loadTrust(trust)
			if err != nil {
				return usageError{err}
			}
			var jobs []flow.Job
			if inPlace {
				for _, f := range files {
					jobs = append(jobs, flow.Job{Input: f, Output: f})
				}
			} else {
				if out != "" && len(files) > 1 {
					return usageError{i18n.Errorf("cli.one_output_files", nil)}
				}
				jobs, err = outputJobs(files, out, outDir)
				if err != nil {
					return err
				}
				if out == "" {
					for i, j := range jobs {
						jobs[i].Output = flow.OutputPathSuffix(j.Input, outDir, "-extended")
					}
				}
			}
			password, asker, err := a.documentPasswords()
			if err != nil {
				return usageError{err}
			}
			pool := keys.SystemPoolWith(roots)
			results := flow.ExtendPDFs(cmd.Context(), jobs, flow.ExtendOptions{
				Password: password, Passwords: asker,
				Level: lvl, Renew: renew, Timestamper: &pdf.TSAClient{URL: tsa},
				LTV: pdf.LTVOptions{Roots: pool}, Verify: pdf.VerifyOptions{ExtraRoots: roots},
				Backup: backup, Overwrite: force, Progress: a.progress(len(jobs)),
			})
			return a.reportSigned(results, asJSON, false)
		},
	}
	f := cmd.Flags()
	f.StringVar(&level, "level", "B-LTA", "B-LT (validation data) or B-LTA (and a document timestamp)")
	f.StringVar(&tsa, "tsa", "", "RFC 3161 timestamp authority URL")
	f.StringArrayVar(&trust, "trust", nil, "root certificates the chains end at (PEM/DER file or directory)")
	f.BoolVar(&renew, "renew", false, "renew B-LTA files: fresh validation data and a new document timestamp")
	f.StringVarP(&out, "output", "o", "", "output file (one input)")
	f.StringVar(&outDir, "out-dir", "", "directory for the outputs")
	f.BoolVar(&inPlace, "in-place", false, "replace each file, keeping the original as FILE<backup>")
	f.StringVar(&backup, "backup", ".orig", "suffix of the original kept by --in-place")
	f.BoolVar(&force, "force", false, "overwrite existing outputs")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.StringVar(&a.passwordFile, "password-file", "", passwordFileHelp)
	return cmd
}
