package flow

import (
	"context"
	"crypto"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/internal/atomicfile"
	"github.com/signet-sign/signet/keys"
)

// SignContainer signs files (any kind, by their base names) into a new
// ASiC-E container at out with signer: a XAdES baseline B-B signature. The
// container is read back and its signature verified before it is written
// (atomically); an existing out is replaced only with overwrite.
func SignContainer(ctx context.Context, signer keys.Signer, files []string, out string, overwrite bool) error {
	if err := checkOutput(out, overwrite); err != nil {
		return err
	}
	var data []asice.File
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		if seen[name] {
			return fmt.Errorf("two files are named %s: a container holds each name once", name)
		}
		seen[name] = true
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		data = append(data, asice.File{Name: name, Data: b})
	}
	p, err := asice.Prepare(data, signer.Certificate(), time.Now())
	if err != nil {
		return err
	}
	sig, err := signer.SignContext(ctx, p.Digest(), crypto.SHA256)
	if err != nil {
		return err
	}
	container, err := p.Finish(sig)
	if err != nil {
		return err
	}
	return atomicfile.WriteChecked(out, func(w io.Writer) error {
		_, err := w.Write(container)
		return err
	}, func(r io.ReaderAt, size int64) error {
		c, err := asice.Open(r, size, asice.Limits{})
		if err != nil {
			return err
		}
		reps := c.Verify(asice.VerifyOptions{Intermediates: signer.Chain()})
		if !c.Valid() || len(reps) != 1 || len(reps[0].Covers) != len(files) {
			return fmt.Errorf("the container does not read back as signed (%v)", c.Checks)
		}
		for _, k := range reps[0].Checks {
			if k.Name != "certificate" && k.Status == asice.Failed {
				return fmt.Errorf("the container's signature does not verify: %s: %s", k.Name, k.Detail)
			}
		}
		return nil
	})
}
