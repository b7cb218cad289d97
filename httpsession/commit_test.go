package httpsession_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/httpsession"
)

// Rule 1: lazy load, buffered changes, commit at the response's start.

func TestHandlerThatNeverAsksCostsNoStoreCallAndNoHeader(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	f.store.loads.Store(0)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }, "GET", cookie)
	if n := f.store.loads.Load(); n != 0 {
		t.Errorf("%d store loads, want 0", n)
	}
	if len(resp.Header.Values("Vary")) != 0 || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("headers %v, want no Vary and no Set-Cookie", resp.Header)
	}
}

func TestSessionIsLoadedOnceOnFirstUse(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	f.store.loads.Store(0)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		for range 3 {
			v, err := s.Get()
			must(t, err)
			if v.Count != 1 {
				t.Errorf("Count = %d, want 1", v.Count)
			}
		}
	}, "GET", cookie)
	if n := f.store.loads.Load(); n != 1 {
		t.Errorf("%d store loads, want 1", n)
	}
	if got := resp.Header.Get("Vary"); got != "Cookie" {
		t.Errorf("Vary = %q, want Cookie", got)
	}
}

func TestReadsSeeBufferedChanges(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Update(increment))
		must(t, s.Update(increment))
		if v, _ := s.Get(); v.Count != 3 {
			t.Errorf("after two Updates Count = %d, want 3", v.Count)
		}
		must(t, s.Set(visit{Count: 10}))
		must(t, s.Update(increment))
		if v, _ := s.Get(); v.Count != 11 {
			t.Errorf("after Set and Update Count = %d, want 11", v.Count)
		}
		if cur, _ := s.Current(); cur.Version() != 1 {
			t.Errorf("Current().Version() = %d, want the loaded 1", cur.Version())
		}
		must(t, s.Clear())
		if v, _ := s.Get(); v.Count != 0 {
			t.Errorf("after Clear Count = %d, want 0", v.Count)
		}
	}, "GET", cookie)
}

func TestChangesAreCommittedOnEachTrigger(t *testing.T) {
	tests := []struct {
		name    string
		trigger func(w http.ResponseWriter)
	}{
		{"WriteHeader", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }},
		{"Write", func(w http.ResponseWriter) { w.Write([]byte("x")) }},
		{"WriteString", func(w http.ResponseWriter) { io.WriteString(w, "x") }},
		{"ReadFrom", func(w http.ResponseWriter) { w.(io.ReaderFrom).ReadFrom(strings.NewReader("x")) }},
		{"Flush", func(w http.ResponseWriter) { http.NewResponseController(w).Flush() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			cookie := f.seed(visit{Count: 1})
			resp := f.do(func(w http.ResponseWriter, r *http.Request) {
				s := f.mw.Session(r)
				must(t, s.Update(increment))
				if v, _ := f.stored(cookie); v.Count != 1 {
					t.Errorf("before the trigger the store holds Count %d, want 1", v.Count)
				}
				tt.trigger(w)
				if v, _ := f.stored(cookie); v.Count != 2 {
					t.Errorf("after the trigger the store holds Count %d, want 2", v.Count)
				}
			}, "GET", cookie)
			if _, ok := f.sessionCookie(resp); !ok {
				t.Error("no Set-Cookie for the written session")
			}
		})
	}
}

func TestChangesAreCommittedWhenTheHandlerReturns(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(increment))
	}, "GET", cookie)
	if v, _ := f.stored(cookie); v.Count != 2 {
		t.Errorf("store holds Count %d, want 2", v.Count)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("status %d, Cache-Control %q; want 200 and no-store", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestInformationalStatusDoesNotCommit(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		w.WriteHeader(http.StatusEarlyHints)
		must(t, s.Update(increment)) // still buffered, not ErrHeadersWritten
		if v, _ := f.stored(cookie); v.Count != 1 {
			t.Errorf("103 committed: store holds Count %d", v.Count)
		}
	}, "GET", cookie)
	if v, _ := f.stored(cookie); v.Count != 2 {
		t.Errorf("store holds Count %d, want 2", v.Count)
	}
}

