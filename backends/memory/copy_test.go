package memory

import (
	"maps"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

type (
	refFree struct {
		N    int
		S    string
		When time.Time
		Arr  [3]uint8
	}
	valueCloner   struct{ M map[string]int }
	pointerCloner struct{ M map[string]int }
	noCloner      struct{ M map[string]int }
)

func (v valueCloner) Clone() valueCloner      { return valueCloner{M: maps.Clone(v.M)} }
func (v *pointerCloner) Clone() pointerCloner { return pointerCloner{M: maps.Clone(v.M)} }

func modeOf[V any](t *testing.T) copyMode {
	t.Helper()
	c, err := newCopier(sessions.JSON[V](), false)
	if err != nil {
		t.Fatalf("newCopier[%T]: %v", *new(V), err)
	}
	return c.mode
}

func TestCopierPicksTheCheapestSafeCopy(t *testing.T) {
	tests := []struct {
		name string
		got  copyMode
		want copyMode
	}{
		{"assignment for scalars", modeOf[int](t), copyAssign},
		{"assignment for strings and times in structs and arrays", modeOf[[2]refFree](t), copyAssign},
		{"Clone declared on the value", modeOf[valueCloner](t), copyClone},
		{"Clone declared on the pointer", modeOf[pointerCloner](t), copyClone},
		{"the codec without Clone", modeOf[noCloner](t), copyCodec},
		{"the codec for pointers", modeOf[*int](t), copyCodec},
		{"the codec for empty interfaces", modeOf[any](t), copyCodec},
		{"assignment for empty arrays of anything", modeOf[[0]map[int]int](t), copyAssign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("mode %d, want %d", tt.got, tt.want)
			}
		})
	}
}
