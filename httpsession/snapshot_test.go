package httpsession_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestHandleValuesAreTheCallersOwn changes, at random points of a random
// request, every value a handler gave the handle (Set) or got from it
// (Get), in every part it can reach, and checks against a model that the
// handle's reads, the commit, and the next request see none of it.
func TestHandleValuesAreTheCallersOwn(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t)
		initial := visit{User: "ann", Notes: []string{"a", "b"}, Tags: map[string]int{"x": 1}}
		cookie := f.seed(initial)
		want := cloneVisit(initial)
		var loose []visit // what the handler still holds
		serial := 0

		resp := f.do(func(w http.ResponseWriter, r *http.Request) {
			h := f.mw.Session(r)
			rt.Repeat(map[string]func(*rapid.T){
				"": func(rt *rapid.T) {
					got, err := h.Get()
					if err != nil || !equalVisit(got, want) {
						rt.Fatalf("Get = %+v, %v; want %+v: a value the handler changed reached the handle", got, err, want)
					}
				},
				"Get": func(rt *rapid.T) {
					got, err := h.Get()
					must(t, err)
					loose = append(loose, got)
				},
				"Set": func(rt *rapid.T) {
					serial++
					v := visit{User: "ann", Count: serial, Notes: []string{fmt.Sprint("n", serial)}, Tags: map[string]int{"k": serial}}
					must(t, h.Set(v))
					want = cloneVisit(v)
					loose = append(loose, v)
				},
				"Update": func(rt *rapid.T) {
					must(t, h.Update(increment))
					want.Count++
				},
				"Scribble": func(rt *rapid.T) {
					if len(loose) == 0 {
						rt.Skip("no value held")
					}
					scribbleVisit(loose[rapid.IntRange(0, len(loose)-1).Draw(rt, "value")])
				},
			})
		}, http.MethodPost, cookie)
		if resp.StatusCode != http.StatusOK {
			rt.Fatalf("status %d", resp.StatusCode)
		}
		for _, v := range loose {
			scribbleVisit(v) // after the commit, too
		}
		if next, ok := f.sessionCookie(resp); ok {
			cookie = next
		}
		if got, ok := f.stored(cookie); !ok || !equalVisit(got, want) {
			rt.Fatalf("stored %+v (found %v), want %+v: a value the handler changed reached the store", got, ok, want)
		}
	})
}

func cloneVisit(v visit) visit {
	v.Notes = slices.Clone(v.Notes)
	v.Tags = maps.Clone(v.Tags)
	return v
}

func equalVisit(a, b visit) bool {
	return a.User == b.User && a.Count == b.Count &&
		slices.Equal(a.Notes, b.Notes) && maps.Equal(a.Tags, b.Tags)
}

// scribbleVisit changes every part of v that a copy could share.
func scribbleVisit(v visit) {
	for i := range v.Notes {
		v.Notes[i] = "scribbled"
	}
	for k := range v.Tags {
		v.Tags[k] = -1
	}
	if v.Tags != nil {
		v.Tags["scribbled"] = -1
	}
}