func TestRenewAndClearAreCommitted(t *testing.T) {
	f := newFixture(t)
	old := f.seed(visit{Count: 1})
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Renew(sessions.WithOwner("ann")))
		must(t, s.Update(increment))
	}, "POST", old)
	if _, ok := f.stored(old); ok {
		t.Error("the old token still names a session after Renew")
	}
	renewed, ok := f.sessionCookie(resp)
	if !ok || renewed == "" {
		t.Fatal("no new cookie after Renew")
	}
	if v, _ := f.stored(renewed); v.Count != 2 {
		t.Errorf("renewed session holds Count %d, want 2", v.Count)
	}

	resp = f.do(func(w http.ResponseWriter, r *http.Request) { must(t, f.mw.Session(r).Clear()) }, "POST", renewed)
	if _, ok := f.stored(renewed); ok {
		t.Error("session survives Clear")
	}
	if c, ok := f.sessionCookie(resp); !ok || c != "" {
		t.Errorf("Set-Cookie after Clear = %q, %v; want a deletion", c, ok)
	}
}

func TestRenewOfAVisitorWithoutSessionIsOneWrite(t *testing.T) {
	f := newFixture(t)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Renew(sessions.WithOwner("ann")))
		must(t, s.Set(visit{User: "ann"}))
	}, "POST", "")
	if n := f.store.writes.Load(); n != 1 {
		t.Errorf("%d store writes, want 1", n)
	}
	cookie, _ := f.sessionCookie(resp)
	got, err := f.m.OfHeader(context.Background(), cookie)
	if err != nil || got.IsAbsent() {
		t.Fatalf("no session stored: %v", err)
	}
	if s := got.MustGet(); s.Owner() != "ann" || s.Value().User != "ann" {
		t.Errorf("stored owner %q value %+v, want ann's", s.Owner(), s.Value())
	}
}

func TestChangesAfterClearStartANewSession(t *testing.T) {
	f := newFixture(t)
	old := f.seed(visit{User: "ann"})
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Clear())
		must(t, s.Update(func(v visit) (visit, error) { v.Flash = v.Flash.Put("bye"); return v, nil }))
	}, "POST", old)
	if _, ok := f.stored(old); ok {
		t.Error("the cleared session survives")
	}
	fresh, ok := f.sessionCookie(resp)
	if !ok || fresh == "" || fresh == old {
		t.Fatalf("Set-Cookie %q, want a new session", fresh)
	}
	if v, _ := f.stored(fresh); v.User != "" || len(v.Flash) != 1 {
		t.Errorf("new session holds %+v, want only the flash", v)
	}
}

// Rule 2: Updates replay on conflict; a conflicting Set fails.

// concurrentWrite changes the session behind the handler's back, as
// another request would.
func (f *fixture) concurrentWrite(cookie string, fn func(visit) (visit, error)) {
	f.t.Helper()
	s, err := f.m.OfHeaderOrCreate(context.Background(), visit{}, cookie)
	if err == nil {
		_, err = f.m.Update(context.Background(), s, fn)
	}
	if err != nil {
		f.t.Fatal(err)
	}
}

func TestBufferedUpdateIsReplayedOnConflict(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	calls := 0
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Update(func(v visit) (visit, error) { calls++; return increment(v) }))
		f.concurrentWrite(cookie, func(v visit) (visit, error) {
			v.Notes = append(v.Notes, "other")
			return v, nil
		})
	}, "POST", cookie)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	v, _ := f.stored(cookie)
	if v.Count != 2 || len(v.Notes) != 1 {
		t.Errorf("store holds %+v, want Count 2 and the other request's note", v)
	}
	if calls != 2 {
		t.Errorf("fn ran %d times, want 2 (buffered, then replayed once)", calls)
	}
}

