package redissessions_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/redissessions"
	"github.com/typedsession/sessions/proptest"
)

// valueCodec writes the kit's Value, which holds a slice and a map, as
// Node's flat d: the slice and the map become JSON strings, every key is
// always written, so each write replaces the whole value.
type valueCodec struct{}

type flatValue struct {
	Counter int    `json:"counter"`
	Tags    string `json:"tags"`
	Attrs   string `json:"attrs"`
}

func (valueCodec) Marshal(v proptest.Value) ([]byte, error) {
	tags, err := json.Marshal(v.Tags)
	if err != nil {
		return nil, err
	}
	attrs, err := json.Marshal(v.Attrs)
	if err != nil {
		return nil, err
	}
	return json.Marshal(flatValue{Counter: v.Counter, Tags: string(tags), Attrs: string(attrs)})
}

func (valueCodec) Unmarshal(d []byte) (proptest.Value, error) {
	var f flatValue
	var v proptest.Value
	if err := json.Unmarshal(d, &f); err != nil {
		return v, err
	}
	v.Counter = f.Counter
	if err := json.Unmarshal([]byte(f.Tags), &v.Tags); err != nil {
		return v, err
	}
	return v, json.Unmarshal([]byte(f.Attrs), &v.Attrs)
}

func TestTheManagerKeepsItsLifecycleRulesOnTheNodeLayout(t *testing.T) {
	c := realClient(t)
	proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		store, _ := newStore[proptest.Value](t, c,
			redissessions.WithCodec[proptest.Value](valueCodec{}), redissessions.WithClock(now))
		m, err := sessions.NewWithStore[proptest.Value](store, sessions.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return m
	})
}
