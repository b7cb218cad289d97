package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/postgres"
)

// sqlArg maps each pgx method that takes SQL text to the position of
// that argument.
var sqlArg = map[string]int{
	"Exec":     1, // Exec(ctx, sql, args...)
	"Query":    1,
	"QueryRow": 1,
	"Prepare":  2, // Prepare(ctx, name, sql)
	"Queue":    0, // (*pgx.Batch).Queue(sql, args...)
}

// sqlViolations reports every place in file where SQL text could come
// from anything but the statements newStatements builds from the table
// name:
//   - SQL passed to pgx must be a field of the store's statements
//     (x.sql.field), not a literal, a concatenation, a formatted string
//     or a variable;
//   - pgx's SQL-taking methods must not be used as values (which would
//     hide calls from the first rule);
//   - statements are built only by newStatements, whose one input is the
//     parsed table name, and never assigned to afterwards.
func sqlViolations(fset *token.FileSet, file *ast.File) []string {
	var out []string
	report := func(n ast.Node, format string, args ...any) {
		out = append(out, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), fmt.Sprintf(format, args...)))
	}
	calledFuns := map[ast.Expr]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			calledFuns[call.Fun] = true
		}
		return true
	})
	var inBuilder func(ast.Node) bool
	builder := findFunc(file, "newStatements")
	inBuilder = func(n ast.Node) bool {
		return builder != nil && builder.Pos() <= n.Pos() && n.End() <= builder.End()
	}
	if builder != nil {
		params := builder.Type.Params.List
		if len(params) != 1 || len(params[0].Names) != 1 || !isIdent(params[0].Type, "tableName") {
			report(builder, "newStatements must take exactly one parameter, the tableName")
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if _, takesSQL := sqlArg[n.Sel.Name]; takesSQL && !calledFuns[n] {
				report(n, "%s used as a value", n.Sel.Name)
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				break
			}
			if i, takesSQL := sqlArg[sel.Sel.Name]; takesSQL && (len(n.Args) <= i || !isStatement(n.Args[i])) {
				report(n, "%s called with SQL that is not one of the store's statement fields (x.sql.field)", sel.Sel.Name)
			}
		case *ast.CompositeLit:
			if isIdent(n.Type, "statements") && !inBuilder(n) {
				report(n, "statements built outside newStatements")
			}
		case *ast.KeyValueExpr:
			if isIdent(n.Key, "sql") && !isCallOf(n.Value, "newStatements") {
				report(n, "sql field set to something other than newStatements(...)")
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if touchesStatements(lhs) {
					report(n, "statements assigned after construction")
				}
			}
		}
		return true
	})
	return out
}

// isStatement reports whether e has the form x.sql.field.
func isStatement(e ast.Expr) bool {
	field, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	holder, ok := field.X.(*ast.SelectorExpr)
	return ok && holder.Sel.Name == "sql"
}

// touchesStatements reports whether an assignment target is x.sql or
// x.sql.field.
func touchesStatements(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && (sel.Sel.Name == "sql" || isStatement(sel))
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isCallOf(e ast.Expr, name string) bool {
	call, ok := e.(*ast.CallExpr)
	return ok && isIdent(call.Fun, name)
}

func findFunc(file *ast.File, name string) *ast.FuncDecl {
	for _, d := range file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
			return fd
		}
	}
	return nil
}

// packageViolations parses the package's non-test Go files and returns
// their violations and how many files it read.
func packageViolations(t *testing.T) ([]string, int) {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	n := 0
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sqlViolations(fset, f)...)
		n++
	}
	return out, n
}

func TestNoQueryTextIsBuiltFromValues(t *testing.T) {
	violations, files := packageViolations(t)
	if files < 5 {
		t.Fatalf("read only %d source files; is the test running in the package directory?", files)
	}
	for _, v := range violations {
		t.Error(v)
	}
}