func TestBufferedUpdateWithoutConflictRunsOnce(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1, Notes: []string{"a"}})
	calls := 0
	f.do(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(func(v visit) (visit, error) {
			calls++
			v.Notes = append(v.Notes, "b") // fn may reuse its argument's memory
			return v, nil
		}))
	}, "POST", cookie)
	if v, _ := f.stored(cookie); calls != 1 || len(v.Notes) != 2 {
		t.Errorf("fn ran %d times, store holds %v; want 1 and [a b]", calls, v.Notes)
	}
}

func TestUpdateErrorBuffersNothing(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	errNo := errors.New("no")
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		if err := s.Update(func(v visit) (visit, error) { return visit{Count: 99}, errNo }); !errors.Is(err, errNo) {
			t.Errorf("Update = %v, want fn's error", err)
		}
		if v, _ := s.Get(); v.Count != 1 {
			t.Errorf("Count = %d after a failed Update, want 1", v.Count)
		}
	}, "POST", cookie)
	if f.store.writes.Load() != 1 { // the seed
		t.Errorf("a failed Update wrote")
	}
}

// spoil changes a value's map and slice in place, then fails.
func spoil(v visit) (visit, error) {
	v.Tags["a"] = 99
	v.Tags["b"] = 2
	v.Notes[0] = "spoilt"
	return v, errors.New("no")
}

func TestUpdateThatChangesItsArgumentInPlaceAndFailsLeavesNoTrace(t *testing.T) {
	seeded := visit{Count: 1, Notes: []string{"kept"}, Tags: map[string]int{"a": 1}}
	for _, tt := range []struct {
		name   string
		before func(*httpsession.Handle[visit]) error // what the handler did first
	}{
		{"on the loaded value", func(*httpsession.Handle[visit]) error { return nil }},
		{"after another Update", func(s *httpsession.Handle[visit]) error {
			return s.Update(func(v visit) (visit, error) { return v, nil })
		}},
		{"after a Set", func(s *httpsession.Handle[visit]) error {
			return s.Set(visit{Count: 1, Notes: []string{"kept"}, Tags: map[string]int{"a": 1}})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			cookie := f.seed(seeded)
			f.do(func(w http.ResponseWriter, r *http.Request) {
				s := f.mw.Session(r)
				must(t, tt.before(s))
				if err := s.Update(spoil); err == nil {
					t.Error("Update of a failing fn returned nil")
				}
				if v, _ := s.Get(); v.Tags["a"] != 1 || len(v.Tags) != 1 || v.Notes[0] != "kept" {
					t.Errorf("Get = %+v after a failed Update, want the value as it was", v)
				}
				if cur, _ := s.Current(); cur.Value().Tags["a"] != 1 || cur.Value().Notes[0] != "kept" {
					t.Errorf("Current holds %+v after a failed Update, want it as loaded", cur.Value())
				}
				// A later change commits the pending value: the failed
				// Update must not ride along.
				must(t, s.Update(increment))
			}, "POST", cookie)
			if v, _ := f.stored(cookie); v.Count != 2 || v.Tags["a"] != 1 || len(v.Tags) != 1 || v.Notes[0] != "kept" {
				t.Errorf("store holds %+v, want Count 2 and the map and slice as seeded", v)
			}
		})
	}
}

func TestReplayedUpdateThatChangesItsArgumentInPlaceAndFailsWritesNothing(t *testing.T) {
	var got error
	f := newFixture(t, httpsession.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusConflict)
	}))
	cookie := f.seed(visit{Notes: []string{"kept"}, Tags: map[string]int{"a": 1}})
	runs := 0
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(func(v visit) (visit, error) {
			if runs++; runs == 1 {
				return v, nil
			}
			return spoil(v) // the replay at commit
		}))
		f.concurrentWrite(cookie, increment)
	}, "POST", cookie)
	if resp.StatusCode != http.StatusConflict || got == nil || runs != 2 {
		t.Fatalf("status %d, error %v, fn ran %d times; want the error handler after a replay", resp.StatusCode, got, runs)
	}
	if v, _ := f.stored(cookie); v.Count != 1 || v.Tags["a"] != 1 || len(v.Tags) != 1 || v.Notes[0] != "kept" {
		t.Errorf("store holds %+v, want only the other request's change", v)
	}
}

