package app

import "fmt"

// product is one of the few things the demo shop sells.
type product struct {
	ID    string
	Name  string
	Cents int
}

// maxQuantity bounds how many of one product a cart holds, so the session
// value stays small whatever a client posts.
const maxQuantity = 9

// catalogue returns the products on sale, in display order. It builds a
// fresh slice on each call so that no caller can change what another sees.
func catalogue() []product {
	return []product{
		{ID: "tea", Name: "Green tea", Cents: 450},
		{ID: "coffee", Name: "Coffee beans", Cents: 1290},
		{ID: "cocoa", Name: "Cocoa", Cents: 690},
		{ID: "honey", Name: "Honey", Cents: 850},
	}
}

// findProduct returns the product with the given ID.
func findProduct(id string) (product, bool) {
	for _, p := range catalogue() {
		if p.ID == id {
			return p, true
		}
	}
	return product{}, false
}

// Price returns the product's price for display.
func (p product) Price() string { return euros(p.Cents) }

// cartLine is one row of the cart as displayed.
type cartLine struct {
	Product  product
	Quantity int
	Subtotal string
}

// cartLines returns the cart's rows in catalogue order, with the total,
// ignoring IDs no longer on sale.
func cartLines(cart map[string]int) ([]cartLine, string) {
	var lines []cartLine
	total := 0
	for _, p := range catalogue() {
		if q := cart[p.ID]; q > 0 {
			lines = append(lines, cartLine{Product: p, Quantity: q, Subtotal: euros(q * p.Cents)})
			total += q * p.Cents
		}
	}
	return lines, euros(total)
}

// euros formats an amount of cents.
func euros(cents int) string { return fmt.Sprintf("€%d.%02d", cents/100, cents%100) }
