package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// catalogue reads one language's catalogue: id → a string, or a map of
// plural forms.
func catalogue(t *testing.T, tag string) map[string]any {
	t.Helper()
	data, err := locales.ReadFile("locales/" + tag + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", tag, err)
	}
	return m
}

// pluralForms are the CLDR cardinal categories each language needs.
var pluralForms = map[string][]string{
	"en":    {"one", "other"},
	"lv":    {"zero", "one", "other"},
	"pt-PT": {"one", "many", "other"},
	"vi":    {"other"},
	"hi":    {"one", "other"},
	"fr":    {"one", "many", "other"},
}

// TestCataloguesComplete: every language has every message of English,
// no other, with the plural forms its rules need.
func TestCataloguesComplete(t *testing.T) {
	en := catalogue(t, "en")
	for _, l := range Languages {
		c := catalogue(t, l.Tag)
		for id, src := range en {
			tr, ok := c[id]
			if !ok {
				t.Errorf("%s: %q is missing", l.Tag, id)
				continue
			}
			_, srcPlural := src.(map[string]any)
			forms, trPlural := tr.(map[string]any)
			if srcPlural != trPlural {
				t.Errorf("%s: %q is plural in one catalogue and not in the other", l.Tag, id)
				continue
			}
			if trPlural {
				var got []string
				for f := range forms {
					got = append(got, f)
				}
				slices.Sort(got)
				want := slices.Clone(pluralForms[l.Tag])
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s: %q has forms %v, the language needs %v", l.Tag, id, got, want)
				}
			}
		}
		for id := range c {
			if _, ok := en[id]; !ok {
				t.Errorf("%s: %q is not an English message", l.Tag, id)
			}
		}
	}
}

