package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/desktop"
	"github.com/signet-sign/signet/internal/escape"
)

// docEntry is one row of the document list.
type docEntry struct {
	path string
	// info is nil until the document has been read.
	info *flow.Document
}

// documents is the list of documents to sign or check: PDFs, ASiC-E
// containers, and other files (signed into a new container).
type documents struct {
	app       *App
	mu        sync.Mutex // guards entries for readers off the UI goroutine
	entries   []*docEntry
	list      *widget.List
	selected  int
	reportBtn *widget.Button
	removeBtn *widget.Button
	extendBtn *widget.Button
	empty     *fyne.Container
}

func newDocuments(app *App) *documents {
	d := &documents{app: app, selected: -1}
	d.list = widget.NewList(d.length, d.create, d.update)
	d.list.OnSelected = func(id widget.ListItemID) {
		d.selected = id
		d.app.updateSignButton() // the selection is what is signed
		d.showPreview()
		d.reportBtn.Enable()
		d.removeBtn.Enable()
		// Extending for the archive is for signed documents: PDFs and
		// containers, not the other files.
		if e := d.entry(id); e != nil && d.extendable(e) {
			d.extendBtn.Enable()
		} else {
			d.extendBtn.Disable()
		}
	}
	d.list.OnUnselected = func(widget.ListItemID) {
		d.selected = -1
		d.app.updateSignButton()
		d.showPreview()
		d.reportBtn.Disable()
		d.removeBtn.Disable()
		d.extendBtn.Disable()
	}
	d.reportBtn = widget.NewButtonWithIcon(i18n.T("ui.verification_report"), theme.InfoIcon(), func() {
		if e := d.entry(d.selected); e != nil {
			d.app.showReport(e)
		}
	})
	d.reportBtn.Disable()
	d.removeBtn = widget.NewButtonWithIcon(i18n.T("ui.remove"), theme.ContentRemoveIcon(), d.removeSelected)
	d.removeBtn.Disable()
	d.extendBtn = widget.NewButtonWithIcon(i18n.T("ui.extend_archive"), theme.HistoryIcon(), func() {
		if e := d.entry(d.selected); e != nil {
			d.app.extendForArchive(e)
		}
	})
	d.extendBtn.Disable()
	hint := widget.NewLabelWithStyle(i18n.T("ui.drop_here"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	hint.Wrapping = fyne.TextWrapWord
	d.empty = container.NewVBox(layout.NewSpacer(), hint, layout.NewSpacer())
	return d
}

// extendable: a PDF or a container (by what reading it found, else by
// its name while it is being read).
func (d *documents) extendable(e *docEntry) bool {
	d.mu.Lock()
	info := e.info
	d.mu.Unlock()
	if info != nil {
		return !info.Other
	}
	return flow.IsPDF(e.path) || flow.IsContainer(e.path)
}

func (d *documents) view() fyne.CanvasObject {
	return container.NewStack(d.list, d.empty)
}

func (d *documents) length() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries)
}

// byPath is the entry of a document on the list, or nil.
func (d *documents) byPath(path string) *docEntry {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.entries {
		if e.path == path {
			return e
		}
	}
	return nil
}

func (d *documents) entry(i int) *docEntry {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i < 0 || i >= len(d.entries) {
		return nil
	}
	return d.entries[i]
}

func (d *documents) create() fyne.CanvasObject { return newRow(theme.DocumentIcon()) }

func (d *documents) update(i widget.ListItemID, o fyne.CanvasObject) {
	e := d.entry(i)
	if e == nil {
		return
	}
	r := describeDocument(e)
	setRow(o, r.icon, filepath.Base(e.path), r.details)
}

type docView struct {
	icon    fyne.Resource
	details string
}

func describeDocument(e *docEntry) docView {
	if e.info == nil {
		return docView{theme.DocumentIcon(), i18n.T("ui.reading")}
	}
	doc := e.info
	if doc.Err != nil {
		said, _ := i18n.Explain(doc.Err)
		if said == "" {
			return docView{theme.ErrorIcon(), i18n.T("docs.cannot_read_report")}
		}
		return docView{theme.ErrorIcon(), i18n.T("docs.cannot_read_why", map[string]any{"Err": escape.Text(said)})}
	}
	if doc.Locked {
		return docView{theme.LoginIcon(), doc.Verdict()}
	}
	if doc.Other {
		return docView{theme.FileIcon(), fmt.Sprintf("%s · %s", humanSize(doc.Size), doc.Verdict())}
	}
	if doc.Container != nil {
		icon := theme.StorageIcon()
		switch {
		case len(doc.Container.Signatures) == 0:
		case doc.Container.Valid():
			icon = theme.ConfirmIcon()
		default:
			icon = theme.ErrorIcon()
		}
		return docView{icon, fmt.Sprintf("%s · %s", humanSize(doc.Size), doc.Verdict())}
	}
	pages := i18n.N("docs.pages", doc.Pages)
	icon := theme.DocumentIcon()
	switch {
	case doc.Report == nil || len(doc.Report.Signatures) == 0:
	case doc.Report.Valid():
		icon = theme.ConfirmIcon()
	default:
		icon = theme.ErrorIcon()
	}
	return docView{icon, fmt.Sprintf("%s · %s · %s", pages, humanSize(doc.Size), doc.Verdict())}
}

// humanSize is a size in B, KB or MB.
func humanSize(n int64) string {
	switch {
	case n < 1024:
		return i18n.Number(n, 0) + " B"
	case n < 1024*1024:
		return i18n.Number(float64(n)/1024, 0) + " KB"
	}
	return i18n.Number(float64(n)/(1024*1024), 1) + " MB"
}

