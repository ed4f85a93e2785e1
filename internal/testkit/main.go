// Command testkit prepares what benchmark scripts need, with the same code
// the tests use:
//
//	go run ./internal/testkit token DIR          SoftHSM2 test tokens in DIR;
//	                                            prints shell assignments
//	go run ./internal/testkit pdf -pages N -pad BYTES OUT.pdf
//	go run ./internal/testkit module               path of libsofthsm2.so
//	go run ./internal/testkit hostile DIR          one crafted PDF of each
//	                                            hostile class in DIR
//	go run ./internal/testkit floor DIR N BYTES JOBS
//	                                            the file system's floor for a
//	                                            batch: N files of BYTES written
//	                                            as Signet writes outputs (temp
//	                                            file, fsync, rename), JOBS at
//	                                            once; prints files/s
package main

import (
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/signet-sign/signet/internal/atomicfile"

	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testhostile"
	"github.com/signet-sign/signet/internal/testpdf"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: testkit token DIR | testkit pdf [-pages N] [-pad BYTES] OUT.pdf")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "token":
		err = token(os.Args[2:])
	case "pdf":
		err = makePDF(os.Args[2:])
	case "hostile":
		err = hostile(os.Args[2:])
	case "floor":
		err = floor(os.Args[2:])
	case "module":
		var m string
		if m, err = softhsmtest.ModulePath(); err == nil {
			fmt.Println(m)
		}
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testkit:", err)
		os.Exit(1)
	}
}

func token(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: testkit token DIR")
	}
	dir, err := filepath.Abs(args[0])
	if err != nil {
		return err
	}
	env, err := softhsmtest.Setup(dir)
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"root.pem":         env.PKI.Root.Cert.Raw,
		"intermediate.pem": env.PKI.Intermediate.Cert.Raw,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: data}), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("SOFTHSM2_CONF=%s\nMODULE=%s\nPIN=%s\n", env.Conf, env.Module, softhsmtest.PIN)
	return nil
}

func makePDF(args []string) error {
	fs := flag.NewFlagSet("pdf", flag.ExitOnError)
	pages := fs.Int("pages", 1, "pages")
	pad := fs.Int64("pad", 0, "bytes of incompressible padding")
	fs.Parse(args)
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: testkit pdf [-pages N] [-pad BYTES] OUT.pdf")
	}
	return testpdf.WriteFile(fs.Arg(0), testpdf.Options{Pages: *pages, PadBytes: *pad})
}

func hostile(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: testkit hostile DIR")
	}
	files := testhostile.All()
	// The 6 KB double-Flate file of the benchmark: nine kids.
	files = append(files, testhostile.File{Name: "double-flate-6k", Data: testhostile.DoubleFlatePages(9)})
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(args[0], f.Name+".pdf"), f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func floor(args []string) error {
	if len(args) != 4 {
		return fmt.Errorf("usage: testkit floor DIR N BYTES JOBS")
	}
	dir := args[0]
	n, err1 := strconv.Atoi(args[1])
	size, err2 := strconv.Atoi(args[2])
	jobs, err3 := strconv.Atoi(args[3])
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	data := make([]byte, size)
	next := make(chan int)
	errs := make(chan error, jobs)
	start := time.Now()
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := atomicfile.Write(filepath.Join(dir, fmt.Sprintf("floor%d.pdf", i)), func(w io.Writer) error {
					_, err := w.Write(data)
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("%.0f\n", float64(n)/time.Since(start).Seconds())
	return nil
}