func TestTheQueryTextCheckCatchesFormattedSQL(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"a concatenated value", `s.pool.Exec(ctx, "DELETE FROM t WHERE owner = '"+owner+"'")`},
		{"a formatted value", `s.pool.QueryRow(ctx, fmt.Sprintf("SELECT 1 WHERE id = '%x'", id))`},
		{"a value appended to a statement", `s.pool.Query(ctx, s.sql.load+" AND owner = '"+owner+"'")`},
		{"a statement formatted with a value", `s.pool.Exec(ctx, fmt.Sprintf(s.sql.load, owner))`},
		{"SQL in a variable", `q := s.sql.load; s.pool.Exec(ctx, q)`},
		{"a literal", `s.pool.Exec(ctx, "DELETE FROM sessions")`},
		{"a batch with a formatted query", `b.Queue("SELECT " + owner)`},
		{"a prepared statement from a value", `conn.Prepare(ctx, "n", "SELECT "+owner)`},
		{"a method value", `exec := s.pool.Exec; exec(ctx, "SELECT "+owner)`},
		{"a statement overwritten", `s.sql.load = "SELECT * FROM t WHERE owner = '" + owner + "'"`},
		{"statements replaced", `s.sql = statements{load: "SELECT " + owner}`},
		{"a store built with other statements", `_ = Store[int]{sql: statements{load: owner}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package postgres\nfunc f() {\n" + tt.body + "\n}\n"
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "bad.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if v := sqlViolations(fset, f); len(v) == 0 {
				t.Errorf("no violation reported for %s", tt.body)
			}
		})
	}
}

func TestTheQueryTextCheckHoldsTheBuilderToTheTableName(t *testing.T) {
	src := "package postgres\nfunc newStatements(table tableName, owner string) statements { return statements{} }\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "bad.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v := sqlViolations(fset, f); len(v) == 0 {
		t.Error("no violation reported for a builder with a second input")
	}
}

// tracer records the SQL and arguments of every query while on.
type tracer struct {
	mu      sync.Mutex
	on      bool
	queries []pgx.TraceQueryStartData
}

func (tr *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.on {
		tr.queries = append(tr.queries, data)
	}
	return ctx
}

func (tr *tracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (tr *tracer) record(on bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.on = on
}

func (tr *tracer) recorded() []pgx.TraceQueryStartData {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.queries)
}

// placeholder finds $n placeholders.
var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// highestPlaceholder returns the largest n of the $n in sql.
func highestPlaceholder(sql string) int {
	highest := 0
	for _, m := range placeholder.FindAllStringSubmatch(sql, -1) {
		n, _ := strconv.Atoi(m[1])
		highest = max(highest, n)
	}
	return highest
}

func TestEverySentStatementIsOneOfTheStoresAndCarriesValuesAsArguments(t *testing.T) {
	tr := &tracer{}
	pool := newPool(t, withTracer(tr))
	store := newStore[cart](t, pool)
	ctx := t.Context()

	owner := randomName("owner-")
	marker := randomName("item-")
	id := sessions.ID{0xde, 0xad, 0xbe, 0xef, 0x42}
	rec := sessions.Record[cart]{Value: cart{Items: []string{marker}}, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), Owner: owner}

	tr.record(true)
	type step struct {
		name      string
		err, want error
	}
	steps := []step{
		{"Migrate", store.Migrate(ctx), nil},
		{"Create", store.Create(ctx, id, rec, t0), nil},
		{"Replace", store.Replace(ctx, id, 1, rec, t0), nil},
		{"Replace of a stale version", store.Replace(ctx, id, 1, rec, t0), sessions.ErrConflict},
		{"Touch", store.Touch(ctx, id, t0.Add(2*time.Hour), t0), nil},
	}
	_, err := store.Load(ctx, id, t0)
	steps = append(steps, step{"Load", err, nil})
	_, err = store.ListOwner(ctx, owner, t0, 10)
	steps = append(steps, step{"ListOwner", err, nil}, step{"Delete(2)", store.Delete(ctx, id, 2), nil})
	_, err = store.DeleteOwner(ctx, owner, sessions.ID{}, t0)
	steps = append(steps, step{"DeleteOwner", err, nil}, step{"Delete(0)", store.Delete(ctx, id, 0), nil})
	_, err = store.DeleteExpired(ctx, t0, 10)
	steps = append(steps, step{"DeleteExpired", err, nil})
	tr.record(false)

	for _, s := range steps {
		if !errors.Is(s.err, s.want) {
			t.Fatalf("%s: %v, want %v", s.name, s.err, s.want)
		}
	}
	statements := postgres.Statements(store)
	sent := map[string]bool{}
	values := []string{owner, marker, id.String(), strings.ToUpper(id.String()), "deadbeef42", "2030-01-02"}
	for _, q := range tr.recorded() {
		sent[q.SQL] = true
		if !slices.Contains(statements, q.SQL) {
			t.Errorf("sent SQL that is not one of the store's statements:\n%s", q.SQL)
		}
		if want := highestPlaceholder(q.SQL); len(q.Args) != want {
			t.Errorf("sent %d arguments for %d placeholders:\n%s", len(q.Args), want, q.SQL)
		}
		for _, v := range values {
			if strings.Contains(strings.ToLower(q.SQL), strings.ToLower(v)) {
				t.Errorf("sent SQL containing the value %q:\n%s", v, q.SQL)
			}
		}
	}
	for _, st := range statements[1:] { // all but the schema, which Migrate sends within its own text
		if !sent[st] {
			t.Errorf("statement never sent, so not checked:\n%s", st)
		}
	}
}