func TestBufferedSetThatConflictsGoesToTheErrorHandler(t *testing.T) {
	var got error
	f := newFixture(t, httpsession.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		http.Error(w, "conflict", http.StatusConflict)
	}))
	cookie := f.seed(visit{Count: 1})
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Set(visit{Count: 50}))
		f.concurrentWrite(cookie, increment)
	}, "POST", cookie)
	if !errors.Is(got, sessions.ErrConflict) {
		t.Errorf("error handler got %v, want ErrConflict", got)
	}
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("status %d, want the error handler's 409", resp.StatusCode)
	}
	if v, _ := f.stored(cookie); v.Count != 2 {
		t.Errorf("store holds Count %d, want the other request's 2", v.Count)
	}
	if _, ok := f.sessionCookie(resp); ok {
		t.Error("a failed commit sent Set-Cookie")
	}
}

func TestDefaultErrorHandlerAnswers500(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Set(visit{Count: 50}))
		f.concurrentWrite(cookie, increment)
	}, "POST", cookie)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	if b := body(t, resp); strings.Contains(b, "sessions") {
		t.Errorf("the default error page shows the error: %q", b)
	}
}

// Rule 3: owner operations run at once and return their errors.

func TestOwnerOperationsRunAtOnce(t *testing.T) {
	f := newFixture(t)
	here := f.seed(visit{}, sessions.WithOwner("ann"))
	other := f.seed(visit{}, sessions.WithOwner("ann"))
	third := f.seed(visit{}, sessions.WithOwner("ann"))
	bobs := f.seed(visit{}, sessions.WithOwner("bob"))
	bob, _ := f.m.OfHeader(context.Background(), bobs)
	thirds, _ := f.m.OfHeader(context.Background(), third)

	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		list, err := s.Sessions()
		must(t, err)
		if len(list) != 3 {
			t.Errorf("Sessions listed %d, want 3", len(list))
		}
		if err := s.ClearOwned(bob.MustGet().ID()); !errors.Is(err, sessions.ErrNotFound) {
			t.Errorf("ClearOwned of bob's session = %v, want ErrNotFound", err)
		}
		must(t, s.ClearOwned(thirds.MustGet().ID()))
		if _, ok := f.stored(third); ok {
			t.Error("ClearOwned did not run at once")
		}
		n, err := s.ClearOthers()
		must(t, err)
		if _, ok := f.stored(other); n != 1 || ok {
			t.Errorf("ClearOthers deleted %d, other survives: %v; want 1 deleted at once", n, ok)
		}
		if _, ok := f.stored(here); !ok {
			t.Error("ClearOthers deleted the current session")
		}
	}, "POST", here)
	if _, ok := f.stored(bobs); !ok {
		t.Error("bob's session was deleted")
	}
}

func TestOwnerOperationsOfASessionWithoutOwner(t *testing.T) {
	f := newFixture(t)
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		if n, err := s.ClearOthers(); n != 0 || err != nil {
			t.Errorf("ClearOthers = %d, %v; want 0, nil", n, err)
		}
		if list, err := s.Sessions(); len(list) != 0 || err != nil {
			t.Errorf("Sessions = %v, %v; want none", list, err)
		}
	}, "GET", "")
}

// Rule 4: a failed response commits only a clear; panics propagate.

