package sealed_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/sealed"
)

// staleCodec encodes as JSON but decodes nothing, with a plain error that
// does not wrap sessions.ErrDecode: a codec that breaks the Codec rule.
type staleCodec struct{}

var errStale = errors.New("value of an older shape")

func (staleCodec) Marshal(v cart) ([]byte, error) { return sessions.JSON[cart]().Marshal(v) }
func (staleCodec) Unmarshal([]byte) (cart, error) { return cart{}, errStale }

func TestAValueTheCodecCannotDecodeIsAbsentWhateverErrorTheCodecReturns(t *testing.T) {
	f := newFixture(t, fixtureConfig{storeOpts: []sealed.Option{sealed.WithCodec[cart](staleCodec{})}})
	s := f.generate(newCart("ann"))

	_, err := f.store.Open(f.ctx, s.Token(), t0)
	if !errors.Is(err, sessions.ErrDecode) || !errors.Is(err, errStale) {
		t.Errorf("Open: %v, want ErrDecode wrapping the codec's error", err)
	}
	f.events.take()
	if _, err := f.m.OfKey(f.ctx, s.Token()); err != sessions.ErrNotFound {
		t.Errorf("OfKey: %v, want exactly ErrNotFound", err)
	}
	var kinds []sessions.EventKind
	for _, ev := range f.events.take() {
		kinds = append(kinds, ev.Kind)
	}
	if !slices.Equal(kinds, []sessions.EventKind{sessions.EventDecodeFailed}) {
		t.Errorf("events %v, want [decode-failed]", kinds)
	}
}
