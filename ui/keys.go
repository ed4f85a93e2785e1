package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/i18n"
)

// The keyboard: every action of the window is in the main menu with its
// shortcut. Fyne gives main-menu shortcuts precedence over the focused
// widget, so Ctrl+O and Ctrl+Enter work while a text field has focus
// (a shortcut on the canvas alone reaches it only when nothing is
// focused). Dialogs answer Enter (their main button) and Escape (cancel,
// close).

// mainMenu is the window's menu: its actions and their shortcuts.
func (a *App) mainMenu() *fyne.MainMenu {
	item := func(label string, key fyne.KeyName, mod fyne.KeyModifier, action func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, action)
		it.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		return it
	}
	ctrl := fyne.KeyModifierShortcutDefault
	withSelected := func(f func(*docEntry)) func() {
		return func() {
			if e := a.docs.entry(a.docs.selected); e != nil {
				f(e)
			}
		}
	}
	a.menu = fyne.NewMainMenu(
		fyne.NewMenu(i18n.T("menu.file"),
			item(i18n.T("menu.open"), fyne.KeyO, ctrl, a.docs.openDialog),
			item(i18n.T("menu.open_folder"), fyne.KeyO, ctrl|fyne.KeyModifierShift, a.docs.openFolderDialog),
			fyne.NewMenuItemSeparator(),
			item(i18n.T("menu.sign"), fyne.KeyReturn, ctrl, a.startSigning),
			item(i18n.T("menu.report"), fyne.KeyR, ctrl, withSelected(a.showReport)),
			item(i18n.T("menu.extend"), fyne.KeyE, ctrl, withSelected(a.extendForArchive)),
			item(i18n.T("menu.remove"), fyne.KeyDelete, ctrl, a.docs.removeSelected),
			fyne.NewMenuItemSeparator(),
			item(i18n.T("menu.settings"), fyne.KeyComma, ctrl, a.showSettings),
		),
	)
	return a.menu
}

// keyedDialog is a dialog that answers the keyboard.
type keyedDialog struct {
	d     dialog.Dialog
	enter func()
}

// keyed shows d answering the keyboard: Escape closes it without its
// action (Cancel, No), Enter does what enter does (nil: close it). The
// window's focus is let go, so the keys reach the dialog.
func (a *App) keyed(d dialog.Dialog, enter func()) {
	k := &keyedDialog{d: d, enter: enter}
	a.dialogs = append(a.dialogs, k)
	d.SetOnClosed(func() {
		if i := slices.Index(a.dialogs, k); i >= 0 {
			a.dialogs = slices.Delete(a.dialogs, i, i+1)
		}
	})
	a.win.Canvas().Unfocus()
	d.Show()
}

// typedKey is a key typed with no widget focused: Enter and Escape go to
// the dialog on top.
func (a *App) typedKey(ev *fyne.KeyEvent) {
	if len(a.dialogs) == 0 {
		return
	}
	top := a.dialogs[len(a.dialogs)-1]
	switch ev.Name {
	case fyne.KeyEscape:
		top.d.Hide()
	case fyne.KeyReturn, fyne.KeyEnter:
		if top.enter != nil {
			top.enter()
			return
		}
		top.d.Hide()
	}
}

// escEntry is an entry that cancels its dialog on Escape (an entry
// keeps the keys typed in it from the window).
type escEntry struct {
	widget.Entry
	onEscape func()
}

// newEscEntry is an entry; a password entry hides what is typed, with a
// button to show it (as widget.NewPasswordEntry's).
func newEscEntry(password bool) *escEntry {
	e := &escEntry{}
	e.ExtendBaseWidget(e)
	if password {
		e.Password = true
		e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
		var reveal *widget.Button
		reveal = widget.NewButtonWithIcon("", theme.VisibilityOffIcon(), func() {
			e.Password = !e.Password
			if e.Password {
				reveal.SetIcon(theme.VisibilityOffIcon())
			} else {
				reveal.SetIcon(theme.VisibilityIcon())
			}
			e.Refresh()
		})
		reveal.Importance = widget.LowImportance
		e.ActionItem = reveal
	}
	return e
}

func (e *escEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

// newSelect is a choice whose placeholder is in the person's language
// (Fyne's own is "(Select one)").
func newSelect(options []string, changed func(string)) *widget.Select {
	s := widget.NewSelect(options, changed)
	s.PlaceHolder = i18n.T("ui.select_one")
	return s
}
