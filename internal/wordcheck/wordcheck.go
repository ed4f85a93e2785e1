// Package wordcheck finds words for people written outside the message
// catalogue (i18n) in Go source: a sentence some languages would not
// get. The ui and cli packages' tests run it on their own files.
package wordcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Finding is one literal that reads as words for people.
type Finding struct {
	Pos     token.Position
	Literal string // as written, quoted
}

// Formatted finds the shapes words reach people in besides a widget's
// literal argument: a sentence in fmt.Sprintf, fmt.Errorf, errors.New
// or a fmt.Fprint* to any writer (a single word is one: "Page %s"), a
// phrase joined with +, a label in a table of rows (any literal of two
// words or more). Arguments of i18n, log and slog calls, the keys of
// template data and names compared with == are not words shown; neither
// is a literal on a line marked with an "i18n:skip" comment, which says
// why. Nor is anything under a node reference tells (nil: none), such as
// the command line's reference text, which the man pages share.
func Formatted(fset *token.FileSet, af *ast.File, reference func(ast.Node) bool) []Finding {
	var out []Finding
	skip := map[ast.Node]bool{}
	skipLines := map[int]bool{}
	for _, g := range af.Comments {
		if strings.Contains(g.Text(), "i18n:skip") {
			skipLines[fset.Position(g.Pos()).Line] = true
		}
	}
	flag := func(lit *ast.BasicLit) {
		out = append(out, Finding{fset.Position(lit.Pos()), lit.Value})
		skip[lit] = true
	}
	// sentence flags a literal format of even one word, also as a part
	// of a + chain ("expired " + x).
	var sentence func(e ast.Expr)
	sentence = func(e ast.Expr) {
		if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
			sentence(b.X)
			sentence(b.Y)
			return
		}
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING || skipLines[fset.Position(lit.Pos()).Line] {
			return
		}
		skip[lit] = true // judged here, as a format
		if f, _ := strconv.Unquote(lit.Value); wordRun.MatchString(names(f)) {
			flag(lit)
		}
	}
	ast.Inspect(af, func(n ast.Node) bool {
		if reference != nil && n != nil && reference(n) {
			return false
		}
		switch n := n.(type) {
		case *ast.ImportSpec, *ast.Field:
			return false // paths, struct tags
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, _ := sel.X.(*ast.Ident)
			switch {
			case pkg == nil:
			case pkg.Name == "i18n" || pkg.Name == "log" || pkg.Name == "slog":
				for _, a := range n.Args {
					skip[a] = true
				}
			case pkg.Name == "fmt" && (sel.Sel.Name == "Sprintf" || sel.Sel.Name == "Errorf") || pkg.Name == "errors" && sel.Sel.Name == "New":
				if len(n.Args) > 0 {
					sentence(n.Args[0])
				}
			case pkg.Name == "fmt" && strings.HasPrefix(sel.Sel.Name, "Fprint"):
				for _, a := range n.Args[min(1, len(n.Args)):] {
					sentence(a)
				}
			}
		case *ast.KeyValueExpr:
			skip[n.Key] = true
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				skip[n.X], skip[n.Y] = true, true // a name compared, not shown
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING || skip[n] || skipLines[fset.Position(n.Pos()).Line] {
				return true
			}
			s, _ := strconv.Unquote(n.Value)
			if IsWords(s) && strings.Contains(strings.TrimSpace(s), " ") && len(strings.FieldsFunc(names(s), func(r rune) bool { return !unicode.IsLetter(r) })) >= 2 {
				flag(n)
			}
		}
		return true
	})
	return out
}

// IsWords tells a literal people read as words: letters, and not an
// example value such as a URL, which no language translates.
func IsWords(s string) bool {
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		return false
	}
	s = fmtVerb.ReplaceAllString(s, "") // "%s" is no word
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// wordRun is a word: three letters in a row.
var wordRun = regexp.MustCompile(`\pL{3}`)

var fmtVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// names is s without its format verbs and the names in it (notWords).
func names(s string) string {
	return notWords.ReplaceAllString(fmtVerb.ReplaceAllString(s, ""), "")
}

// notWords are names no language translates: the program's ("signet:
// %v" says only whose message it is) and a flag's ("--from: %w").
var notWords = regexp.MustCompile(`\bsignet\b|--?[a-z][a-z0-9-]*`)

// Sources parses the Go files of the current directory that are not
// tests, with their comments (for i18n:skip), by file name.
func Sources() (*token.FileSet, map[string]*ast.File, error) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, nil, err
		}
		files[name] = af
	}
	return fset, files, nil
}