func TestFailedResponseCommitsNothing(t *testing.T) {
	for _, code := range []int{500, 503} {
		f := newFixture(t)
		cookie := f.seed(visit{Count: 1})
		resp := f.do(func(w http.ResponseWriter, r *http.Request) {
			s := f.mw.Session(r)
			must(t, s.Update(increment))
			must(t, s.Renew())
			w.WriteHeader(code)
		}, "POST", cookie)
		if v, ok := f.stored(cookie); !ok || v.Count != 1 {
			t.Errorf("%d: store holds %+v (live %v), want the session unchanged", code, v, ok)
		}
		if _, ok := f.sessionCookie(resp); ok {
			t.Errorf("%d: Set-Cookie sent", code)
		}
	}
}

func TestFailedResponseStoresNoNewSession(t *testing.T) {
	f := newFixture(t)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Set(visit{Count: 1}))
		http.Error(w, "oops", http.StatusInternalServerError)
	}, "POST", "")
	if n := f.store.writes.Load(); n != 0 {
		t.Errorf("%d store writes, want 0", n)
	}
	if _, ok := f.sessionCookie(resp); ok {
		t.Error("Set-Cookie sent")
	}
}

func TestFailedResponseStillCommitsAClear(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Clear())
		must(t, s.Set(visit{Count: 7})) // would start a new session; dropped
		w.WriteHeader(http.StatusInternalServerError)
	}, "POST", cookie)
	if _, ok := f.stored(cookie); ok {
		t.Error("the session survives a clear on a 500")
	}
	if c, ok := f.sessionCookie(resp); !ok || c != "" {
		t.Errorf("Set-Cookie %q, %v; want only the deletion", c, ok)
	}
	if n := f.store.writes.Load(); n != 2 { // the seed and the delete
		t.Errorf("%d store writes, want 2", n)
	}
}

// panicValue is a value whose identity shows the panic arrived unchanged.
type panicValue struct{ msg string }

func servePanicking(h http.Handler, r *http.Request) (resp *http.Response, recovered any) {
	rec := httptest.NewRecorder()
	func() {
		defer func() { recovered = recover() }()
		h.ServeHTTP(rec, r)
	}()
	return rec.Result(), recovered
}

func TestPanicPropagatesUnchangedAndCommitsOnlyAClear(t *testing.T) {
	tests := []struct {
		name        string
		clear       bool
		wantSession bool
	}{
		{"set is dropped", false, true},
		{"clear is applied", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			cookie := f.seed(visit{Count: 1})
			boom := &panicValue{"boom"}
			resp, got := servePanicking(f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := f.mw.Session(r)
				must(t, s.Set(visit{Count: 2}))
				if tt.clear {
					must(t, s.Clear())
				}
				panic(boom)
			})), request("POST", cookie))
			if got != boom {
				t.Errorf("recovered %v, want the handler's own panic value", got)
			}
			v, ok := f.stored(cookie)
			if ok != tt.wantSession || (ok && v.Count != 1) {
				t.Errorf("store holds %+v (live %v), want live %v and Count 1", v, ok, tt.wantSession)
			}
			// The deletion is left in the headers for whoever recovers.
			if _, hasCookie := f.sessionCookie(resp); hasCookie != tt.clear {
				t.Errorf("Set-Cookie present %v, want %v", hasCookie, tt.clear)
			}
		})
	}
}

func TestPanicAfterCommitChangesNothingMore(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	_, got := servePanicking(f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(increment))
		w.WriteHeader(http.StatusOK)
		panic(http.ErrAbortHandler)
	})), request("POST", cookie))
	if got != http.ErrAbortHandler {
		t.Errorf("recovered %v, want ErrAbortHandler", got)
	}
	if v, _ := f.stored(cookie); v.Count != 2 {
		t.Errorf("store holds Count %d, want the committed 2", v.Count)
	}
}

// Rule 5: after the headers, buffered operations fail and change nothing.

