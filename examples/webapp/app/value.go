package app

import (
	"maps"
	"slices"

	"github.com/typedsession/sessions/httpsession"
)

// visit is the session value: everything the app remembers about one
// browser. Device labels and flash messages live here, in the value,
// because a store keeps nothing but the value and the session's metadata.
type visit struct {
	User   string                    `json:"user,omitempty"`
	Device string                    `json:"device,omitempty"` // from the User-Agent at login
	Count  int                       `json:"count,omitempty"`
	Cart   map[string]int            `json:"cart,omitempty"` // product ID to quantity
	Flash  httpsession.Flash[notice] `json:"flash,omitempty"`
}

// notice is one flash message.
type notice struct {
	Kind string `json:"kind"` // "ok" or "warn": the CSS class it is shown with
	Text string `json:"text"`
}

// Clone returns a copy of v that shares no map or slice with it. The
// memory store copies values with it on the way in and out, and the
// Manager the values it hands to update functions, instead of a JSON
// round trip.
func (v visit) Clone() visit {
	v.Cart = maps.Clone(v.Cart)
	v.Flash = slices.Clone(v.Flash)
	return v
}

// loggedIn reports whether the session belongs to a user.
func (v visit) loggedIn() bool { return v.User != "" }

// withNotice returns an update function that adds a flash message.
func withNotice(kind, text string) func(visit) (visit, error) {
	return func(v visit) (visit, error) {
		v.Flash = v.Flash.Put(notice{Kind: kind, Text: text})
		return v, nil
	}
}

// popFlash is the update function that empties the flash.
func popFlash(v visit) (visit, error) {
	_, v.Flash = v.Flash.Pop()
	return v, nil
}
