// Package i18n is Signet's one catalogue of what people read: the app's
// labels and dialogs, the CLI's verdicts and help, the words of visible
// signatures. Messages have ids ("verify.valid"); the sentence for a
// language comes from locales/<lang>.toml, English being the source.
// Lookups, template filling and CLDR plural rules (Latvian zero/one/other,
// Hindi one/other, Vietnamese other, …) are go-i18n's.
//
// Libraries below the edge (flow, pdf, the service clients) give ids and
// arguments; the app and the CLI choose the language and the sentence.
// Machine output (--json, --report jsonl, the agent's codes) never goes
// through here.
package i18n

import (
	"embed"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

//go:embed locales/*.toml
var locales embed.FS

// Languages are the languages Signet speaks, English first (the source and
// the fallback).
var Languages = []Lang{
	{Tag: "en", Name: "English"},
	{Tag: "lv", Name: "Latviešu"},
	{Tag: "pt-PT", Name: "Português"},
	{Tag: "vi", Name: "Tiếng Việt"},
	{Tag: "hi", Name: "हिन्दी"},
	{Tag: "fr", Name: "Français"},
}

// Lang is a language Signet speaks: its BCP 47 tag and its own name.
type Lang struct {
	Tag  string
	Name string
}

var (
	// bundle holds the catalogues loaded so far: English first, each
	// other language when it is first asked for (a CLI run reads two of
	// the six at most). bundleMu guards loading against lookups.
	bundle   *goi18n.Bundle
	bundleMu sync.RWMutex
	loaded   = map[string]bool{}

	mu        sync.RWMutex
	current   = "en"
	localizer *Localizer
)

// Localizer says messages in one language.
type Localizer struct {
	l   *goi18n.Localizer
	tag language.Tag
}

// ensure loads the catalogue of tag (a tag of Languages). English, the
// source, is loaded when it is asked for (For("en"): an error's English
// words), not with every language: each catalogue costs a command about
// 4 ms to parse, and every language's catalogue is complete (the tests
// say so), so none falls back to English.
func ensure(tag string) {
	bundleMu.RLock()
	done := loaded[tag]
	bundleMu.RUnlock()
	if done {
		return
	}
	bundleMu.Lock()
	defer bundleMu.Unlock()
	if bundle == nil {
		bundle = goi18n.NewBundle(language.English)
		bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	}
	if loaded[tag] {
		return
	}
	if _, err := bundle.LoadMessageFileFS(locales, "locales/"+tag+".toml"); err != nil {
		// The catalogues are embedded: a broken one is a build defect,
		// which the tests catch.
		panic(fmt.Errorf("i18n: %s catalogue: %w", tag, err))
	}
	loaded[tag] = true
}

// Match is the language Signet speaks closest to a locale or language
// name ("lv_LV.UTF-8", "pt-BR", "hi"), or "en": an unknown, "C" or
// "POSIX" locale falls back to English without a word.
func Match(locale string) string {
	locale = strings.TrimSpace(locale)
	if i := strings.IndexAny(locale, ".@"); i >= 0 {
		locale = locale[:i]
	}
	locale = strings.ReplaceAll(locale, "_", "-")
	if locale == "" || locale == "C" || locale == "POSIX" {
		return "en"
	}
	tag, err := language.Parse(locale)
	if err != nil {
		return "en"
	}
	base, _ := tag.Base()
	for _, l := range Languages {
		if b, _ := language.Make(l.Tag).Base(); b == base {
			return l.Tag
		}
	}
	return "en"
}

// FromEnvironment is the language the environment asks for: SIGNET_LANG,
// else the POSIX locale variables in their order of precedence (LC_ALL,
// LC_MESSAGES, LANG). "" when none is set.
func FromEnvironment() string {
	for _, v := range []string{"SIGNET_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return ""
}

// Set makes lang (a tag of Languages, or any locale Match reads) the
// language of T and N.
func Set(lang string) {
	tag := Match(lang)
	ensure(tag)
	l := &Localizer{goi18n.NewLocalizer(bundle, tag), language.Make(tag)}
	mu.Lock()
	current, localizer = tag, l
	mu.Unlock()
}

// Current is the language in use.
func Current() string {
	mu.RLock()
	defer mu.RUnlock()
	return current
}

func loc() *Localizer {
	mu.RLock()
	l := localizer
	mu.RUnlock()
	if l == nil {
		ensure("en")
		l = &Localizer{goi18n.NewLocalizer(bundle, "en"), language.English}
	}
	return l
}

// T is message id in the current language, its {{.Field}}s filled from
// data (a map or a struct). An id missing from the catalogue (a defect
// the tests catch) reads as the id itself, never as nothing.
func T(id string, data ...any) string {
	return In(loc(), id, -1, data...)
}

// N is T for a message with plural forms, chosen by count under the
// language's CLDR rules; data may use {{.Count}}.
func N(id string, count int, data ...any) string {
	return In(loc(), id, count, data...)
}

// For is a Localizer for one language, whatever the current one is (the
// words of a visible signature in the document's language).
func For(lang string) *Localizer {
	tag := Match(lang)
	ensure(tag)
	return &Localizer{goi18n.NewLocalizer(bundle, tag), language.Make(tag)}
}

// In is T (count < 0) or N in l's language.
func In(l *Localizer, id string, count int, data ...any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	var d any
	if len(data) > 0 {
		d = data[0]
	}
	if count >= 0 {
		// The rule chooses by the number; the sentence shows it as the
		// language writes numbers ("1 234" in Latvian, "1,234" in
		// English).
		cfg.PluralCount = count
		shown := message.NewPrinter(l.tag).Sprint(number.Decimal(count))
		if d == nil {
			d = map[string]any{"Count": shown}
		} else if m, ok := d.(map[string]any); ok {
			if _, has := m["Count"]; !has {
				m["Count"] = shown
			}
		}
	}
	cfg.TemplateData = localTimes(l, d)
	bundleMu.RLock()
	s, err := l.l.Localize(cfg)
	bundleMu.RUnlock()
	if err != nil || s == "" {
		return id
	}
	return s
}

// Sayer is a value a message holds that says itself in each language
// (a list of kinds of things, say): said when the message is.
type Sayer interface {
	SayIn(l *Localizer) string
}

// Say is s in the current language.
func Say(s Sayer) string { return s.SayIn(loc()) }

// Day is a calendar date, shown without a time of day.
type Day time.Time

// localTimes is data with its time.Time and Day values written as l's
// language writes them, in local time, and its Sayer values and errors
// that can say themselves said in it: a message keeps its times as
// times until it is said, so that one report reads in one format, the
// reader's. A time of day shows its zone.
func localTimes(l *Localizer, d any) any {
	m, ok := d.(map[string]any)
	if !ok {
		return d
	}
	var out map[string]any
	for k, v := range m {
		var s string
		switch v := v.(type) {
		case Sayer:
			s = v.SayIn(l)
		case Said:
			s = v.Say(l) // an error in a message: its words in the language
		case time.Time:
			s = v.Local().Format(In(l, "format.datetime", -1))
		case Day:
			s = time.Time(v).Local().Format(In(l, "format.date", -1))
		default:
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		out[k] = s
	}
	if out == nil {
		return d
	}
	return out
}

// Machine is data with its times in the form machine output keeps,
// the same everywhere: RFC 3339 in UTC, a Day as YYYY-MM-DD.
func Machine(d map[string]any) map[string]any {
	out, cloned := d, false
	for k, v := range d {
		var s string
		switch v := v.(type) {
		case Sayer:
			s = v.SayIn(For("en"))
		case time.Time:
			s = v.UTC().Format(time.RFC3339)
		case Day:
			s = time.Time(v).UTC().Format(time.DateOnly)
		default:
			continue
		}
		if !cloned {
			out, cloned = maps.Clone(d), true
		}
		out[k] = s
	}
	return out
}

// Number is n (an integer or a float) in the current language's format:
// its digit grouping and decimal separator (CLDR, through x/text).
// maxFraction bounds the decimals of a float.
func Number(n any, maxFraction int) string {
	p := message.NewPrinter(language.Make(Current()))
	return p.Sprint(number.Decimal(n, number.MaxFractionDigits(maxFraction)))
}

// Date is t as a date in the current language's format, in local time.
func Date(t time.Time) string {
	return t.Local().Format(T("format.date"))
}

// DateTime is t as a date and a time of day in the current language's
// format, in local time, with the zone.
func DateTime(t time.Time) string {
	return t.Local().Format(T("format.datetime"))
}

// Said is an error that can say itself in a language: its Error is the
// English (logs, machine output), Say the person's.
type Said interface {
	error
	Say(l *Localizer) string
}

// Error is an error whose words are a catalogue message.
type Error struct {
	ID   string
	Data map[string]any
	// Err is the cause, for errors.Is; its words are not repeated.
	Err error
}

// Errorf is an error saying message id with data.
func Errorf(id string, data map[string]any, cause ...error) error {
	e := &Error{ID: id, Data: data}
	if len(cause) > 0 {
		e.Err = cause[0]
	}
	return e
}

func (e *Error) Error() string           { return In(For("en"), e.ID, -1, Machine(e.Data)) }
func (e *Error) Say(l *Localizer) string { return In(l, e.ID, -1, e.Data) }
func (e *Error) Unwrap() error           { return e.Err }

// Explain splits err for a screen: said is the first error in its chain
// that can say itself, in the current language ("" when none can);
// detail is the whole English text when it says more than said does
// (what wraps it, an error from below) — a detail to show as such.
func Explain(err error) (said, detail string) {
	var s Said
	if !errors.As(err, &s) {
		return "", err.Error()
	}
	said = s.Say(loc())
	if full := err.Error(); full != s.Error() {
		detail = full
	}
	return said, detail
}

// Line is err in one line as a person reads it. In English it is the
// error's whole text. In another language it is what the catalogue says
// of it (see [Explain]), then the English text it came with (a file's
// name, a library's words) as its details; the whole English text when
// nothing in its chain can say itself.
func Line(err error) string {
	if Current() == "en" {
		return err.Error()
	}
	said, detail := Explain(err)
	switch {
	case said == "":
		return err.Error()
	case detail == "":
		return said
	}
	return said + " (" + T("ui.details", map[string]any{"Detail": detail}) + ")"
}