// usedIDs finds the message ids the code asks for: string literals given
// to i18n.T, N and In (and to this package's own calls).
func usedIDs(t *testing.T) map[string]string {
	t.Helper()
	used := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			// Ids handed on to be said later (the checks of PDF and
			// container verification) are literals of their own:
			// "verify.check.…", "asice.…", and the words of a service's
			// error codes and statuses: "aadhaar.…", "remotesigning.code.…",
			// "certeurope.status.…", "certeurope.order.…", "cmd.err.…".
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if id, _ := strconv.Unquote(lit.Value); strings.HasPrefix(id, "verify.check.") || strings.HasPrefix(id, "asice.") || strings.HasPrefix(id, "aadhaar.") || strings.HasPrefix(id, "remotesigning.code.") || strings.HasPrefix(id, "certeurope.status.") || strings.HasPrefix(id, "certeurope.order.") || strings.HasPrefix(id, "cmd.err.") {
					used[id] = fset.Position(lit.Pos()).String()
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name, arg := "", 0
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "i18n" {
					name = fn.Sel.Name
				}
			case *ast.Ident:
				if strings.HasSuffix(path, "i18n/i18n.go") {
					name = fn.Name
				}
			}
			switch name {
			case "T", "N", "Errorf":
			case "In":
				arg = 1
			default:
				return true
			}
			if len(call.Args) > arg {
				if lit, ok := call.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					id, _ := strconv.Unquote(lit.Value)
					used[id] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used
}

// TestCatalogueMatchesCode: every id the code asks for is in the
// catalogue, and the catalogue has no message the code no longer uses.
func TestCatalogueMatchesCode(t *testing.T) {
	en := catalogue(t, "en")
	used := usedIDs(t)
	for id, where := range used {
		if _, ok := en[id]; !ok {
			t.Errorf("%s asks for %q, which the catalogue lacks", where, id)
		}
	}
	for id := range en {
		if _, ok := used[id]; !ok {
			t.Errorf("the catalogue has %q, which no code uses", id)
		}
	}
}

func TestPlurals(t *testing.T) {
	for _, tc := range []struct {
		lang  string
		count int
		want  string
	}{
		{"lv", 0, "0 lappušu"},
		{"lv", 1, "1 lappuse"},
		{"lv", 2, "2 lappuses"},
		{"lv", 10, "10 lappušu"},
		{"lv", 11, "11 lappušu"},
		{"lv", 21, "21 lappuse"},
		{"lv", 22, "22 lappuses"},
		{"hi", 0, "0 पृष्ठ"},
		{"hi", 1, "1 पृष्ठ"},
		{"en", 1, "1 page"},
		{"en", 0, "0 pages"},
		{"pt-PT", 1, "1 página"},
		{"pt-PT", 0, "0 páginas"},
		{"fr", 0, "0 page"},
		{"fr", 2, "2 pages"},
		{"vi", 3, "3 trang"},
	} {
		if got := In(For(tc.lang), "docs.pages", tc.count); got != tc.want {
			t.Errorf("%s, %d: %q, want %q", tc.lang, tc.count, got, tc.want)
		}
	}
	// Hindi's verb agrees: one form for 0 and 1, another from 2.
	if one, two := In(For("hi"), "pin.tries_left", 1), In(For("hi"), "pin.tries_left", 2); !strings.HasSuffix(one, "शेष है।") || !strings.HasSuffix(two, "शेष हैं।") {
		t.Errorf("Hindi plural: %q, %q", one, two)
	}
	// Latvian documents: 1 and 21 singular, 2 plural, 0 (like 10–20) the
	// genitive plural.
	for n, want := range map[int]string{0: "Parakstīt 0 dokumentu", 1: "Parakstīt 1 dokumentu", 2: "Parakstīt 2 dokumentus", 21: "Parakstīt 21 dokumentu"} {
		if got := In(For("lv"), "app.sign_button", n); got != want {
			t.Errorf("Latvian %d documents: %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{0: "0 दस्तावेज़ पर हस्ताक्षर करें", 1: "1 दस्तावेज़ पर हस्ताक्षर करें", 2: "2 दस्तावेज़ों पर हस्ताक्षर करें"} {
		if got := In(For("hi"), "app.sign_button", n); got != want {
			t.Errorf("Hindi %d documents: %q, want %q", n, got, want)
		}
	}
}

func TestDatesAndChoice(t *testing.T) {
	day := time.Date(2026, 3, 7, 14, 5, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "2026-03-07", "lv": "07.03.2026.", "pt-PT": "07/03/2026", "vi": "07/03/2026", "hi": "07-03-2026", "fr": "07/03/2026"} {
		Set(lang)
		if got := Date(day); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	Set("en")
	for in, want := range map[string]string{"lv_LV.UTF-8": "lv", "pt_BR.UTF-8": "pt-PT", "pt": "pt-PT", "hi_IN": "hi", "vi-VN": "vi", "fr_CA.UTF-8@euro": "fr",
		"C": "en", "POSIX": "en", "": "en", "de_DE.UTF-8": "en", "C.UTF-8": "en", "nonsense!!": "en"} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	t.Setenv("SIGNET_LANG", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "fr_FR.UTF-8")
	t.Setenv("LANG", "lv_LV.UTF-8")
	if got := Match(FromEnvironment()); got != "fr" {
		t.Errorf("LC_MESSAGES before LANG: %q", got)
	}
	os.Unsetenv("LC_MESSAGES")
	if got := Match(FromEnvironment()); got != "lv" {
		t.Errorf("LANG: %q", got)
	}
	t.Setenv("SIGNET_LANG", "hi")
	if got := Match(FromEnvironment()); got != "hi" {
		t.Errorf("SIGNET_LANG first: %q", got)
	}
	if got := In(For("xx"), "no.such.message", -1); got != "no.such.message" {
		t.Errorf("a missing message reads %q", got)
	}
}

// TestNumbers: counts and sizes as each language writes them.
func TestNumbers(t *testing.T) {
	defer Set("en")
	for lang, want := range map[string][2]string{
		"en": {"1,234 pages", "2.5"},
		"lv": {"1 234 lappuses", "2,5"},
		"fr": {"1 234 pages", "2,5"},
		"vi": {"1.234 trang", "2,5"},
		"hi": {"1,234 पृष्ठ", "2.5"},
	} {
		Set(lang)
		got, num := N("docs.pages", 1234), Number(2.5, 1)
		// CLDR groups with a (narrow) no-break space in Latvian and French.
		norm := strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(got)
		if norm != want[0] || num != want[1] {
			t.Errorf("%s: %q (%q), %q; want %q, %q", lang, got, norm, num, want[0], want[1])
		}
	}
}
