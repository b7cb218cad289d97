package sessions

import (
	"net/http"
	"net/textproto"
	"strings"
)

// WriteHeaders adds hs to h, by the rules of [ApplyHeaders].
func WriteHeaders(h http.Header, hs []Header) {
	if h == nil {
		return
	}
	ApplyHeaders(hs, h.Values, h.Add, h.Set)
}

// ApplyHeaders applies hs to a response of any HTTP stack through three
// functions on its headers: values returns a header's current values,
// add appends one, set replaces all of a header's values with one. (For
// an [http.Header] h they are h.Values, h.Add and h.Set; [WriteHeaders]
// does just that.)
//
// Set-Cookie and other headers are added after any already present. A
// Vary token is added only if no existing Vary value lists it already
// (compared case-insensitively, "*" counting as listing everything), so
// handlers that set their own Vary keep it; values is called only for
// Vary. A Cache-Control header from hs replaces any existing one: a
// response that sets a session cookie must not be stored by a shared
// cache whatever the handler said.
//
// Like WriteHeaders with a nil header, it does nothing if any of the
// functions is nil.
func ApplyHeaders(hs []Header, values func(name string) []string, add, set func(name, value string)) {
	if values == nil || add == nil || set == nil {
		return
	}
	for _, hd := range hs {
		switch textproto.CanonicalMIMEHeaderKey(hd.Name) {
		case "Vary":
			mergeVary(hd.Name, hd.Value, values, add)
		case "Cache-Control":
			set(hd.Name, hd.Value)
		default:
			add(hd.Name, hd.Value)
		}
	}
}

// mergeVary adds each token of the comma-separated list value that the
// response's Vary values do not already list.
func mergeVary(name, value string, values func(string) []string, add func(name, value string)) {
	for tok := range strings.SplitSeq(value, ",") {
		tok = textproto.TrimString(tok)
		if tok != "" && !varyLists(values(name), tok) {
			add(name, tok)
		}
	}
}

// varyLists reports whether any of the Vary header values lists tok.
func varyLists(values []string, tok string) bool {
	for _, v := range values {
		for listed := range strings.SplitSeq(v, ",") {
			listed = textproto.TrimString(listed)
			if listed == "*" || strings.EqualFold(listed, tok) {
				return true
			}
		}
	}
	return false
}
