package bench

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/workload"
)

func TestGobCodecRoundTripsTheWorkloadValue(t *testing.T) {
	var c GobCodec[workload.Value]
	want := workload.MakeValue(42)
	want.Visits = 7
	data, err := c.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != gobFormat {
		t.Errorf("first byte %q, want the format byte %q", data[0], gobFormat)
	}
	got, err := c.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip gave %+v, want %+v", got, want)
	}
}

func TestGobCodecRefusesWhatItDidNotWrite(t *testing.T) {
	var c GobCodec[workload.Value]
	good, err := c.Marshal(workload.MakeValue(1))
	if err != nil {
		t.Fatal(err)
	}
	json, err := sessions.JSON[workload.Value]().Marshal(workload.MakeValue(1))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"empty":          nil,
		"format byte":    {gobFormat},
		"json codec":     json,
		"truncated":      good[:len(good)/2],
		"garbage":        append([]byte{gobFormat}, "\xff\xff\xff\xff\xff\xff"...),
		"over the bound": append([]byte{gobFormat}, strings.Repeat("x", sessions.DefaultMaxValueBytes)...),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := c.Unmarshal(data); !errors.Is(err, sessions.ErrDecode) {
				t.Errorf("Unmarshal = %v, want ErrDecode", err)
			}
		})
	}
}

func TestGobCodecBoundsWhatItWrites(t *testing.T) {
	c := GobCodec[workload.Value]{MaxBytes: 64}
	if _, err := c.Marshal(workload.MakeValue(1)); !errors.Is(err, sessions.ErrValueTooLarge) {
		t.Errorf("Marshal over MaxBytes = %v, want ErrValueTooLarge", err)
	}
	big, err := GobCodec[workload.Value]{}.Marshal(workload.MakeValue(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Unmarshal(big); !errors.Is(err, sessions.ErrDecode) {
		t.Errorf("Unmarshal over MaxBytes = %v, want ErrDecode", err)
	}
}

func FuzzGobCodecUnmarshal(f *testing.F) {
	var c GobCodec[workload.Value]
	good, err := c.Marshal(workload.MakeValue(3))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{gobFormat})
	f.Add([]byte("j{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := c.Unmarshal(data)
		if err != nil {
			if !errors.Is(err, sessions.ErrDecode) {
				t.Fatalf("error %v does not wrap ErrDecode", err)
			}
			return
		}
		again, err := c.Marshal(v)
		if err != nil {
			t.Fatalf("a decoded value does not encode: %v", err)
		}
		if _, err := c.Unmarshal(again); err != nil {
			t.Fatalf("a re-encoded value does not decode: %v", err)
		}
	})
}

func ExampleGobCodec() {
	var c GobCodec[workload.Value]
	data, err := c.Marshal(workload.MakeValue(42))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := c.Unmarshal(data)
	fmt.Println(v.UserID, err)
	_, err = c.Unmarshal([]byte(`j{"UserID":"usr_00000042"}`))
	fmt.Println(errors.Is(err, sessions.ErrDecode))
	// Output:
	// usr_00000042 <nil>
	// true
}
