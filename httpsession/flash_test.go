package httpsession_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/typedsession/sessions/httpsession"
)

func TestFlashPutLeavesTheOriginalAlone(t *testing.T) {
	base := make(httpsession.Flash[string], 1, 4) // spare capacity to alias into
	base[0] = "a"
	b := base.Put("b")
	c := base.Put("c")
	if !slices.Equal(b, httpsession.Flash[string]{"a", "b"}) || !slices.Equal(c, httpsession.Flash[string]{"a", "c"}) {
		t.Errorf("Put results %q and %q alias each other", b, c)
	}
	if len(base) != 1 {
		t.Errorf("Put changed the original: %q", base)
	}
}

func TestFlashPopReturnsMessagesOldestFirstAndAnEmptyFlash(t *testing.T) {
	var f httpsession.Flash[string]
	f = f.Put("one").Put("two")
	msgs, rest := f.Pop()
	if !slices.Equal(msgs, []string{"one", "two"}) || len(rest) != 0 {
		t.Errorf("Pop = %q, %q", msgs, rest)
	}
	if msgs, _ := rest.Pop(); len(msgs) != 0 {
		t.Errorf("Pop of an empty flash = %q", msgs)
	}
}

func TestFlashIsAJSONArray(t *testing.T) {
	type kind struct {
		Level, Text string
	}
	v := struct {
		Flash httpsession.Flash[kind] `json:"flash"`
	}{}
	v.Flash = v.Flash.Put(kind{"info", "Saved."})
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"flash":[{"Level":"info","Text":"Saved."}]}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	v.Flash = nil
	if err := json.Unmarshal(b, &v); err != nil || len(v.Flash) != 1 || v.Flash[0].Text != "Saved." {
		t.Errorf("Unmarshal = %+v, %v", v, err)
	}
}

// flash picks the test value's Flash, as PutFlash and PopFlash need.
func flash(v *visit) *httpsession.Flash[string] { return &v.Flash }

// popFlash is PopFlash, failing the test on an error.
func popFlash(t *testing.T, s *httpsession.Handle[visit]) []string {
	t.Helper()
	msgs, err := httpsession.PopFlash(s, flash)
	must(t, err)
	return msgs
}

func TestFlashMessageIsShownOnce(t *testing.T) {
	f := newFixture(t)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		must(t, httpsession.PutFlash(f.mw.Session(r), flash, "Saved."))
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}, "POST", "")
	cookie, _ := f.sessionCookie(resp)

	var shown [][]string
	for range 2 {
		f.do(func(w http.ResponseWriter, r *http.Request) {
			shown = append(shown, popFlash(t, f.mw.Session(r)))
		}, "GET", cookie)
	}
	if len(shown[0]) != 1 || shown[0][0] != "Saved." || len(shown[1]) != 0 {
		t.Errorf("shown %q, want the message once", shown)
	}
	writes := f.store.writes.Load()
	f.do(func(w http.ResponseWriter, r *http.Request) { popFlash(t, f.mw.Session(r)) }, "GET", cookie)
	if f.store.writes.Load() != writes {
		t.Error("popping an empty flash wrote")
	}
}

func TestFlashMessageSurvivesAFailedResponse(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Flash: httpsession.Flash[string]{"Saved."}})
	f.do(func(w http.ResponseWriter, r *http.Request) {
		popFlash(t, f.mw.Session(r))
		w.WriteHeader(http.StatusInternalServerError)
	}, "GET", cookie)
	if v, _ := f.stored(cookie); len(v.Flash) != 1 {
		t.Errorf("flash %q after a 500, want the message kept", v.Flash)
	}
}

func TestPopFlashWithoutASessionStoresNothing(t *testing.T) {
	f := newFixture(t)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		if msgs := popFlash(t, f.mw.Session(r)); len(msgs) != 0 {
			t.Errorf("PopFlash = %q for a visitor without a session", msgs)
		}
	}, "GET", "")
	if _, ok := f.sessionCookie(resp); ok || f.store.writes.Load() != 0 {
		t.Error("PopFlash stored a session for a visitor without one")
	}
}

func TestPutFlashAddsAfterEarlierMessagesAndPopTakesThemAll(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 3, Flash: httpsession.Flash[string]{"first"}})
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, httpsession.PutFlash(s, flash, "second"))
		if got := popFlash(t, s); !slices.Equal(got, []string{"first", "second"}) {
			t.Errorf("PopFlash = %q, want [first second]", got)
		}
	}, "POST", cookie)
	if v, _ := f.stored(cookie); len(v.Flash) != 0 || v.Count != 3 {
		t.Errorf("stored %+v, want an empty flash and the rest kept", v)
	}
}

func TestFlashHelpersRefuseANilField(t *testing.T) {
	f := newFixture(t)
	f.do(func(w http.ResponseWriter, r *http.Request) {
		if err := httpsession.PutFlash[visit, string](f.mw.Session(r), nil, "x"); err == nil {
			t.Error("PutFlash accepted a nil field")
		}
		if _, err := httpsession.PopFlash[visit, string](f.mw.Session(r), nil); err == nil {
			t.Error("PopFlash accepted a nil field")
		}
	}, "GET", "")
}
