package asice

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
)

// Data files are never held whole: their digests are computed as they
// stream from the zip, once per file and hash algorithm however many
// references point at them, and a cancelled context stops the hashing
// within a chunk.

// chunk is how much is hashed between looks at the context.
const chunk = 1 << 20

// copyContext copies src to dst, stopping when ctx ends.
func copyContext(ctx context.Context, dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, 64<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		m, err := io.CopyBuffer(dst, io.LimitReader(src, chunk), buf)
		n += m
		if err != nil {
			return n, err
		}
		if m < chunk {
			return n, nil
		}
	}
}

// writeFile streams the data file named name into w.
func (c *Container) writeFile(ctx context.Context, w io.Writer, name string) error {
	i := c.fileIndex(name)
	if i < 0 {
		return errors.New("the container has no such file")
	}
	rc, err := c.Files[i].Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := copyContext(ctx, w, rc); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: entry %q: %v", ErrDamaged, name, err)
	}
	return nil
}

// fileDigest is the h digest of the data file named name, computed once.
func (c *Container) fileDigest(ctx context.Context, name string, h crypto.Hash) ([]byte, error) {
	key := fileDigest{name, h}
	c.digestsMu.Lock()
	sum, ok := c.digests[key]
	c.digestsMu.Unlock()
	if ok {
		return sum, nil
	}
	d := h.New()
	if err := c.writeFile(ctx, d, name); err != nil {
		return nil, err
	}
	sum = d.Sum(nil)
	c.digestsMu.Lock()
	if c.digests == nil {
		c.digests = map[fileDigest][]byte{}
	}
	c.digests[key] = sum
	c.digestsMu.Unlock()
	return sum, nil
}

// digestFile is the h digest of f (a file to sign), streamed.
func digestFile(f File, h crypto.Hash) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	d := h.New()
	if _, err := io.Copy(d, rc); err != nil {
		return nil, fmt.Errorf("%w: entry %q: %v", ErrDamaged, f.Name, err)
	}
	return d.Sum(nil), nil
}
