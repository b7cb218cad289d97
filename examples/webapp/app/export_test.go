package app

import (
	"errors"
	"net/http"

	"github.com/typedsession/sessions/backends/memory"
)

// NewInMemory is New for a Config that keeps sessions in memory, also
// returning a function that counts the sessions the store holds.
func NewInMemory(cfg Config) (http.Handler, func() int, func() error, error) {
	h, st, err := build(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	mem, ok := st.backend.(*memory.Store[visit])
	if !ok {
		return nil, nil, nil, errors.Join(errors.New("app: the Config does not keep sessions in memory"), st.close())
	}
	return h, mem.Len, st.close, nil
}
