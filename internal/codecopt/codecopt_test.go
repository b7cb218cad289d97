package codecopt_test

import (
	"strings"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
)

func TestChooseRecordsACodecAndRefusesNil(t *testing.T) {
	var chosen any
	var errs []error
	codecopt.Choose[int]("pkg", nil, &chosen, &errs)
	if chosen != nil || len(errs) != 1 || errs[0].Error() != "pkg: WithCodec(nil)" {
		t.Fatalf("nil codec: chosen %v, errs %v", chosen, errs)
	}
	codecopt.Choose("pkg", sessions.JSON[int](), &chosen, &errs)
	if chosen == nil || len(errs) != 1 {
		t.Fatalf("JSON codec: chosen %v, errs %v", chosen, errs)
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name       string
		chosen     any
		wantCustom bool
		wantErr    string
	}{
		{"none chosen falls back to JSON", nil, false, ""},
		{"a codec for V", sessions.JSON[int](), true, ""},
		{"a codec for another type", sessions.JSON[string](), true, "pkg: WithCodec got a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codec, custom, err := codecopt.Resolve[int]("pkg", tt.chosen)
			if custom != tt.wantCustom {
				t.Errorf("custom = %v, want %v", custom, tt.wantCustom)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) || codec != nil {
					t.Fatalf("got codec %v, err %v; want an error starting %q", codec, err, tt.wantErr)
				}
				return
			}
			if err != nil || codec == nil {
				t.Fatalf("got codec %v, err %v", codec, err)
			}
			b, err := codec.Marshal(7)
			if err != nil {
				t.Fatal(err)
			}
			if v, err := codec.Unmarshal(b); err != nil || v != 7 {
				t.Errorf("round trip gave %v, %v", v, err)
			}
		})
	}
}