func TestBufferedOperationsAfterHeadersReturnErrHeadersWritten(t *testing.T) {
	ops := []struct {
		name string
		op   func(*httpsession.Handle[visit]) error
	}{
		{"Set", func(s *httpsession.Handle[visit]) error { return s.Set(visit{Count: 9}) }},
		{"Update", func(s *httpsession.Handle[visit]) error { return s.Update(increment) }},
		{"Renew", func(s *httpsession.Handle[visit]) error { return s.Renew() }},
		{"Clear", func(s *httpsession.Handle[visit]) error { return s.Clear() }},
		{"Touch", func(s *httpsession.Handle[visit]) error { return s.Touch() }},
	}
	for _, tt := range ops {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			cookie := f.seed(visit{Count: 1})
			writes := f.store.writes.Load()
			resp := f.do(func(w http.ResponseWriter, r *http.Request) {
				s := f.mw.Session(r)
				io.WriteString(w, "body")
				if err := tt.op(s); !errors.Is(err, httpsession.ErrHeadersWritten) {
					t.Errorf("%s after Write = %v, want ErrHeadersWritten", tt.name, err)
				}
				if v, err := s.Get(); err != nil || v.Count != 1 {
					t.Errorf("Get = %+v, %v; want the unchanged session", v, err)
				}
			}, "POST", cookie)
			if n := f.store.writes.Load() - writes; n != 0 {
				t.Errorf("%d store writes, want 0", n)
			}
			if v, ok := f.stored(cookie); !ok || v.Count != 1 {
				t.Errorf("store holds %+v (live %v), want it unchanged", v, ok)
			}
			if _, ok := f.sessionCookie(resp); ok {
				t.Error("Set-Cookie sent")
			}
		})
	}
}

// Rule 6: a loaded session is touched at commit, throttled.

func TestLoadedSessionIsTouchedAtCommit(t *testing.T) {
	tests := []struct {
		name      string
		after     time.Duration
		use       bool
		wantTouch bool
	}{
		{"read past the touch interval", 10 * time.Minute, true, true},
		{"read within the touch interval", time.Minute, true, false},
		{"not read", 10 * time.Minute, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			cookie := f.seed(visit{Count: 1})
			before := f.expiry(cookie)
			f.clock.Advance(tt.after)
			resp := f.do(func(w http.ResponseWriter, r *http.Request) {
				if tt.use {
					_, err := f.mw.Session(r).Get()
					must(t, err)
				}
			}, "GET", cookie)
			touched := f.expiry(cookie).After(before)
			if touched != tt.wantTouch {
				t.Errorf("expiry moved %v, want %v", touched, tt.wantTouch)
			}
			if _, ok := f.sessionCookie(resp); ok != tt.wantTouch {
				t.Errorf("Set-Cookie sent %v, want %v", ok, tt.wantTouch)
			}
		})
	}
}

func TestTouchMakesTheCommitTouch(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{})
	before := f.expiry(cookie)
	f.clock.Advance(10 * time.Minute)
	f.do(func(w http.ResponseWriter, r *http.Request) { must(t, f.mw.Session(r).Touch()) }, "GET", cookie)
	if !f.expiry(cookie).After(before) {
		t.Error("Touch did not slide the expiry")
	}
}

func TestNoTouchWithoutIdleTimeout(t *testing.T) {
	mem := newFixture(t).store
	m, err := sessions.New[visit](mem, sessions.WithIdleTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	mw := httpsession.New(m)
	s, _ := m.Generate(context.Background(), visit{})
	writes := mem.writes.Load()
	resp := serve(mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := mw.Session(r).Get()
		must(t, err)
	})), request("GET", m.Cookie().Name+"="+s.Token()))
	if mem.writes.Load() != writes || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Error("a session without idle timeout was touched")
	}
}

func (f *fixture) expiry(cookie string) time.Time {
	f.t.Helper()
	s, err := f.m.OfHeader(context.Background(), cookie)
	if err != nil || s.IsAbsent() {
		f.t.Fatalf("no session: %v", err)
	}
	return s.MustGet().ExpiresAt()
}

