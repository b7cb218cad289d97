// Package workload is the session benchmark workload shared by the
// stores' benchmarks and the bench module: the value, the population,
// the incoming requests and the three request cycles, exactly as the
// project's benchmark specification describes them, so every figure is
// measured on the same work.
package workload

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// CartItem is one line of the cart.
type CartItem struct {
	SKU string
	Qty int
}

// Value is the session value of the workload, with a Clone method, so
// in-process stores copy it by hand.
type Value struct {
	UserID string     // 12 chars
	Roles  []string   // 2 items
	Cart   []CartItem // 3 items
	CSRF   string     // 43 chars
	Visits int
}

// Clone returns a deep copy of v.
func (v Value) Clone() Value {
	v.Roles = append([]string(nil), v.Roles...)
	v.Cart = append([]CartItem(nil), v.Cart...)
	return v
}

// PlainValue is Value without a Clone method, so in-process stores copy
// it through their codec.
type PlainValue struct {
	UserID string
	Roles  []string
	Cart   []CartItem
	CSRF   string
	Visits int
}

// MakeValue returns the value of population member i.
func MakeValue(i int) Value {
	sum := sha256.Sum256(fmt.Appendf(nil, "csrf-%d", i))
	return Value{
		UserID: fmt.Sprintf("usr_%08d", i),
		Roles:  []string{"customer", "beta-tester"},
		Cart:   []CartItem{{"SKU-100001", 1}, {"SKU-200002", 2}, {"SKU-300003", 3}},
		CSRF:   base64.RawURLEncoding.EncodeToString(sum[:]),
	}
}

// MakePlainValue is MakeValue as a PlainValue.
func MakePlainValue(i int) PlainValue { return PlainValue(MakeValue(i)) }

// NewCycleValue is the value the "new" cycle stores.
func NewCycleValue() Value { return MakeValue(PopulationSize + 1) }

// Visits and Bump read and change the counter of either value type.
func Visits[V Value | PlainValue](v V) int { return Value(v).Visits }

// Bump returns v with one more visit.
func Bump[V Value | PlainValue](v V) V {
	w := Value(v)
	w.Visits++
	return V(w)
}
