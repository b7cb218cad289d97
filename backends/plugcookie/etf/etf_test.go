package etf_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/typedsession/sessions/backends/plugcookie/etf"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The vectors were written by :erlang.term_to_binary/1 on OTP 25 and 26.
var goldenTerms = []struct {
	name string
	hex  string
	term any
	// canonical reports whether Encode writes these very bytes (it writes
	// atoms as UTF-8 small atoms, so OTP 25's Latin-1 atoms differ).
	canonical bool
}{
	{"string map", "8374000000016d00000003666f6f6d00000003626172", map[string]any{"foo": "bar"}, true},
	{
		"Phoenix-like session",
		"8374000000046d0000000b5f637372665f746f6b656e6d00000018764f3977436775734250646644765a4547677a574e476b71" +
			"6d00000003626967620000012c6d000000016e612a6d0000000a757365725f746f6b656e6d00000020" + strings.Repeat("ab", 32),
		map[string]any{"_csrf_token": "vO9wCgusBPdfDvZEGgzWNGkq", "user_token": strings.Repeat("\xab", 32), "n": int64(42), "big": int64(300)},
		true,
	},
	{
		"atom keys, OTP 25 (Latin-1 atoms)",
		"8374000000016400065f666c6173687400000001640004696e666f6d000000026869",
		etf.Map{{Key: etf.Atom("_flash"), Value: etf.Map{{Key: etf.Atom("info"), Value: "hi"}}}},
		false,
	},
	{
		"atom keys, OTP 26 (UTF-8 atoms)",
		"83740000000177065f666c61736874000000017704696e666f6d000000026869",
		etf.Map{{Key: etf.Atom("_flash"), Value: etf.Map{{Key: etf.Atom("info"), Value: "hi"}}}},
		true,
	},
	{
		"Plug.Crypto.sign payload with a millisecond timestamp",
		"8368036d00000001766e06000068e5cf8b016200015180",
		etf.Tuple{"v", int64(1700000000000), int64(86400)},
		true,
	},
}

func TestGoldenTermsDecodeAndEncode(t *testing.T) {
	for _, g := range goldenTerms {
		t.Run(g.name, func(t *testing.T) {
			data := unhex(t, g.hex)
			got, err := etf.Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, g.term) {
				t.Fatalf("Decode = %#v, want %#v", got, g.term)
			}
			enc, err := etf.Encode(g.term)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if g.canonical && !bytes.Equal(enc, data) {
				t.Fatalf("Encode = %x, want %x", enc, data)
			}
			again, err := etf.Decode(enc)
			if err != nil || !reflect.DeepEqual(again, g.term) {
				t.Fatalf("Decode(Encode) = %#v, %v", again, err)
			}
		})
	}
}

