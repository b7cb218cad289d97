package sessions_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The README's Go blocks are snippets: no package clause, no imports,
// and names a reader supplies (their value type Cart, a ctx). The test
// gives each block the imports its package names call for and the
// declarations in readmePreamble, then type-checks it as a file or, if it
// does not parse as one, as the body of a function. Variables a snippet
// declares for the reader but does not use are allowed; everything else
// a compiler reports fails the test.

// readmePackages maps the package names README snippets use to their
// import paths.
var readmePackages = map[string]string{
	"context":       "context",
	"errors":        "errors",
	"fmt":           "fmt",
	"http":          "net/http",
	"os":            "os",
	"rand":          "crypto/rand",
	"slog":          "log/slog",
	"strings":       "strings",
	"testing":       "testing",
	"time":          "time",
	"sessions":      "github.com/typedsession/sessions",
	"memory":        "github.com/typedsession/sessions/backends/memory",
	"goredis":       "github.com/typedsession/sessions/backends/goredis",
	"postgres":      "github.com/typedsession/sessions/backends/postgres",
	"sealed":        "github.com/typedsession/sessions/backends/sealed",
	"plugcookie":    "github.com/typedsession/sessions/backends/plugcookie",
	"redissessions": "github.com/typedsession/sessions/backends/redissessions",
	"httpsession":   "github.com/typedsession/sessions/httpsession",
	"proptest":      "github.com/typedsession/sessions/proptest",
	"redis":         "github.com/redis/go-redis/v9",
	"pgxpool":       "github.com/jackc/pgx/v5/pgxpool",
	"mystore":       "mystore",
}

// readmePreamble declares what the README's snippets take as given.
const readmePreamble = `package readme

import (
	"context"

	"github.com/typedsession/sessions/httpsession"
)

// Cart and Visit are the readers' session values.
type Cart struct{ Items []string }

type Visit struct {
	Count int
	Flash httpsession.Flash[string]
}

var (
	ctx    = context.Background()
	secret []byte
)
`

// readmeFakes are packages the README names as the reader's own.
var readmeFakes = map[string]string{
	"mystore": `package mystore

import (
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/proptest"
)

type Options struct{ Prefix string }

func New(Options) sessions.Backend[proptest.Value] { return nil }
`,
}

func TestReadmeGoBlocksCompile(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(readme))
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go blocks")
	}
	fset := token.NewFileSet()
	imp := &readmeImporter{fset: fset, gc: importer.ForCompiler(fset, "gc", exportLookup(t)), fakes: map[string]*types.Package{}}
	for _, b := range blocks {
		t.Run(fmt.Sprintf("line %d", b.line), func(t *testing.T) {
			for _, msg := range checkSnippet(fset, imp, b) {
				t.Errorf("README.md:%s", msg)
			}
		})
	}
}

type goBlock struct {
	line int // the README line of the block's first line of code
	src  string
}

// goBlocks returns the bodies of the ```go fenced blocks of markdown.
func goBlocks(markdown string) []goBlock {
	var blocks []goBlock
	var cur *goBlock
	for i, line := range strings.Split(markdown, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &goBlock{line: i + 2}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.src += line + "\n"
		}
	}
	return blocks
}

// checkSnippet type-checks src with the preamble and returns its errors
// as "line: message", lines counted from the block's first.
func checkSnippet(fset *token.FileSet, imp types.Importer, block goBlock) []string {
	pre, err := parser.ParseFile(fset, "preamble.go", readmePreamble, 0)
	if err != nil {
		return []string{"preamble: " + err.Error()}
	}
	// As a file first; a block of statements parses only as a body.
	var f *ast.File
	var offset int // lines of wrapper before the block's first line
	for _, wrap := range []struct{ before, after string }{{"", ""}, {"func _() {\n", "}\n"}} {
		header := "package readme\n" + wrap.before
		f, err = parser.ParseFile(fset, "snippet.go", header+block.src+wrap.after, 0)
		if err == nil {
			offset = strings.Count(header, "\n")
			break
		}
	}
	if err != nil {
		return []string{fmt.Sprintf("%d: does not parse as a file or a function body: %v", block.line, err)}
	}
	addImports(f)
	var errs []string
	conf := types.Config{Importer: imp, Error: func(err error) {
		te := err.(types.Error)
		if te.Soft && strings.Contains(te.Msg, "declared and not used") {
			return // a snippet may declare what the reader goes on to use
		}
		errs = append(errs, fmt.Sprintf("%d: %s", block.line+te.Fset.Position(te.Pos).Line-1-offset, te.Msg))
	}}
	_, _ = conf.Check("readme", fset, []*ast.File{pre, f}, nil)
	return errs
}

// addImports imports, into f, each package of readmePackages that f names
// and does not declare itself.
func addImports(f *ast.File) {
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && readmePackages[id.Name] != "" {
				used[id.Name] = true
			}
		}
		return true
	})
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range used {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range names {
		f.Imports = append(f.Imports, &ast.ImportSpec{Path: &ast.BasicLit{Kind: token.STRING, Value: fmt.Sprintf("%q", readmePackages[name])}})
	}
	f.Decls = append([]ast.Decl{&ast.GenDecl{Tok: token.IMPORT, Specs: importSpecs(f.Imports)}}, f.Decls...)
}

func importSpecs(is []*ast.ImportSpec) []ast.Spec {
	specs := make([]ast.Spec, len(is))
	for i, s := range is {
		specs[i] = s
	}
	return specs
}

// exportLookup returns where the compiler's export data for every package
// the snippets can import lies, from one go list run in this module:
// offline, and fast once the build cache holds them.
func exportLookup(t *testing.T) func(path string) (io.ReadCloser, error) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to find export data with")
	}
	args := []string{"list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}"}
	for _, p := range readmePackages {
		if readmeFakes[p] == "" {
			args = append(args, p)
		}
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOPROXY=off") // the module cache must already hold everything
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	files := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, "="); ok && file != "" {
			files[path] = file
		}
	}
	return func(path string) (io.ReadCloser, error) {
		file, ok := files[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q: add it to readmePackages", path)
		}
		return os.Open(file)
	}
}

// readmeImporter imports from export data, and type-checks readmeFakes
// from source.
type readmeImporter struct {
	fset  *token.FileSet
	gc    types.Importer
	fakes map[string]*types.Package
}

func (r *readmeImporter) Import(path string) (*types.Package, error) {
	src, fake := readmeFakes[path]
	if !fake {
		return r.gc.Import(path)
	}
	if p := r.fakes[path]; p != nil {
		return p, nil
	}
	f, err := parser.ParseFile(r.fset, path+".go", src, 0)
	if err != nil {
		return nil, err
	}
	conf := types.Config{Importer: r}
	p, err := conf.Check(path, r.fset, []*ast.File{f}, nil)
	if err != nil {
		return nil, err
	}
	r.fakes[path] = p
	return p, nil
}