// Rule 7: store failures go to the error handler and never replace the
// client's cookie; absent cookies get no answer unless the handler wrote.

func TestStoreFailureAtCommitGoesToTheErrorHandler(t *testing.T) {
	var got error
	f := newFixture(t, httpsession.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "try again")
	}))
	cookie := f.seed(visit{Count: 1})
	var writeErr error
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Strict-Transport-Security", "max-age=63072000")
			next.ServeHTTP(w, r)
		})
	}
	resp := serve(mw(f.mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Update(increment))
		f.store.down.Store(true)
		http.Redirect(w, r, "/next", http.StatusSeeOther) // commits at WriteHeader
		_, writeErr = io.WriteString(w, "handler body")
	}))), request("POST", cookie))
	f.store.down.Store(false)

	if !errors.Is(got, sessions.ErrBackend) || !errors.Is(got, errStore) {
		t.Errorf("error handler got %v, want ErrBackend wrapping the store's error", got)
	}
	if !errors.Is(writeErr, httpsession.ErrCommitFailed) {
		t.Errorf("handler's Write after the failure = %v, want ErrCommitFailed", writeErr)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || body(t, resp) != "try again" {
		t.Errorf("response %d, want the error handler's", resp.StatusCode)
	}
	if resp.Header.Get("Location") != "" {
		t.Error("the handler's Location survived into the error response")
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("a header set before the middleware ran was dropped")
	}
	if len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Error("a store failure sent Set-Cookie")
	}
	if v, _ := f.stored(cookie); v.Count != 1 {
		t.Errorf("store holds Count %d, want 1", v.Count)
	}
}

func TestStoreFailureCreatingNeverSendsACookie(t *testing.T) {
	f := newFixture(t)
	f.store.down.Store(true)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		must(t, f.mw.Session(r).Set(visit{Count: 1}))
	}, "POST", "")
	if resp.StatusCode != http.StatusInternalServerError || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("status %d, Set-Cookie %v; want 500 and none", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
}

func TestStoreFailureWhileTouchingGoesToTheErrorHandler(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	f.clock.Advance(10 * time.Minute)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		_, err := f.mw.Session(r).Get()
		must(t, err)
		f.store.down.Store(true)
	}, "GET", cookie)
	if resp.StatusCode != http.StatusInternalServerError || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("status %d, Set-Cookie %v; want 500 and none", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
}

func TestStoreFailureWhileLoadingIsReturnedToTheHandler(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	f.store.down.Store(true)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		if _, err := s.Get(); !errors.Is(err, sessions.ErrBackend) {
			t.Errorf("Get = %v, want ErrBackend", err)
		}
		if err := s.Set(visit{}); !errors.Is(err, sessions.ErrBackend) {
			t.Errorf("Set = %v, want the load's ErrBackend", err)
		}
		if _, err := s.CSRFToken(); !errors.Is(err, sessions.ErrBackend) {
			t.Errorf("CSRFToken = %v, want the load's ErrBackend", err)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}, "GET", cookie)
	if n := f.store.writes.Load(); n != 1 { // the seed
		t.Errorf("%d store writes, want only the seed", n)
	}
	if len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Error("a failed load sent Set-Cookie")
	}
}