// add puts files on the list (each once; folders are not files) and
// reads them in the background.
func (d *documents) add(paths []string) {
	var added []*docEntry
	d.mu.Lock()
	for _, p := range paths {
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		if slices.ContainsFunc(d.entries, func(e *docEntry) bool { return e.path == abs }) {
			continue
		}
		e := &docEntry{path: abs}
		d.entries = append(d.entries, e)
		added = append(added, e)
	}
	d.mu.Unlock()
	d.refreshView()
	verify := d.app.verifyOptions()
	for _, e := range added {
		d.app.run(func() {
			info := flow.InspectDocument(context.Background(), e.path, verify)
			d.app.do(func() {
				d.mu.Lock()
				e.info = &info
				d.mu.Unlock()
				d.refreshView()
				if p := d.app.preview; p != nil && (p.path == e.path || p.path == "") {
					d.showPreview() // read now: its page can be shown
				}
			})
		})
	}
}

// showPreview shows the selected document, else the first, in the
// preview.
func (d *documents) showPreview() {
	if d.app.preview == nil {
		return
	}
	e := d.entry(d.selected)
	if e == nil {
		e = d.entry(0)
	}
	d.app.preview.show(e)
}

func (d *documents) refreshView() {
	if d.length() == 0 {
		d.empty.Show()
	} else {
		d.empty.Hide()
	}
	d.list.Refresh()
	d.app.updateSignButton()
}

func (d *documents) removeSelected() {
	d.mu.Lock()
	if d.selected >= 0 && d.selected < len(d.entries) {
		d.entries = slices.Delete(d.entries, d.selected, d.selected+1)
	}
	d.mu.Unlock()
	d.list.UnselectAll()
	d.refreshView()
	d.showPreview()
}

// signable are the documents a signing takes: all on the list. One that
// cannot be read is tried too and reported with its reason, so the
// results account for every document the person chose.
func (d *documents) signable() (take []*docEntry, skipped []signSkip) {
	if e := d.entry(d.selected); e != nil {
		return []*docEntry{e}, nil // the person chose it, whatever it holds
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.entries {
		var why string
		if e.info != nil { // one still being read is taken
			why = e.info.LeftOutOfAll()
		}
		if why != "" {
			skipped = append(skipped, signSkip{e, why})
			continue
		}
		take = append(take, e)
	}
	return take, skipped
}

// signSkip is a document signing all leaves out, and why.
type signSkip struct {
	entry *docEntry
	why   string
}

// all are every document on the list.
func (d *documents) all() []*docEntry {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.entries)
}

// openDialog asks for files with the desktop's own file chooser (the
// portal: several at once, PDFs and containers first, any file to sign
// into a container), or Fyne's where the desktop has none (one file).
func (d *documents) openDialog() {
	filters := []desktop.Filter{
		{Name: i18n.T("ui.filter.documents"), Patterns: []string{"*.pdf", "*.PDF", "*.asice", "*.sce", "*.edoc", "*.bdoc"}},
		{Name: i18n.T("ui.filter.all"), Patterns: []string{"*"}},
	}
	d.app.run(func() {
		// The chooser can stay open long; closing the window ends it.
		paths, err := desktop.OpenFiles(d.app.alive, i18n.T("ui.open_pdf"), "", filters, true)
		d.app.do(func() {
			switch {
			case err == nil:
				d.add(paths)
			case errors.Is(err, desktop.ErrNoPortal):
				d.fyneOpenDialog()
			case !errors.Is(err, desktop.ErrCancelled):
				d.app.showError(i18n.T("ui.err.open_file"), err)
			}
		})
	})
}

// fyneOpenDialog is Fyne's file chooser: one file at a time.
func (d *documents) fyneOpenDialog() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			d.app.showError(i18n.T("ui.err.open_file"), err)
			return
		}
		if r == nil {
			return
		}
		r.Close()
		d.add([]string{r.URI().Path()})
	}, d.app.win)
	fd.Resize(d.app.dialogSize())
	fd.Show()
}

// openFolderDialog adds every PDF and container of a folder (a clerk's
// day of documents).
func (d *documents) openFolderDialog() {
	fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			d.app.showError(i18n.T("ui.err.open_folder"), err)
			return
		}
		if u == nil {
			return
		}
		paths, err := pdfsIn(u.Path())
		if err != nil {
			d.app.showError(i18n.T("ui.err.read_folder"), err)
			return
		}
		if len(paths) == 0 {
			d.app.setStatus("%s", i18n.T("ui.status.no_pdfs", map[string]any{"Folder": u.Path()}))
			return
		}
		d.add(paths)
	}, d.app.win)
	fd.Resize(d.app.dialogSize())
	fd.Show()
}

// pdfsIn lists the PDFs and containers directly in dir, by name.
func pdfsIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && (flow.IsPDF(e.Name()) || flow.IsContainer(e.Name())) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// newRow is a list row: an icon, a bold title and a line of details.
func newRow(icon fyne.Resource) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	details := widget.NewLabel("")
	details.Truncation = fyne.TextTruncateEllipsis
	details.SizeName = theme.SizeNameCaptionText
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, container.NewVBox(title, details))
}

// setRow fills a row made by newRow.
func setRow(o fyne.CanvasObject, icon fyne.Resource, title, details string) {
	c := o.(*fyne.Container)
	text := c.Objects[0].(*fyne.Container)
	c.Objects[1].(*widget.Icon).SetResource(icon)
	text.Objects[0].(*widget.Label).SetText(title)
	text.Objects[1].(*widget.Label).SetText(details)
}