func TestDecodeMapsEveryTermType(t *testing.T) {
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	tests := []struct {
		name string
		hex  string
		want any
	}{
		{"nil atom", "83 77 03 6e696c", nil},
		{"true, Latin-1 atom", "83 64 0004 74727565", true},
		{"false, small Latin-1 atom", "83 73 05 66616c7365", false},
		{"Latin-1 atom to UTF-8", "83 73 01 e9", etf.Atom("é")},
		{"UTF-8 atom", "83 76 0002 c3a9", etf.Atom("é")},
		{"small integer", "83 61 ff", int64(255)},
		{"negative integer", "83 62 ffffffff", int64(-1)},
		{"small big within int64", "83 6e 08 00 ffffffffffffff7f", int64(math.MaxInt64)},
		{"small big beyond int64", "83 6e 0d 01 " + le(huge), huge},
		{"large big", "83 6f 00000001 00 07", int64(7)},
		{"float", "83 46 3ff8000000000000", 1.5},
		{"empty list", "83 6a", []any{}},
		{"charlist", "83 6b 0002 6869", []any{int64('h'), int64('i')}},
		{"list", "83 6c 00000002 6101 6d00000000 6a", []any{int64(1), ""}},
		{"large tuple", "83 69 00000001 6a", etf.Tuple{[]any{}}},
		{"binary with any bytes", "83 6d 00000002 00ff", "\x00\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := etf.Decode(unhex(t, tt.hex))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Decode = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// le returns the SMALL_BIG_EXT magnitude of x as hex, little-endian.
func le(x *big.Int) string {
	be := new(big.Int).Abs(x).Bytes()
	out := make([]byte, len(be))
	for i, b := range be {
		out[len(be)-1-i] = b
	}
	return hex.EncodeToString(out)
}

func TestDecodeRefusesWhatASessionDoesNotHold(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want error
	}{
		{"empty", "", etf.ErrMalformed},
		{"no version byte", "74 00000000", etf.ErrMalformed},
		{"trailing bytes", "83 6a 6a", etf.ErrMalformed},
		{"truncated binary", "83 6d 00000005 6869", etf.ErrMalformed},
		{"list claiming 4 billion elements", "83 6c ffffffff 6a", etf.ErrMalformed},
		{"map claiming 4 billion pairs", "83 74 ffffffff", etf.ErrMalformed},
		{"duplicate binary keys", "83 74 00000002 6d0000000161 6101 6d0000000161 6102", etf.ErrMalformed},
		{"duplicate atom keys in two encodings", "83 74 00000002 73016b 6101 77016b 6102", etf.ErrMalformed},
		{"negative zero sign byte 2", "83 6e 01 02 01", etf.ErrMalformed},
		{"invalid UTF-8 atom", "83 77 01 ff", etf.ErrMalformed},
		{"NaN float", "83 46 7ff8000000000001", etf.ErrMalformed},
		{"fun", "83 70 00000000", etf.ErrExecutable},
		{"export", "83 71 7701 6d 7701 66 6101", etf.ErrExecutable},
		{"old fun", "83 75 00000000", etf.ErrExecutable},
		{"pid", "83 58 7703 6e6f6e 00000001 00000000 00000000", etf.ErrUnsupported},
		{"reference", "83 5a 0001 7703 6e6f6e 00000000 00000001", etf.ErrUnsupported},
		{"compressed", "83 50 00000010 789c", etf.ErrUnsupported},
		{"bitstring", "83 4d 00000001 03 e0", etf.ErrUnsupported},
		{"old float", "83 63 " + strings.Repeat("30", 31), etf.ErrUnsupported},
		{"improper list", "83 6c 00000001 6101 6102", etf.ErrUnsupported},
		{"bignum over the bound", "83 6f 00000101 00" + strings.Repeat("01", 257), etf.ErrLimit},
		{"nested too deep", "83" + strings.Repeat("6c00000001", 40) + "6a" + strings.Repeat("6a", 40), etf.ErrLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := etf.Decode(unhex(t, tt.hex))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %#v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	list := unhex(t, "83 6c 00000003 6101 6102 6103 6a")
	if _, err := (etf.Limits{MaxTerms: 3}).Decode(list); !errors.Is(err, etf.ErrLimit) {
		t.Errorf("four terms with MaxTerms 3: %v, want ErrLimit", err)
	}
	if _, err := (etf.Limits{MaxTerms: 4}).Decode(list); err != nil {
		t.Errorf("four terms with MaxTerms 4: %v", err)
	}
	if _, err := (etf.Limits{MaxBytes: len(list) - 1}).Decode(list); !errors.Is(err, etf.ErrLimit) {
		t.Errorf("over MaxBytes: %v, want ErrLimit", err)
	}
	if _, err := (etf.Limits{MaxDepth: 1}).Decode(unhex(t, "83 6c00000001 6c00000001 6a 6a 6a")); !errors.Is(err, etf.ErrLimit) {
		t.Errorf("depth 2 with MaxDepth 1: %v, want ErrLimit", err)
	}
}

func TestEncodeIntegersInErlangsForms(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{0, "83 61 00"},
		{255, "83 61 ff"},
		{256, "83 62 00000100"},
		{-1, "83 62 ffffffff"},
		{int64(math.MaxInt32) + 1, "83 6e 04 00 00000080"},
		{int64(math.MinInt64), "83 6e 08 01 0000000000000080"},
		{uint64(math.MaxUint64), "83 6e 08 00 ffffffffffffffff"},
		{big.NewInt(5), "83 61 05"},
	}
	for _, tt := range tests {
		got, err := etf.Encode(tt.in)
		if err != nil || hex.EncodeToString(got) != strings.ReplaceAll(tt.want, " ", "") {
			t.Errorf("Encode(%v) = %x, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestEncodeRefusesValuesWithNoTerm(t *testing.T) {
	loop := map[string]any{}
	loop["self"] = loop
	for name, v := range map[string]any{
		"NaN":                        math.NaN(),
		"infinity":                   math.Inf(1),
		"a channel":                  make(chan int),
		"a value with itself inside": loop,
		"a 256-char atom":            etf.Atom(strings.Repeat("a", 256)),
	} {
		if _, err := etf.Encode(v); err == nil {
			t.Errorf("Encode(%s) succeeded", name)
		}
	}
}
