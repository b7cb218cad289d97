package valuecopy

import (
	"maps"
	"testing"
)

type (
	plain    struct{ N int }
	cloning  struct{ M map[string]int }
	viaJSON  struct{ M map[string]int }
	hidden   struct{ m map[string]int }
	withFunc struct{ F func() }
)

func (c cloning) Clone() cloning { return cloning{M: maps.Clone(c.M)} }

func TestForCopiesWithoutSharingMemory(t *testing.T) {
	if cp, err := For[plain](); cp != nil || err != nil {
		t.Fatalf("For[plain] = %v, %v; want assignment (nil, nil)", cp != nil, err)
	}
	for name, copyFn := range map[string]func(map[string]int) map[string]int{
		"Clone": func(m map[string]int) map[string]int {
			cp, _ := For[cloning]()
			out, _ := cp(cloning{M: m})
			return out.M
		},
		"JSON": func(m map[string]int) map[string]int {
			cp, _ := For[viaJSON]()
			out, _ := cp(viaJSON{M: m})
			return out.M
		},
	} {
		in := map[string]int{"a": 1}
		out := copyFn(in)
		out["a"] = 2
		if in["a"] != 1 {
			t.Errorf("%s: the copy shares its map with the original", name)
		}
	}
}

func TestForRefusesTypesJSONCannotCarry(t *testing.T) {
	if _, err := For[hidden](); err == nil {
		t.Error("For accepted a type with an unexported field")
	}
	if _, err := For[withFunc](); err == nil {
		t.Error("For accepted a type with a func field")
	}
}