func TestAbsentOrStaleCookieGetsNoCookieUnlessTheHandlerWrote(t *testing.T) {
	tests := []struct {
		name       string
		cookie     string
		handle     func(*httpsession.Handle[visit]) error
		wantCookie bool
	}{
		{"absent, read", "", func(s *httpsession.Handle[visit]) error { _, err := s.Get(); return err }, false},
		{"absent, touched", "", (*httpsession.Handle[visit]).Touch, false},
		{"absent, renewed", "", func(s *httpsession.Handle[visit]) error { return s.Renew() }, true},
		{"absent, written", "", func(s *httpsession.Handle[visit]) error { return s.Update(increment) }, true},
		{"stale, read", "__Host-session=" + strings.Repeat("A", sessions.TokenLen), func(s *httpsession.Handle[visit]) error { _, err := s.Get(); return err }, false},
		{"malformed, read", "__Host-session=nonsense", func(s *httpsession.Handle[visit]) error { _, err := s.Get(); return err }, false},
		{"stale, written", "__Host-session=" + strings.Repeat("A", sessions.TokenLen), func(s *httpsession.Handle[visit]) error { return s.Set(visit{}) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			resp := f.do(func(w http.ResponseWriter, r *http.Request) { must(t, tt.handle(f.mw.Session(r))) }, "GET", tt.cookie)
			c, ok := f.sessionCookie(resp)
			if ok != tt.wantCookie || (ok && c == "") {
				t.Errorf("Set-Cookie %q (present %v), want a new cookie: %v", c, ok, tt.wantCookie)
			}
			if want := int64(0); !tt.wantCookie && f.store.writes.Load() != want {
				t.Errorf("%d store writes, want none", f.store.writes.Load())
			}
		})
	}
}

// A Handle outside the middleware.

func TestHandleOfAnUnwrappedRequestReturnsErrNotWrapped(t *testing.T) {
	f := newFixture(t)
	r := request("GET", "")
	s := f.mw.Session(r)
	if s != nil {
		t.Fatal("Session of an unwrapped request is not nil")
	}
	if _, err := s.Get(); !errors.Is(err, httpsession.ErrNotWrapped) {
		t.Errorf("Get = %v, want ErrNotWrapped", err)
	}
	if err := s.Set(visit{}); !errors.Is(err, httpsession.ErrNotWrapped) {
		t.Errorf("Set = %v, want ErrNotWrapped", err)
	}
	if f.mw.Session(nil) != nil {
		t.Error("Session(nil) is not nil")
	}
	// Another middleware's requests are not this one's.
	other := httpsession.New(f.m)
	f.do(func(w http.ResponseWriter, r *http.Request) {
		if other.Session(r) != nil {
			t.Error("a middleware sees another's handle")
		}
	}, "GET", "")
}

func TestMiddlewareWithoutManagerFailsRequests(t *testing.T) {
	mw := httpsession.New[visit](nil)
	resp := serve(mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := mw.Session(r).Get(); err == nil {
			t.Error("Get without a Manager succeeded")
		}
	})), request("GET", ""))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
}

func TestClearDropsChangesBufferedBeforeIt(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{Count: 1})
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Update(increment))
		must(t, s.Renew())
		must(t, s.Clear())
	}, "POST", cookie)
	if _, ok := f.stored(cookie); ok {
		t.Error("the session survives Clear")
	}
	if c, ok := f.sessionCookie(resp); !ok || c != "" {
		t.Errorf("Set-Cookie %q (present %v), want only the deletion", c, ok)
	}
	if n := f.store.writes.Load(); n != 2 { // the seed and the delete
		t.Errorf("%d store writes, want 2", n)
	}
}

func TestHandleIsSafeForConcurrentUse(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{})
	const n = 8
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				must(t, s.Update(increment))
				_, err := s.Get()
				must(t, err)
			})
		}
		wg.Wait()
	}, "POST", cookie)
	if v, _ := f.stored(cookie); v.Count != n {
		t.Errorf("store holds Count %d, want %d", v.Count, n)
	}
}

func TestHandleUsedWhileTheResponseStarts(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{})
	var applied atomic.Int32
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				switch err := s.Update(increment); {
				case err == nil:
					applied.Add(1)
				case !errors.Is(err, httpsession.ErrHeadersWritten):
					t.Error(err)
				}
			})
		}
		io.WriteString(w, "racing")
		wg.Wait()
	}, "POST", cookie)
	// Every Update either made the commit or was refused.
	if v, _ := f.stored(cookie); v.Count != int(applied.Load()) {
		t.Errorf("store holds Count %d, but %d Updates reported success", v.Count, applied.Load())
	}
}
