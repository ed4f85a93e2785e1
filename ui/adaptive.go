package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/i18n"
)

// The window fits a small screen (800×600) in every language: the three
// columns become three tabs when they do not fit side by side, and the
// toolbar's buttons lose their words (the menu keeps them) when the words
// do not fit.

// columns shows its three panes side by side in splits when the width
// allows their minimum sizes; else the first beside the other two in
// tabs; else the three in tabs. Each pane is shown by one container at
// a time: the containers are made again when the mode changes.
type columns struct {
	widget.BaseWidget
	panes   []fyne.CanvasObject
	names   []string
	mode    int // 3: side by side, 2: first beside tabs, 1: tabs
	current fyne.CanvasObject
	tabs    *container.AppTabs
}

func newColumns(names []string, panes ...fyne.CanvasObject) *columns {
	c := &columns{panes: panes, names: names}
	c.ExtendBaseWidget(c)
	return c
}

// need is the width panes side by side need.
func need(panes ...fyne.CanvasObject) float32 {
	var w float32
	for _, p := range panes {
		w += p.MinSize().Width + theme.Padding()*2
	}
	return w
}

// widest is the size of the widest of panes, in tabs.
func widest(panes ...fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, p := range panes {
		m := p.MinSize()
		w, h = max(w, m.Width), max(h, m.Height)
	}
	return fyne.NewSize(w, h+theme.TextSize()*3)
}

func (c *columns) MinSize() fyne.Size { return widest(c.panes...) }

// modeFor is the mode a width allows.
func (c *columns) modeFor(width float32) int {
	switch {
	case width >= need(c.panes...):
		return 3
	case width >= need(c.panes[0])+widest(c.panes[1:]...).Width+theme.Padding()*2:
		return 2
	}
	return 1
}

// build makes the containers of a mode.
func (c *columns) build(mode int) {
	if mode == c.mode && c.current != nil {
		return
	}
	c.mode = mode
	tabs := func(from int) *container.AppTabs {
		var items []*container.TabItem
		for i := from; i < len(c.panes); i++ {
			items = append(items, container.NewTabItem(c.names[i], c.panes[i]))
		}
		return container.NewAppTabs(items...)
	}
	switch mode {
	case 3:
		inner := container.NewHSplit(c.panes[1], c.panes[2])
		inner.Offset = 0.52
		outer := container.NewHSplit(c.panes[0], inner)
		outer.Offset = 0.34
		c.current, c.tabs = outer, nil
	case 2:
		c.tabs = tabs(1)
		outer := container.NewHSplit(c.panes[0], c.tabs)
		outer.Offset = 0.42
		c.current = outer
	default:
		c.tabs = tabs(0)
		c.current = c.tabs
	}
}

// Mode is how many columns show side by side (tests).
func (c *columns) Mode() int { return c.mode }

// ShowPane brings pane i forward when it is in a tab.
func (c *columns) ShowPane(i int) {
	switch {
	case c.mode == 2 && i > 0:
		c.tabs.SelectIndex(i - 1)
	case c.mode == 1:
		c.tabs.SelectIndex(i)
	}
}

func (c *columns) CreateRenderer() fyne.WidgetRenderer {
	c.build(3)
	return &columnsRenderer{c: c}
}

type columnsRenderer struct{ c *columns }

func (r *columnsRenderer) Layout(size fyne.Size) {
	r.c.build(r.c.modeFor(size.Width))
	r.c.current.Move(fyne.NewPos(0, 0))
	r.c.current.Resize(size)
}

func (r *columnsRenderer) MinSize() fyne.Size { return r.c.MinSize() }
func (r *columnsRenderer) Refresh() {
	r.Layout(r.c.Size())
	r.c.current.Refresh()
}
func (r *columnsRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.c.current} }
func (r *columnsRenderer) Destroy()                     {}

// toolbar is a row of buttons, some at its end, that shows their words
// when they fit and their icons alone when they do not.
type toolbar struct {
	widget.BaseWidget
	start, end []*widget.Button
	words      map[*widget.Button]string
	compact    bool
}

func newToolbar(start []*widget.Button, end ...*widget.Button) *toolbar {
	t := &toolbar{start: start, end: end, words: map[*widget.Button]string{}}
	for _, b := range append(append([]*widget.Button{}, start...), end...) {
		t.words[b] = b.Text
	}
	t.ExtendBaseWidget(t)
	return t
}

// wordsWidth is the width the buttons need with their words.
func (t *toolbar) wordsWidth() float32 {
	var w float32
	for b, text := range t.words {
		w += b.MinSize().Width
		if t.compact {
			w += fyne.MeasureText(text, theme.TextSize(), buttonText).Width + theme.InnerPadding()
		}
	}
	return w + float32(len(t.words)+1)*theme.Padding()
}

func (t *toolbar) setCompact(compact bool) {
	if compact == t.compact {
		return
	}
	t.compact = compact
	for b, text := range t.words {
		if compact {
			b.SetText("")
		} else {
			b.SetText(text)
		}
	}
}

// Compact tells whether the buttons show their icons alone (tests).
func (t *toolbar) Compact() bool { return t.compact }

func (t *toolbar) CreateRenderer() fyne.WidgetRenderer {
	var objs []fyne.CanvasObject
	for _, b := range t.start {
		objs = append(objs, b)
	}
	objs = append(objs, layout.NewSpacer())
	for _, b := range t.end {
		objs = append(objs, b)
	}
	box := container.NewHBox(objs...)
	return &toolbarRenderer{t: t, box: box}
}

type toolbarRenderer struct {
	t   *toolbar
	box *fyne.Container
}

func (r *toolbarRenderer) Layout(size fyne.Size) {
	r.t.setCompact(r.t.wordsWidth() > size.Width)
	r.box.Resize(size)
}

func (r *toolbarRenderer) MinSize() fyne.Size {
	// Icons alone: what the smallest window needs.
	var w, h float32
	for b := range r.t.words {
		m := b.MinSize()
		if !r.t.compact {
			m.Width -= fyne.MeasureText(b.Text, theme.TextSize(), buttonText).Width + theme.InnerPadding()
		}
		w += m.Width + theme.Padding()
		h = max(h, m.Height)
	}
	return fyne.NewSize(w, h)
}

func (r *toolbarRenderer) Refresh()                     { r.box.Refresh() }
func (r *toolbarRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.box} }
func (r *toolbarRenderer) Destroy()                     {}

// buttonText is the style of a button's words.
var buttonText = fyne.TextStyle{Bold: true}

// paneNames are the tabs' names when the columns do not fit.
func paneNames() []string {
	return []string{i18n.T("ui.documents"), i18n.T("ui.sign_with"), i18n.T("ui.signature")}
}
